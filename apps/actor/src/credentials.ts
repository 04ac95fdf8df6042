// The actor's credential on disk: the Director's URL, the actor's id and its API token, as JSON
// in a file only the owner can read (0600). A file others can read is refused, not silently used.
import {
  chmodSync,
  openSync,
  closeSync,
  readFileSync,
  statSync,
  writeSync,
  renameSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { actorTokenSchema, idSchema } from '@email-profiles/core';

export const actorCredentialSchema = z.object({
  directorUrl: z.url({ protocol: /^https?$/ }),
  actorId: idSchema,
  token: actorTokenSchema,
  name: z.string(),
  zone: z.object({ id: idSchema, name: z.string() }),
});
export type ActorCredential = z.infer<typeof actorCredentialSchema>;

export class CredentialError extends Error {
  override name = 'CredentialError';
}

/** Writes the credential with mode 0600 (through a temporary file, so a crash leaves no half file). */
export function writeCredential(path: string, credential: ActorCredential): void {
  const temporary = join(dirname(path), `.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(credential, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export function credentialExists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function readCredential(path: string): ActorCredential {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    throw new CredentialError(
      `No actor credential at ${path}: enroll first (email-profiles-actor enroll --help)`,
    );
  }
  if ((mode & 0o077) !== 0) {
    throw new CredentialError(
      `${path} can be read by other users (mode ${(mode & 0o777).toString(8)}): it holds the actor's token. Run chmod 600 ${path}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new CredentialError(`${path} is not an actor credential (not JSON)`);
  }
  const result = actorCredentialSchema.safeParse(parsed);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => issue.path.join('.') || '(file)').join(', ');
    throw new CredentialError(`${path} is not a valid actor credential (${fields})`);
  }
  return result.data;
}
