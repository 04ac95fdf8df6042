// Several stacks at once (as when turbo runs packages in parallel), the vitest global setup, the
// standalone helpers on serialized info, and cleanup after owners that never called stop().
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deliver, fillMailbox, startMailStack, type MailStackInfo } from './index.js';
import { isAlive, type ProcessRecord } from './processes.js';
import { Pop3 } from './testing/clients.js';
import setup from './vitest-global-setup.js';
import { accepts, Wire } from './wire.js';

const ports = (info: MailStackInfo) =>
  [info.dovecot, info.postfix, info.cyrus].flatMap((server) => Object.values(server?.ports ?? {}));

async function pop3Count(info: MailStackInfo, index: number): Promise<number> {
  const actor = info.dovecot?.users[index];
  if (info.dovecot === undefined || actor === undefined) throw new Error('no dovecot user');
  const pop3 = await Pop3.open(info.dovecot.ports.pop3);
  try {
    expect(await pop3.login(actor.username, actor.password)).toMatch(/^\+OK/);
    return await pop3.count();
  } finally {
    pop3.close();
  }
}

describe('concurrent stacks and the vitest global setup', () => {
  it('runs three stacks side by side, each on its own ports and folder', async () => {
    const provided = new Map<string, unknown>();
    const [teardown, dovecotOnly, cyrusOnly] = await Promise.all([
      setup({
        provide: (key, value) => {
          provided.set(key, value);
        },
      }),
      startMailStack({ components: ['dovecot'] }),
      startMailStack({ components: ['cyrus'] }),
    ]);
    try {
      // What tests get from inject('mailStack'): plain JSON.
      const info = provided.get('mailStack') as MailStackInfo;
      expect(JSON.parse(JSON.stringify(info))).toEqual(info);
      expect(Object.keys(info).sort()).toEqual([
        'cyrus',
        'dir',
        'dovecot',
        'host',
        'postfix',
        'tls',
      ]);
      expect(dovecotOnly.postfix).toBeUndefined();
      expect(dovecotOnly.cyrus).toBeUndefined();
      expect(cyrusOnly.dovecot).toBeUndefined();

      const dirs = new Set([info.dir, dovecotOnly.dir, cyrusOnly.dir]);
      expect(dirs.size).toBe(3);
      const all = [...ports(info), ...ports(dovecotOnly), ...ports(cyrusOnly)];
      expect(new Set(all).size).toBe(all.length);
      expect(info.tls.caPem).not.toBe(dovecotOnly.tls.caPem);

      // The standalone helpers work from the serialized info.
      const before = await pop3Count(info, 0);
      const address = info.dovecot?.users[0]?.address ?? '';
      await deliver(info, address, 'Subject: standalone deliver\r\n\r\nhello\r\n');
      await fillMailbox(info, address, 10, { subjectPrefix: 'standalone fill' });
      expect(await pop3Count(info, 0)).toBe(before + 11);
      // Separate stacks have separate mailboxes.
      expect(await pop3Count(dovecotOnly, 0)).toBe(0);

      const wire = await Wire.connect({ port: cyrusOnly.cyrus?.ports.imap ?? 0 });
      expect(await wire.readLine()).toMatch(/^\* OK/);
      wire.close();
    } finally {
      await Promise.all([teardown(), dovecotOnly.stop(), cyrusOnly.stop()]);
    }
  });
});

type Started = { dir: string; processes: ProcessRecord[]; ports: number[] };

type Fixture = { started: Started; exited: Promise<void>; kill: () => Promise<void> };

function runFixture(mode: 'exit' | 'hang'): Promise<Fixture> {
  const fixture = fileURLToPath(new URL('./testing/abandon-fixture.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const line = output.split('\n')[0];
      if (line !== undefined && output.includes('\n')) {
        resolve({
          started: JSON.parse(line) as Started,
          exited,
          kill: async () => {
            child.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => {
      if (!output.includes('\n')) reject(new Error(`fixture exited (${code}) early: ${errors}`));
    });
  });
}

async function expectGone(started: Started, portsInUseAgain: readonly number[] = []) {
  expect(started.processes.length).toBeGreaterThan(5);
  // SIGKILL is sent synchronously at exit; dying takes the kernel a moment.
  const deadline = Date.now() + 2_000;
  while (started.processes.some(isAlive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(started.processes.filter(isAlive)).toEqual([]);
  for (const port of started.ports.filter((p) => !portsInUseAgain.includes(p))) {
    expect(await accepts(port), `port ${port}`).toBe(false);
  }
  if (portsInUseAgain.length === 0) expect(existsSync(started.dir)).toBe(false);
}

describe('owners that never call stop()', () => {
  it('the exit safety net kills the servers when the process exits', async () => {
    const { started, exited } = await runFixture('exit');
    await exited;
    await expectGone(started);
  });

  it('the next start cleans up after an owner that was SIGKILLed', async () => {
    const { started, kill } = await runFixture('hang');
    expect(started.processes.every(isAlive)).toBe(true);
    await kill();
    expect(started.processes.filter(isAlive).length).toBeGreaterThan(0); // left behind
    const next = await startMailStack({ components: ['dovecot'] });
    try {
      // The next stack may take over the freed slot, its folder and ports.
      await expectGone(started, next.dir === started.dir ? ports(next) : []);
    } finally {
      await next.stop();
    }
  });
});
