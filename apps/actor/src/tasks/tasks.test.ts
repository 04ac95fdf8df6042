// The task runners against the real mail stack (Dovecot IMAP and POP3, Postfix) and the HTTP fakes
// of Microsoft Graph and Google.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  verificationSubject,
  type ActorTask,
  type TaskProgress,
  type TaskResult,
} from '@email-profiles/core';
import { deliver, testMessage } from '@email-profiles/mail-stack';
import type { FakeGraph } from '@email-profiles/transport-graph/testing';
import { clearGraphTokenCache } from '@email-profiles/transport-graph';
import {
  fakeMessage,
  startFakeGoogle,
  type FakeGoogle,
} from '@email-profiles/transport-gmail/testing';
import { closedPort } from '@email-profiles/transport-net/testing';
import { gmailProfile, graphProfile, imapProfile, startGraphFake } from '../testing/profiles.js';
import type { TransportOptions } from '../transports.js';
import { runFindCode } from './find-code.js';
import { runProbeTask } from './probe.js';
import type { FindCodeTask, ProbeTask } from './context.js';

const stack = inject('mailStack');
const [user1, user2] = stack.dovecot!.users;

const later = (ms: number) => new Date(Date.now() + ms).toISOString();

function findTask(profile: ActorTask['profile'], deadlineMs = 5_000): FindCodeTask {
  return {
    kind: 'find_code',
    id: randomUUID(),
    profile,
    code: randomUUID(),
    since: new Date().toISOString(),
    deadlineAt: later(deadlineMs),
    leaseExpiresAt: later(60_000),
  };
}

function probeTask(profile: ActorTask['profile']): ProbeTask {
  return {
    kind: 'probe',
    id: randomUUID(),
    profile,
    deadlineAt: later(20_000),
    leaseExpiresAt: later(60_000),
  };
}

async function run(
  task: ActorTask,
  transports: TransportOptions = {},
): Promise<{ result: TaskResult; progress: TaskProgress[] }> {
  const progress: TaskProgress[] = [];
  const context = {
    signal: new AbortController().signal,
    transports,
    report: (p: TaskProgress) => progress.push(p),
  };
  const result =
    task.kind === 'find_code'
      ? await runFindCode(task, context)
      : await runProbeTask(task, context);
  return { result, progress };
}

const stepsOf = (progress: TaskProgress[]) =>
  progress.flatMap((p) =>
    p.type === 'probe_step'
      ? [`${String(p.step.facts?.server)}:${p.step.name}:${p.step.status}`]
      : [],
  );

describe('find code over IMAP and POP3 (Dovecot)', () => {
  it('finds the code in an IMAP mailbox, after reporting that the check started', async () => {
    const task = findTask(imapProfile(stack, user1!));
    const found = run(task);
    await deliver(
      stack,
      user1!.address,
      testMessage(user1!.address, verificationSubject(task.code)),
    );
    const { result, progress } = await found;
    expect(progress[0]).toMatchObject({ type: 'check_started', taskId: task.id });
    expect(result).toMatchObject({
      kind: 'find_code',
      taskId: task.id,
      result: { found: true, subject: verificationSubject(task.code) },
    });
  });

  it('finds the code in a POP3 mailbox', async () => {
    const task = findTask(imapProfile(stack, user2!, { serverType: 'pop3' }), 10_000);
    await deliver(
      stack,
      user2!.address,
      testMessage(user2!.address, verificationSubject(task.code)),
    );
    const { result } = await run(task, { pollMs: 100 });
    expect(result).toMatchObject({ result: { found: true } });
  });

  it('a wrong password fails at the auth stage, with a hint', async () => {
    const task = findTask(imapProfile(stack, user1!, { password: 'not-the-password' }));
    const { result } = await run(task);
    expect(result).toMatchObject({ result: { found: false, failure: { stage: 'auth' } } });
    if (result.kind === 'find_code' && !result.result.found)
      expect(result.result.failure.hint.length).toBeGreaterThan(10);
  });

  it('a closed port fails at the tcp stage', async () => {
    const task = findTask(imapProfile(stack, user1!, { port: await closedPort() }));
    const { result } = await run(task);
    expect(result).toMatchObject({ result: { found: false, failure: { stage: 'tcp' } } });
  });

  it('gives up at the deadline when the code never arrives', async () => {
    const task = findTask(imapProfile(stack, user1!), 1_500);
    const { result } = await run(task);
    expect(result).toMatchObject({ result: { found: false } });
  });
});

describe('probe', () => {
  it('streams the incoming (IMAP) and outgoing (SMTP) steps, each marked with its server', async () => {
    const task = probeTask(imapProfile(stack, user1!));
    const { result, progress } = await run(task);
    expect(result.kind).toBe('probe');
    if (result.kind !== 'probe') return;
    expect(result.report.failure).toBeUndefined();
    const streamed = stepsOf(progress);
    expect(streamed).toEqual(
      result.report.steps.map((s) => `${String(s.facts?.server)}:${s.name}:${s.status}`),
    );
    expect(streamed).toContain('incoming:auth:ok');
    expect(streamed).toContain('incoming:mailbox:ok');
    expect(streamed).toContain('outgoing:greeting:ok');
    expect(streamed.indexOf('incoming:mailbox:ok')).toBeLessThan(
      streamed.indexOf('outgoing:greeting:ok'),
    );
  });

  it('reports the failing incoming step, and still checks the outgoing server', async () => {
    const task = probeTask(imapProfile(stack, user1!, { serverType: 'pop3', password: 'wrong' }));
    const { result, progress } = await run(task);
    if (result.kind !== 'probe') throw new Error('expected a probe report');
    expect(result.report).toMatchObject({ ok: false, failure: { stage: 'auth' } });
    expect(stepsOf(progress)).toContain('incoming:auth:failed');
    expect(stepsOf(progress)).toContain('outgoing:greeting:ok');
  });
});

describe('Microsoft Graph (HTTP fake)', () => {
  let fake: FakeGraph;
  const mailbox = 'actor1@contoso.example';
  beforeAll(async () => {
    clearGraphTokenCache();
    fake = await startGraphFake(mailbox);
  });
  afterAll(async () => {
    await fake.close();
    expect(fake.violations).toEqual([]);
  });
  const transports = (): TransportOptions => ({
    graph: { endpoints: fake.endpoints, options: { firstPollMs: 50, maxPollMs: 200 } },
  });

  it('finds the code and probes the mailbox', async () => {
    const task = findTask(graphProfile(mailbox));
    fake.deliver(mailbox, verificationSubject(task.code));
    expect((await run(task, transports())).result).toMatchObject({ result: { found: true } });
    const probe = await run(probeTask(graphProfile(mailbox)), transports());
    expect(probe.result).toMatchObject({ report: { ok: true } });
    expect(stepsOf(probe.progress).every((s) => s.startsWith('incoming:'))).toBe(true);
  });

  it("tries the profile's canary mailbox and reports what the app may read", async () => {
    fake.addMailbox('ceo@contoso.example');
    const profile = { ...graphProfile(mailbox), canaryAddress: 'ceo@contoso.example' };
    const task = findTask(profile);
    fake.deliver(mailbox, verificationSubject(task.code));
    expect((await run(task, transports())).result).toMatchObject({
      result: {
        found: true,
        access: { tenantWideRoles: ['Mail.Read', 'Mail.Send'], canary: 'readable' },
      },
    });
    expect(fake.requests.some((r) => r.mailbox === 'ceo@contoso.example')).toBe(true);
  });
});

describe('Gmail API (HTTP fake)', () => {
  let fake: FakeGoogle;
  beforeAll(async () => {
    fake = await startFakeGoogle();
  });
  afterAll(async () => {
    await fake.close();
    expect(fake.violations).toEqual([]);
  });
  const transports = (): TransportOptions => ({
    gmail: { endpoints: fake.endpoints, tuning: { firstPollMs: 50, maxPollMs: 200 } },
  });

  it('finds the code and probes the mailbox', async () => {
    const task = findTask(gmailProfile(fake.state));
    fake.state.messages.push(fakeMessage(verificationSubject(task.code)));
    expect((await run(task, transports())).result).toMatchObject({ result: { found: true } });
    const probe = await run(probeTask(gmailProfile(fake.state)), transports());
    expect(probe.result).toMatchObject({ report: { ok: true } });
  });

  it('without consent, fails at the consent stage without calling Google', async () => {
    const before = fake.requests.length;
    const { clientId, clientSecret, account } = fake.state;
    const profile = gmailProfile({ clientId, clientSecret, account });
    const { result } = await run(findTask(profile), transports());
    expect(result).toMatchObject({ result: { found: false, failure: { stage: 'consent' } } });
    expect(fake.requests.length).toBe(before);
  });
});
