// Encryption at rest for secrets (passwords, client secrets, refresh tokens).
//
// One 32-byte master key, from EMAIL_PROFILES_MASTER_KEY or a 0600 key file in the data dir.
// Each secret is sealed with AES-256-GCM under a fresh 12-byte IV, with the place it belongs
// (e.g. `profile:<id>:password`) as additional authenticated data, so a sealed value copied to
// another row or field no longer opens. Errors name the context, never the plaintext or the key.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';
const KEY_FILE = 'master.key';

export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

export class VaultError extends Error {
  override name = 'VaultError';
}

export interface MasterKey {
  key: Buffer;
  source: 'env' | 'file';
  /** The key file, when the key comes from one. */
  path?: string;
  /** True when the key file was created by this call. */
  created: boolean;
}

const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;

/** The master key: from the env value (base64 of 32 bytes) or `<dataDir>/master.key`. */
export function loadMasterKey(options: {
  dataDir: string;
  envKey?: string | undefined;
}): MasterKey {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  if (options.envKey !== undefined)
    return { key: keyFromEnv(options.envKey), source: 'env', created: false };
  const path = join(options.dataDir, KEY_FILE);
  const created = createKeyFileIfMissing(path);
  return { key: readKeyFile(path), source: 'file', path, created };
}

function keyFromEnv(value: string): Buffer {
  const trimmed = value.trim();
  if (!BASE64_32_BYTES.test(trimmed)) {
    const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(trimmed)
      ? `it decodes to ${Buffer.from(trimmed, 'base64').length} bytes`
      : 'it is not valid base64';
    throw new MasterKeyError(
      `EMAIL_PROFILES_MASTER_KEY must be the base64 encoding of exactly ${KEY_BYTES} bytes (44 characters); ${decoded}. Generate one with: openssl rand -base64 32`,
    );
  }
  return Buffer.from(trimmed, 'base64');
}

function createKeyFileIfMissing(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new MasterKeyError(`Cannot create the master key file ${path}: ${errorCode(error)}`);
  }
  try {
    writeSync(fd, randomBytes(KEY_BYTES));
  } finally {
    closeSync(fd);
  }
  return true;
}

function readKeyFile(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new MasterKeyError(`Cannot read the master key file ${path}: ${errorCode(error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new MasterKeyError(`The master key file ${path} is not a regular file`);
    if ((stat.mode & 0o077) !== 0) {
      throw new MasterKeyError(
        `The master key file ${path} is readable or writable by group or others (mode ${(stat.mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
      );
    }
    if (stat.size !== KEY_BYTES) {
      throw new MasterKeyError(
        `The master key file ${path} must hold exactly ${KEY_BYTES} bytes, but holds ${stat.size}`,
      );
    }
    const key = Buffer.alloc(KEY_BYTES);
    if (readSync(fd, key, 0, KEY_BYTES, 0) !== KEY_BYTES) {
      throw new MasterKeyError(`The master key file ${path} could not be read in full`);
    }
    return key;
  } finally {
    closeSync(fd);
  }
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ?? (error instanceof Error ? error.message : 'unknown error');
}

/** Seals and opens secrets with the master key; the context binds a secret to its place. */
export class Vault {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) {
      throw new MasterKeyError(`The master key must be ${KEY_BYTES} bytes, got ${key.length}`);
    }
    this.#key = Buffer.from(key);
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, each part base64url. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv, tag, ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(sealed: string, context: string): string {
    const [version, ...rest] = sealed.split('.');
    if (version !== VERSION || rest.length !== 3) {
      throw new VaultError(`Cannot open the secret "${context}": not a ${VERSION} sealed value`);
    }
    const [iv, tag, ciphertext] = rest.map(decodeBase64url);
    if (!iv || !tag || !ciphertext || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new VaultError(`Cannot open the secret "${context}": the sealed value is malformed`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new VaultError(
        `Cannot open the secret "${context}": it was altered, sealed with another master key, or belongs to another field`,
      );
    }
  }
}

function decodeBase64url(part: string): Buffer | undefined {
  return /^[A-Za-z0-9_-]*$/.test(part) ? Buffer.from(part, 'base64url') : undefined;
}
