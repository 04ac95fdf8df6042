import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMasterKey, MasterKeyError, Vault, VaultError } from './vault.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vault-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const PLAINTEXT = 'p@ssw0rd-ünïcode';
const CONTEXT = 'profile:p1:password';

describe('Vault', () => {
  const vault = new Vault(randomBytes(32));

  it('opens what it sealed, in a versioned base64url format', () => {
    const sealed = vault.seal(PLAINTEXT, CONTEXT);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(PLAINTEXT);
    expect(vault.open(sealed, CONTEXT)).toBe(PLAINTEXT);
    expect(vault.open(vault.seal('', CONTEXT), CONTEXT)).toBe('');
  });

  it('seals the same text differently each time', () => {
    expect(vault.seal(PLAINTEXT, CONTEXT)).not.toBe(vault.seal(PLAINTEXT, CONTEXT));
  });

  it('refuses another context, another key or a changed byte, without leaking', () => {
    const sealed = vault.seal(PLAINTEXT, CONTEXT);
    const failures = [
      () => vault.open(sealed, 'profile:p2:password'),
      () => vault.open(sealed, 'profile:p1:clientSecret'),
      () => new Vault(randomBytes(32)).open(sealed, CONTEXT),
    ];
    const parts = sealed.split('.');
    for (const index of [1, 2, 3]) {
      const bytes = Buffer.from(parts[index]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      const tampered = parts.map((part, i) => (i === index ? bytes.toString('base64url') : part));
      failures.push(() => vault.open(tampered.join('.'), CONTEXT));
    }
    for (const fail of failures) {
      expect(fail).toThrow(VaultError);
      try {
        fail();
      } catch (error) {
        expect((error as Error).message).toMatch(/Cannot open the secret/);
        expect((error as Error).message).not.toContain(PLAINTEXT);
      }
    }
  });

  it('refuses malformed and unversioned values clearly', () => {
    expect(() => vault.open('hello', CONTEXT)).toThrow(/not a v1 sealed value/);
    expect(() => vault.open('v2.a.b.c', CONTEXT)).toThrow(/not a v1 sealed value/);
    expect(() => vault.open('v1.a.b.c', CONTEXT)).toThrow(/malformed/);
    expect(() => vault.open('v1.!!.b.c', CONTEXT)).toThrow(/malformed/);
  });

  it('needs a 32-byte key', () => {
    expect(() => new Vault(randomBytes(16))).toThrow(MasterKeyError);
  });
});

describe('loadMasterKey', () => {
  it('creates the data dir (0700) and a 0600 key file once, then reuses it', () => {
    const dataDir = join(dir, 'data');
    const first = loadMasterKey({ dataDir, envKey: undefined });
    expect(first).toMatchObject({
      source: 'file',
      created: true,
      path: join(dataDir, 'master.key'),
    });
    expect(first.key).toHaveLength(32);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, 'master.key'))).toEqual(first.key);

    const second = loadMasterKey({ dataDir, envKey: undefined });
    expect(second.created).toBe(false);
    expect(second.key).toEqual(first.key);
    const sealed = new Vault(first.key).seal(PLAINTEXT, CONTEXT);
    expect(new Vault(second.key).open(sealed, CONTEXT)).toBe(PLAINTEXT);
  });

  it('uses a valid env key and writes no key file', () => {
    const key = randomBytes(32);
    const loaded = loadMasterKey({ dataDir: dir, envKey: key.toString('base64') });
    expect(loaded).toMatchObject({ source: 'env', created: false });
    expect(loaded.key).toEqual(key);
    expect(() => statSync(join(dir, 'master.key'))).toThrow();
  });

  it.each([
    ['too short', randomBytes(16).toString('base64'), /decodes to 16 bytes/],
    ['too long', randomBytes(33).toString('base64'), /decodes to 33 bytes/],
    ['not base64', '!'.repeat(44), /not valid base64/],
    ['empty', '', /decodes to 0 bytes/],
  ])('refuses an env key that is %s', (_label, envKey, reason) => {
    const run = () => loadMasterKey({ dataDir: dir, envKey });
    expect(run).toThrow(MasterKeyError);
    expect(run).toThrow(
      /EMAIL_PROFILES_MASTER_KEY must be the base64 encoding of exactly 32 bytes/,
    );
    expect(run).toThrow(reason);
  });

  it('refuses a key file of the wrong length', () => {
    writeFileSync(join(dir, 'master.key'), randomBytes(31), { mode: 0o600 });
    expect(() => loadMasterKey({ dataDir: dir })).toThrow(
      /must hold exactly 32 bytes, but holds 31/,
    );
  });

  it('refuses a key file readable by group or others', () => {
    const path = join(dir, 'master.key');
    writeFileSync(path, randomBytes(32), { mode: 0o600 });
    chmodSync(path, 0o640);
    expect(() => loadMasterKey({ dataDir: dir })).toThrow(
      /readable or writable by group or others \(mode 640\); run: chmod 600/,
    );
    chmodSync(path, 0o604);
    expect(() => loadMasterKey({ dataDir: dir })).toThrow(MasterKeyError);
  });

  it('refuses a key path that is not a file', () => {
    mkdirSync(join(dir, 'master.key'));
    expect(() => loadMasterKey({ dataDir: dir })).toThrow(/master.key is not a regular file/);
  });

  // root reads any file, so the check only means something for an ordinary user
  it.skipIf(process.getuid?.() === 0)('refuses a key file it cannot read', () => {
    const path = join(dir, 'master.key');
    writeFileSync(path, randomBytes(32), { mode: 0o600 });
    chmodSync(path, 0o000);
    expect(() => loadMasterKey({ dataDir: dir })).toThrow(
      /Cannot read the master key file .*EACCES/,
    );
  });
});
