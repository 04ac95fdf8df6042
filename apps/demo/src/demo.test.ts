// The demo as a newcomer runs it: the real command in its own process, Verify through the real
// API until every actor is Verified, Ctrl-C, and nothing it started is left.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { operatorClient } from './demo.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess | undefined;

afterAll(() => {
  // Only if the test failed half-way: the demo's own Ctrl-C path is what is under test.
  if (child?.exitCode === null) child.kill('SIGKILL');
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

describe('npm run demo', () => {
  it('starts everything, verifies every actor, and leaves nothing running after Ctrl-C', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, EMAIL_PROFILES_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    for (let i = 0; i < 600 && !output.includes('Stop with Ctrl-C'); i += 1) {
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(output).toContain('Stop with Ctrl-C');

    const url = /Open\s+(\S+)/.exec(output)?.[1] ?? '';
    const email = /Log in as\s+(\S+)/.exec(output)?.[1] ?? '';
    const password = /Password\s+(\S+)/.exec(output)?.[1] ?? '';
    const sandbox = /Mail sandbox (\S+) \(127\.0\.0\.1, ports ([\d, ]+)\)/.exec(output);
    const dir = sandbox?.[1] ?? '';
    const ports = (sandbox?.[2] ?? '').split(', ').map(Number);
    expect(ports.length).toBeGreaterThan(5);
    const tree = processTree(child.pid ?? -1);

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
      ).toEqual(row.profile.actorIds.map(() => ({ ok: true, failed: [] })));
    }

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('Demo stopped.');
    expect(tree.filter(alive)).toEqual([]);
    expect(await answers(Number(new URL(url).port))).toBe(false);
    for (const port of ports) expect(await answers(port)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    expect(sandboxProcesses(dir)).toEqual([]);
  });
});
