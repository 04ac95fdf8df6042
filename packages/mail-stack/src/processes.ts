// Process bookkeeping through /proc: every server is stopped by the pid it recorded (and the
// processes it started), never by name. A pid is identified together with its start time so a
// recycled pid is never signalled.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export type ProcessRecord = { name: string; pid: number; startTime: string };

type Stat = { state: string; ppid: number; startTime: string };

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid … starttime …": comm may contain spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, ppid] = fields;
  const startTime = fields[19];
  if (state === undefined || ppid === undefined || startTime === undefined) return undefined;
  return { state, ppid: Number(ppid), startTime };
}

/** A record for a running process, or undefined if there is no such process. */
export function recordProcess(name: string, pid: number): ProcessRecord | undefined {
  const stat = readStat(pid);
  if (stat === undefined || stat.state === 'Z' || stat.state === 'X') return undefined;
  return { name, pid, startTime: stat.startTime };
}

/** True while the recorded process runs (a zombie counts as gone; so does a recycled pid). */
export function isAlive(record: ProcessRecord): boolean {
  const stat = readStat(record.pid);
  return (
    stat !== undefined &&
    stat.state !== 'Z' &&
    stat.state !== 'X' &&
    stat.startTime === record.startTime
  );
}

/** The live processes below the given ones (children, grandchildren, …), as records. */
export function descendants(roots: readonly ProcessRecord[]): ProcessRecord[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat === undefined) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  const found: ProcessRecord[] = [];
  const queue = roots.filter(isAlive).map((root) => root.pid);
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      const record = recordProcess(`child of ${pid}`, child);
      if (record === undefined) continue;
      found.push(record);
      queue.push(child);
    }
  }
  return found;
}

export function signal(record: ProcessRecord, name: NodeJS.Signals): void {
  if (!isAlive(record)) return;
  try {
    process.kill(record.pid, name);
  } catch {
    // Gone in the meantime.
  }
}

/** SIGKILLs the recorded processes and everything below them, synchronously. */
export function killNow(records: readonly ProcessRecord[]): void {
  const all = [...records, ...descendants(records)];
  for (const record of all) signal(record, 'SIGKILL');
}

/**
 * Waits for a daemon's pid file and returns a record of the running process. `expectedExe` (the
 * binary's path) guards against a stale file naming a recycled pid.
 */
export async function waitForPidFile(
  file: string,
  name: string,
  expectedExe: string,
  deadline: number,
): Promise<ProcessRecord | undefined> {
  for (;;) {
    const record = pidFileRecord(file, name, expectedExe);
    if (record !== undefined || Date.now() >= deadline) return record;
    await sleep(25);
  }
}

/** The running process named by a pid file, if it runs `expectedExe`. */
export function pidFileRecord(
  file: string,
  name: string,
  expectedExe: string,
): ProcessRecord | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let exe: string;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
  return exe === expectedExe ? recordProcess(name, pid) : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitGone(records: readonly ProcessRecord[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!records.some(isAlive)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

/**
 * Stops server masters: SIGTERM to each master, then (after `graceMs`) SIGKILL to whatever is
 * left of the masters and the processes they had started. Returns the records still alive at the
 * end (empty on success).
 */
export async function stopProcesses(
  masters: readonly ProcessRecord[],
  graceMs = 3_000,
): Promise<ProcessRecord[]> {
  const tree = [...masters, ...descendants(masters)];
  for (const master of masters) signal(master, 'SIGTERM');
  if (await waitGone(tree, graceMs)) return [];
  const remaining = [...tree.filter(isAlive), ...descendants(masters.filter(isAlive))];
  for (const record of remaining) signal(record, 'SIGKILL');
  await waitGone(remaining, 3_000);
  return remaining.filter(isAlive);
}
