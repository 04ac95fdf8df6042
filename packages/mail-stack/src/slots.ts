// Run folders and ports. Several test processes may run stacks at the same time (turbo runs
// packages in parallel), and Postfix only accepts a private configuration directory that the shared
// /etc/postfix/main.cf lists in alternate_config_directories. So run folders come from a fixed
// pool of slots under one base folder: the slots' Postfix directories are listed once (under a
// lock), a slot is claimed by creating its folder (mkdir is atomic), and each slot owns a block of
// high ports below the kernel's ephemeral range, checked free before use.
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { run } from './exec.js';
import { BIN, INSTALL_COMMAND } from './install.js';
import { isAlive, killNow, pidFileRecord, recordProcess, type ProcessRecord } from './processes.js';

export const STACK_BASE =
  process.env['EMAIL_PROFILES_MAIL_STACK_BASE'] ?? '/var/lib/email-profiles/mail-stack';
export const SLOT_COUNT = 32;
export const PORTS_PER_SLOT = 20;
/** Slot n uses ports FIRST_PORT + n * PORTS_PER_SLOT … + PORTS_PER_SLOT - 1 (20000–20639). */
export const FIRST_PORT = 20_000;

const MAIN_CF = '/etc/postfix/main.cf';

export const slotDir = (index: number) =>
  path.join(STACK_BASE, `slot-${String(index).padStart(2, '0')}`);
/** The Postfix configuration directory of a run folder (listed in main.cf). */
export const postfixConfigDir = (dir: string) => path.join(dir, 'postfix-etc');

const OWNER_FILE = 'owner.json';
const PIDS_FILE = 'pids.json';

type Owner = ProcessRecord & { createdAt: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withLock<T>(lockDir: string, action: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lockDir).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 30_000) await rm(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${lockDir}`);
      else await sleep(25 + Math.random() * 50);
    }
  }
  try {
    return await action();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function listedDirectories(): Promise<string[]> {
  const { stdout } = await run(BIN.postconf, ['-h', 'alternate_config_directories']);
  return stdout.split(/[\s,]+/).filter((entry) => entry !== '');
}

/** Makes sure main.cf lists every slot's Postfix directory (edits it at most once per machine). */
export async function ensurePostfixSlotsListed(): Promise<void> {
  if (!existsSync(MAIN_CF)) {
    throw new Error(`${MAIN_CF} is missing: run ${INSTALL_COMMAND}`);
  }
  const wanted = Array.from({ length: SLOT_COUNT }, (_, index) => postfixConfigDir(slotDir(index)));
  const missing = (listed: string[]) => wanted.filter((dir) => !listed.includes(dir));
  if (missing(await listedDirectories()).length === 0) return;
  await mkdir(STACK_BASE, { recursive: true, mode: 0o755 });
  await withLock(path.join(STACK_BASE, '.main-cf.lock'), async () => {
    const listed = await listedDirectories();
    const add = missing(listed);
    if (add.length === 0) return;
    await run(BIN.postconf, [
      '-e',
      `alternate_config_directories = ${[...listed, ...add].join(' ')}`,
    ]);
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Kills what a dead owner left running in its slot and removes the slot folder. */
async function reclaimIfStale(dir: string): Promise<void> {
  const owner = await readJson<Owner>(path.join(dir, OWNER_FILE));
  if (owner !== undefined && isAlive(owner)) return;
  if (owner === undefined) {
    // Being created right now, or left behind half-made a while ago.
    const age = await stat(dir).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age < 60_000) return;
  }
  const trash = path.join(STACK_BASE, `stale-${randomBytes(6).toString('hex')}`);
  try {
    await rename(dir, trash); // Only one process wins this.
  } catch {
    return;
  }
  const pids = (await readJson<ProcessRecord[]>(path.join(trash, PIDS_FILE))) ?? [];
  killNow([...pids, ...runningFromPidFiles(trash)]);
  await rm(trash, { recursive: true, force: true });
}

export type Slot = { index: number; dir: string; ports: number[] };

/** Claims a free slot whose ports are all free; `dir` exists afterwards (mode 0755). */
export async function claimSlot(): Promise<Slot> {
  await mkdir(STACK_BASE, { recursive: true, mode: 0o755 });
  const self = recordProcess('owner', process.pid);
  if (self === undefined) throw new Error('cannot read /proc/self/stat');
  const owner: Owner = { ...self, createdAt: new Date().toISOString() };
  // First clean up after owners that died without stopping their stack (e.g. SIGKILLed).
  for (let index = 0; index < SLOT_COUNT; index++) {
    const dir = slotDir(index);
    if (existsSync(dir)) await reclaimIfStale(dir);
  }
  for (let index = 0; index < SLOT_COUNT; index++) {
    const dir = slotDir(index);
    try {
      await mkdir(dir, { mode: 0o755 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    await writeFile(path.join(dir, OWNER_FILE), JSON.stringify(owner));
    const first = FIRST_PORT + index * PORTS_PER_SLOT;
    const ports = Array.from({ length: PORTS_PER_SLOT }, (_, i) => first + i);
    const free = await Promise.all(ports.map(portFree));
    if (free.every(Boolean)) return { index, dir, ports };
    await rm(dir, { recursive: true, force: true });
  }
  throw new Error(
    `no free mail-stack slot: all ${SLOT_COUNT} slots under ${STACK_BASE} are in use or their ` +
      `ports (${FIRST_PORT}–${FIRST_PORT + SLOT_COUNT * PORTS_PER_SLOT - 1}) are taken`,
  );
}

/** Records the server masters of a slot so a later run can clean up after a crashed owner. */
export function recordPids(dir: string, records: readonly ProcessRecord[]): void {
  writeFileSync(path.join(dir, PIDS_FILE), JSON.stringify(records));
}

export type PidFile = { name: string; file: string; exe: string };

/** Where each server master of a run folder writes its pid, and the binary it runs. */
export function pidFiles(
  dir: string,
): Record<'dovecotMain' | 'dovecotNoIdle' | 'postfix' | 'cyrus', PidFile> {
  return {
    dovecotMain: {
      name: 'dovecot',
      file: path.join(dir, 'dovecot', 'run-main', 'master.pid'),
      exe: BIN.dovecot,
    },
    dovecotNoIdle: {
      name: 'dovecot (imapNoIdle)',
      file: path.join(dir, 'dovecot', 'run-noidle', 'master.pid'),
      exe: BIN.dovecot,
    },
    postfix: {
      name: 'postfix',
      file: path.join(dir, 'postfix', 'queue', 'pid', 'master.pid'),
      exe: BIN.postfixMaster,
    },
    cyrus: { name: 'cyrus', file: path.join(dir, 'cyrus', 'master.pid'), exe: BIN.cyrusMaster },
  };
}

/** Records of the server masters that are running according to the run folder's pid files. */
export function runningFromPidFiles(dir: string): ProcessRecord[] {
  return Object.values(pidFiles(dir))
    .map((entry) => pidFileRecord(entry.file, entry.name, entry.exe))
    .filter((record) => record !== undefined);
}
