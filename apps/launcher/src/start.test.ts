// `npm start` as a user runs it: the real command in a process group of its own, like a
// terminal's; the Director answers, its data is where the README says, the actor Add actor
// offers is served with its checksum, nothing runs through a TypeScript loader, and Ctrl-C (to
// the group, as a terminal sends it) stops everything quietly, also while it is still starting.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repository = fileURLToPath(new URL('../../..', import.meta.url));
// Relative, as a user may write it; never the user's own ./data.
const DATA = `data-start-test-${process.pid}`;
const started: ChildProcess[] = [];

afterAll(() => {
  // Only if a test failed half-way: the Ctrl-C path is what is under test.
  for (const child of started) {
    if (groupMembers(child.pid!).length > 0) process.kill(-child.pid!, 'SIGKILL');
  }
  rmSync(join(repository, DATA), { recursive: true, force: true });
});

/** The pids in a process group, from /proc. */
function groupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return fields[0] !== 'Z' && Number(fields[2]) === pgid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

function npmStart() {
  const child = spawn('npm', ['start'], {
    cwd: repository,
    detached: true,
    env: { ...process.env, EMAIL_PROFILES_PORT: '0', EMAIL_PROFILES_DATA_DIR: DATA },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // What the output held when npm returned the prompt: the cleanup must have finished by then.
  const exited = new Promise<{ code: number | null; signal: string | null; output: string }>(
    (resolve) => {
      child.once('exit', (code, signal) => {
        resolve({ code, signal, output });
      });
    },
  );
  const until = async (text: string) => {
    while (!output.includes(text)) {
      if (child.exitCode !== null) throw new Error(`npm start ended early:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { child, output: () => output, exited, until };
}

async function ctrlC(run: ReturnType<typeof npmStart>) {
  const pgid = run.child.pid!;
  process.kill(-pgid, 'SIGINT');
  // npm waits for the script, then ends by the same signal, as a shell expects of Ctrl-C.
  const end = await run.exited;
  expect([end.code, end.signal]).toEqual([null, 'SIGINT']);
  if (run.output().includes('Stop with Ctrl-C')) expect(end.output).toContain('Stopped.');
  // Every process of the group has ended: none left behind to hold the port or the database.
  for (let i = 0; i < 600 && groupMembers(pgid).length > 0; i += 1)
    await new Promise((resolve) => setTimeout(resolve, 50));
  expect(groupMembers(pgid).map(commandLine)).toEqual([]);
  expect(run.output()).not.toMatch(/ERR_PNPM|ELIFECYCLE|npm error|SIGINT\b.*fail/i);
}

describe('npm start', () => {
  it('runs the built Director with its data in ./data, serves the actor download, and stops on Ctrl-C', async () => {
    const run = npmStart();
    await run.until('Stop with Ctrl-C');
    const url = /running at (http:\/\/\S+) /.exec(run.output())![1]!;
    expect(run.output()).toContain(`Data directory: ${join(repository, DATA)}`);
    expect(existsSync(join(repository, DATA, 'director.db'))).toBe(true);
    expect(existsSync(join(repository, 'apps', 'launcher', DATA))).toBe(false);

    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    const download = await fetch(`${url}/downloads/email-profiles-actor.mjs`);
    expect(download.status).toBe(200);
    const body = Buffer.from(await download.arrayBuffer());
    const sum = await (await fetch(`${url}/downloads/email-profiles-actor.mjs.sha256`)).text();
    expect(sum).toBe(
      `${createHash('sha256').update(body).digest('hex')}  email-profiles-actor.mjs\n`,
    );
    expect(body.subarray(0, 2).toString()).toBe('#!');

    // The running processes: node on the built file, no TypeScript loader.
    const commands = groupMembers(run.child.pid!).map(commandLine);
    expect(
      commands.some((command) => command.includes('apps/launcher/dist/email-profiles.mjs')),
    ).toBe(true);
    expect(commands.filter((command) => /tsx|\.ts\b/.test(command))).toEqual([]);

    await ctrlC(run);
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
  });

  it('stops cleanly on Ctrl-C, again and again, also while still starting', async () => {
    for (const moment of ['starting', 'running', 'starting', 'running']) {
      const run = npmStart();
      await run.until(moment === 'starting' ? '> node scripts/start.mjs' : 'Stop with Ctrl-C');
      await ctrlC(run);
    }
  });
});
