// The Director as its own process, started the way `npm start` starts it (the launcher's build,
// apps/launcher/dist/email-profiles.mjs, under plain Node), so the benchmarks measure its memory
// and its event loop apart from the simulated clients.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { LAUNCHER_FILE, buildLauncher } from '../../launcher/build.mjs';

const directorRoot = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT_MS = 60_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export type DirectorProcess = {
  url: string;
  pid: number;
  /** Resident memory now and its peak so far (VmRSS, VmHWM), in MB. */
  memory(): { rss: number; peak: number };
  /** CPU time used so far (user + system), in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
};

export async function startDirectorProcess(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<DirectorProcess> {
  const port = await freePort();
  // BENCH_DIRECTOR_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the Director;
  // BENCH_DIRECTOR_ENTRY, another entry to run (e.g. "--import tsx src/main.ts", the Director
  // alone from its sources).
  // As `npm start` runs it: a small young generation (see the memory table in the README).
  const nodeArgs = [
    '--max-semi-space-size=1',
    ...(process.env.BENCH_DIRECTOR_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ];
  const entry = process.env.BENCH_DIRECTOR_ENTRY;
  if (!entry) await buildLauncher({ onlyIfStale: true });
  const args = entry ? entry.split(' ') : [LAUNCHER_FILE];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: directorRoot,
    env: {
      ...process.env,
      EMAIL_PROFILES_PORT: String(port),
      EMAIL_PROFILES_DATA_DIR: dataDir,
      EMAIL_PROFILES_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the Director did not start');
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Director exited: ${stderr}`);
    const healthy = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) })
      .then((response) => response.ok)
      .catch(() => false);
    if (healthy) break;
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      throw new Error(`the Director did not answer within ${START_TIMEOUT_MS} ms: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    pid,
    memory() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) =>
        Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
      return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
    },
    cpuSeconds() {
      // /proc/PID/stat: utime and stime are fields 14 and 15, in clock ticks (100 per second).
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    async stop() {
      if (child.exitCode !== null) return;
      process.kill(pid, 'SIGTERM');
      const killer = setTimeout(() => {
        process.kill(pid, 'SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
