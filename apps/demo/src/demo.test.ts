// The demo as a newcomer runs it: the real `npm run demo` in a process group of its own (as a
// terminal runs it), Verify through the real API until every actor is Verified, Ctrl-C to the
// group (as a terminal sends it), and nothing it started is left; again and again, also while
// the sandbox is still starting.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { STACK_BASE } from '@email-profiles/mail-stack';
import { operatorClient } from './demo.js';

const repository = fileURLToPath(new URL('../../..', import.meta.url));
const started: ChildProcess[] = [];

afterAll(() => {
  // Only if a test failed half-way: the demo's own Ctrl-C path is what is under test.
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group has ended
    }
  }
});

/** Pids of the process and all its descendants, from /proc. */
function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i += 1) {
    for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  }
  return tree;
}

/** Running (a zombie has exited and only waits to be reaped by its new parent, init). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Processes whose command line names the sandbox folder (Dovecot, Postfix). */
function sandboxProcesses(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The run folder of the mail sandbox the process `pid` claimed, if it has one now. */
function sandboxOf(pid: number): string | undefined {
  if (!existsSync(STACK_BASE)) return undefined;
  for (const slot of readdirSync(STACK_BASE)) {
    try {
      const owner = JSON.parse(readFileSync(join(STACK_BASE, slot, 'owner.json'), 'utf8')) as {
        pid: number;
      };
      if (owner.pid === pid) return join(STACK_BASE, slot);
    } catch {
      // not a claimed slot, or being claimed right now
    }
  }
  return undefined;
}

function npmRunDemo() {
  const child = spawn('npm', ['run', 'demo'], {
    cwd: repository,
    detached: true,
    env: { ...process.env, EMAIL_PROFILES_PORT: '0' },
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
  const until = async (what: string | (() => boolean)) => {
    const done = typeof what === 'string' ? () => output.includes(what) : what;
    while (!done()) {
      if (child.exitCode !== null) throw new Error(`npm run demo ended early:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { child, output: () => output, exited, until };
}

/** Ctrl-C: SIGINT to the whole group; npm waits for the demo, then ends by the same signal. */
async function ctrlC(demo: ReturnType<typeof npmRunDemo>) {
  process.kill(-demo.child.pid!, 'SIGINT');
  const end = await demo.exited;
  expect([end.code, end.signal]).toEqual([null, 'SIGINT']);
  expect(end.output).not.toMatch(/ERR_PNPM|ELIFECYCLE|npm error/);
  return end;
}

/** The demo's own node process, once npm and scripts/start.mjs have started it. */
function demoProcess(pgid: number): number | undefined {
  return processTree(pgid).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('apps/demo/src/main.ts');
    } catch {
      return false;
    }
  });
}

describe('npm run demo', () => {
  it('starts everything, verifies every actor, and leaves nothing running after Ctrl-C', async () => {
    const demo = npmRunDemo();
    await demo.until('Stop with Ctrl-C');
    const output = demo.output();
    const url = /Open\s+(\S+)/.exec(output)?.[1] ?? '';
    const email = /Log in as\s+(\S+)/.exec(output)?.[1] ?? '';
    const password = /Password\s+(\S+)/.exec(output)?.[1] ?? '';
    const sandbox = /Mail sandbox (\S+) \(127\.0\.0\.1, ports ([\d, ]+)\)/.exec(output);
    const dir = sandbox?.[1] ?? '';
    const ports = (sandbox?.[2] ?? '').split(', ').map(Number);
    expect(ports.length).toBeGreaterThan(5);
    const tree = processTree(demo.child.pid!);

    const api = operatorClient(url);
    await api.auth.login.mutate({ email, password });
    const profiles = await api.profiles.list.query();
    expect(profiles.map((row) => row.profile.serverType).sort()).toEqual(['imap', 'pop3']);
    const zones = new Set((await api.actors.list.query()).map((actor) => actor.zoneName));
    expect(zones).toEqual(new Set(['Headquarters', 'Branch office']));
    for (const row of profiles) await api.verification.verify.mutate({ profileId: row.profile.id });

    let statuses: string[] = [];
    for (let i = 0; i < 300; i += 1) {
      statuses = (await api.profiles.list.query()).flatMap((row) =>
        row.actors.map(
          (actor) => `${actor.status}${actor.failure ? `: ${actor.failure.summary}` : ''}`,
        ),
      );
      if (statuses.every((status) => status !== 'in_progress')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(statuses).toEqual(['verified', 'verified', 'verified', 'verified', 'verified']);

    // The connectivity check of each profile passes from every actor, outgoing login included.
    for (const row of profiles) {
      let run = await api.diagnostics.run.mutate({ profileId: row.profile.id });
      for (let i = 0; i < 600 && !run.done; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        run = await api.diagnostics.get.query({ runId: run.runId });
      }
      expect(
        run.actors.map((actor) => ({
          ok: actor.report?.ok,
          failed: actor.report?.steps
            .filter((step) => step.status === 'failed')
            .map((step) => step.summary),
        })),
      ).toEqual(row.actors.map(() => ({ ok: true, failed: [] })));
    }

    const end = await ctrlC(demo);
    expect(end.output).toContain('Demo stopped.');
    expect(tree.filter(alive)).toEqual([]);
    expect(await answers(Number(new URL(url).port))).toBe(false);
    for (const port of ports) expect(await answers(port)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    expect(sandboxProcesses(dir)).toEqual([]);
  });

  it('stops cleanly on every Ctrl-C, while the sandbox starts and once it runs', async () => {
    for (const moment of ['sandbox starting', 'running', 'sandbox starting', 'running']) {
      const demo = npmRunDemo();
      let pid: number | undefined;
      let sandbox: string | undefined;
      await demo.until(() => {
        pid ??= demoProcess(demo.child.pid!);
        if (pid !== undefined) sandbox ??= sandboxOf(pid);
        return moment === 'running' ? demo.output().includes('Stop with Ctrl-C') : !!sandbox;
      });
      const tree = processTree(demo.child.pid!);
      const end = await ctrlC(demo);
      expect(end.output).toContain('Demo stopped.');
      expect(tree.filter(alive)).toEqual([]);
      expect(existsSync(sandbox!)).toBe(false);
      expect(sandboxProcesses(sandbox!)).toEqual([]);
    }
  });
});
