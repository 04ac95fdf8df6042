// Small file-system helpers: system users, owned folders and files, log tails.
import { readFileSync } from 'node:fs';
import { chown, mkdir, open, writeFile } from 'node:fs/promises';

export type Ids = { uid: number; gid: number };

/** uid and primary gid of a system user, from /etc/passwd. */
export function systemUser(name: string): Ids {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) {
      return { uid: Number(uid), gid: Number(gid) };
    }
  }
  throw new Error(`system user ${name} does not exist: run the mail-stack installer`);
}

export async function ownedDir(dir: string, owner: Ids, mode: number): Promise<void> {
  await mkdir(dir, { recursive: true, mode });
  await chown(dir, owner.uid, owner.gid);
}

export async function ownedFile(
  file: string,
  content: string,
  owner: Ids,
  mode: number,
): Promise<void> {
  await writeFile(file, content, { mode });
  await chown(file, owner.uid, owner.gid);
}

/** The last lines of a log file (or a note that it is missing). */
export async function tail(file: string, lines = 25): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return `(${file} does not exist)`;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 16_384);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8').trimEnd();
    return text === '' ? `(${file} is empty)` : text.split('\n').slice(-lines).join('\n');
  } finally {
    await handle.close();
  }
}
