// Verification end to end through the real HTTP server: the Director sends its coded emails
// through the private Postfix into Dovecot, and actors are simulated through the actor API (they
// look for their code in the real mailbox). Deadlines and leases are shortened for the tests.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import {
  attemptChain,
  subjectHasCode,
  type ActorTask,
  type EmailProfileCreateInput,
  type ProfileStatusEvent,
} from '@email-profiles/core';
import { mailboxSubjects } from '@email-profiles/mail-stack';
import { getActorVerification, putActorVerification, tables } from '../db/index.js';
import {
  ADMIN,
  actorClient,
  browserTab,
  enrollTestActor,
  postfixMailSettings,
  rejection,
  testDirector,
  type TestActor,
  type TestDirector,
} from './test-client.js';

const stack = inject('mailStack');
const sender = stack.postfix!.users[0]!;
const mailbox = stack.dovecot!.users[0]!;
const PASSWORD = 'MailboxPasswordDoNotLeak7';

let env: TestDirector;
const bodies: string[] = [];
const logs: string[] = [];
const url = () => env.director.url;
let operator: ReturnType<typeof browserTab>['client'];
let zoneId: string;

type Actor = TestActor;
const actors: Actor[] = [];

beforeAll(async () => {
  env = await testDirector('verification', {
    log: pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) }),
    // Generous: the simulated actors look until the deadline, and a loaded machine delivers late.
    // The timeout test moves its own attempt's deadline into the past.
    config: { verifyTimeoutMs: 60_000 },
    timing: { leaseMs: 1_000, sweepMs: 100, deadlineGraceMs: 300 },
  });
  operator = browserTab(url(), bodies).client;
  await operator.auth.setup.mutate(ADMIN);
  zoneId = (await operator.zones.create.mutate({ name: 'DMZ' })).id;
  for (const name of ['actor A', 'actor B', 'actor C']) {
    actors.push(await enrollTestActor(url(), operator, zoneId, name));
  }
});
afterAll(async () => {
  await env.close();
});

/** The actor's next tasks (the long-poll answers at once when there are some). */
async function take(actor: Actor, waitMs = 3_000): Promise<ActorTask[]> {
  return actorClient(url(), actor.token).actorApi.nextTasks.mutate({ waitMs });
}

function profile(overrides: Partial<EmailProfileCreateInput> = {}): EmailProfileCreateInput {
  return {
    serverType: 'imap',
    emailAddress: mailbox.address,
    actorIds: [actors[0]!.id, actors[1]!.id],
    username: mailbox.address,
    password: PASSWORD,
    incoming: { host: '127.0.0.1', port: 993, encryption: 'ssl', authType: 'plain' },
    outgoing: {
      host: '127.0.0.1',
      port: 587,
      encryption: 'starttls',
      requiresAuth: true,
      authType: 'plain',
    },
    ...overrides,
  } as EmailProfileCreateInput;
}

async function statuses(profileId: string): Promise<string[]> {
  const row = (await operator.profiles.list.query()).find((item) => item.profile.id === profileId);
  return (
    row?.actors.map((actor) => `${actor.actorId === actors[0]!.id ? 'A' : 'B'}:${actor.status}`) ??
    []
  );
}

async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await probe();
  for (let i = 0; i < 100 && !ok(value); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await probe();
  }
  return value;
}

async function configureMail(): Promise<void> {
  await operator.settings.mail.update.mutate(postfixMailSettings(stack));
}

/**
 * The simulated actor's mailbox check: the code must really be in the mailbox. Like a real actor
 * it looks until the task's deadline (a loaded machine delivers late, not never).
 */
async function lookFor(code: string, deadlineAt: string): Promise<boolean> {
  for (;;) {
    const subjects = await mailboxSubjects(stack, mailbox.address);
    if (subjects.some((subject) => subjectHasCode(subject, code))) return true;
    if (Date.now() >= Date.parse(deadlineAt)) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function check(actor: Actor, task: ActorTask): Promise<void> {
  if (task.kind !== 'find_code') throw new Error(`expected a find_code task, got ${task.kind}`);
  await actor.api.actorApi.progress.mutate({
    type: 'check_started',
    taskId: task.id,
    at: new Date().toISOString(),
  });
  const found = await lookFor(task.code, task.deadlineAt);
  await actor.api.actorApi.complete.mutate({
    kind: 'find_code',
    taskId: task.id,
    result: found
      ? { found: true, subject: `(${task.code})`, via: 'search', durationMs: 5 }
      : {
          found: false,
          failure: {
            stage: 'search',
            summary: 'not found',
            hint: 'look in spam',
            transient: false,
          },
        },
  });
}

describe('verification', () => {
  it('refuses to verify automatically without mail settings, with the way out', async () => {
    await take(actors[0]!, 0); // online
    const { id } = await operator.profiles.create.mutate(profile());
    const refused = await rejection(operator.verification.verify.mutate({ profileId: id }));
    expect(refused.data?.code).toBe('PRECONDITION_FAILED');
    expect(refused.message).toBe(
      "Configure the Director's mail settings, or enable Send verification email manually",
    );
    await operator.profiles.delete.mutate({ id });
  });

  it('names the offline actors when none of the profile is online', async () => {
    await configureMail();
    const { id } = await operator.profiles.create.mutate(profile({ actorIds: [actors[2]!.id] }));
    const refused = await rejection(operator.verification.verify.mutate({ profileId: id }));
    expect(refused.data?.code).toBe('PRECONDITION_FAILED');
    expect(refused.message).toContain('"actor C" (never connected)');
    await operator.profiles.delete.mutate({ id });
  });

  it('sends one coded email per actor and turns each actor Verified, live', async () => {
    const [a, b] = [actors[0]!, actors[1]!];
    await take(b, 0);
    const { id } = await operator.profiles.create.mutate(profile());
    const events: ProfileStatusEvent[] = [];
    const subscription = operator.verification.onStatus.subscribe(
      { profileId: id },
      { onData: (row) => events.push(row) },
    );
    await new Promise((resolve) => setTimeout(resolve, 200)); // the stream is open

    const started = await operator.verification.verify.mutate({ profileId: id });
    expect(started).toEqual({ started: [a.id, b.id], alreadyRunning: [] });
    expect(await statuses(id)).toEqual(['A:in_progress', 'B:in_progress']);
    // Idempotent: a second click starts nothing.
    expect(await operator.verification.verify.mutate({ profileId: id })).toEqual({
      started: [],
      alreadyRunning: [a.id, b.id],
    });

    const [taskA] = await take(a);
    const [taskB] = await take(b);
    expect(taskA?.kind).toBe('find_code');
    expect(taskB?.kind).toBe('find_code');
    if (taskA?.kind !== 'find_code' || taskB?.kind !== 'find_code') return;
    expect(taskA.code).not.toBe(taskB.code);
    // The credentials come with the task, only to the actor it is for.
    expect(taskA.profile.serverType === 'imap' && taskA.profile.password).toBe(PASSWORD);
    expect(taskA.profile).not.toHaveProperty('actorIds');

    await check(a, taskA);
    await check(b, taskB);
    expect(await statuses(id)).toEqual(['A:verified', 'B:verified']);
    await until(
      async () => events.at(-1)?.actors.map((actor) => actor.status),
      (last) => last?.join() === 'verified,verified',
    );
    subscription.unsubscribe();
    expect(events.at(-1)?.actors.map((actor) => actor.status)).toEqual(['verified', 'verified']);
    expect(events.some((row) => row.actors.some((actor) => actor.status === 'in_progress'))).toBe(
      true,
    );

    const history = await operator.verification.history.query({ profileId: id, actorId: a.id });
    expect(history.map((attempt) => [attempt.mode, attempt.outcome])).toEqual([
      ['automatic', 'verified'],
    ]);
    await operator.profiles.delete.mutate({ id });
  });

  it('records where the email landed, and what the chain knows when it was not found', async () => {
    const [a, b] = [actors[0]!, actors[1]!];
    await configureMail();
    await take(a, 0);
    await take(b, 0);
    const { id } = await operator.profiles.create.mutate(profile());
    await operator.verification.verify.mutate({ profileId: id });
    const [taskA] = await take(a);
    const [taskB] = await take(b);
    if (taskA?.kind !== 'find_code' || taskB?.kind !== 'find_code') throw new Error('no tasks');
    await a.api.actorApi.complete.mutate({
      kind: 'find_code',
      taskId: taskA.id,
      result: {
        found: true,
        subject: `(${taskA.code})`,
        via: 'search',
        durationMs: 5,
        receivedAt: new Date(Date.now() + 1_000).toISOString(),
        folder: 'junk',
        folderName: 'Junk',
        authentication: { spf: 'pass', dkim: 'none', dmarc: 'fail' },
      },
    });
    await b.api.actorApi.complete.mutate({
      kind: 'find_code',
      taskId: taskB.id,
      result: {
        found: false,
        searched: ['INBOX', 'Junk'],
        failure: {
          stage: 'search',
          origin: 'delivery',
          signal: 'code-not-found',
          summary: 'The verification email did not arrive in the inbox in time.',
          hint: 'Look for the email in the Spam/Junk folder.',
          transient: false,
        },
      },
    });
    const row = (await operator.profiles.list.query()).find((item) => item.profile.id === id);
    // Found in Junk: Verified, with where it was.
    expect(row?.actors[0]).toMatchObject({
      status: 'verified',
      delivery: { folder: 'junk', folderName: 'Junk' },
    });
    // Not found: the Director's server's acceptance (with its queue id) and the folders searched.
    const notFound = await operator.verification.failure.query({
      profileId: id,
      actorId: row?.actors[1]?.actorId ?? '',
    });
    expect(notFound?.detail).toMatch(
      /^The Director's server accepted the email at \S+ \(250 .*queued as \w+\)\. Searched: INBOX, Junk\.$/,
    );
    const [attempt] = await operator.verification.history.query({ profileId: id, actorId: a.id });
    expect(attempt).toMatchObject({
      outcome: 'verified',
      sent: {
        at: expect.any(String),
        via: `${stack.host}:${String(stack.postfix?.ports.submission)}`,
        response: expect.stringMatching(/^250 /),
      },
      receivedAt: expect.any(String),
      delivery: {
        folder: 'junk',
        latencyMs: expect.any(Number),
        authentication: { spf: 'pass', dkim: 'none', dmarc: 'fail' },
      },
    });
    // The history draws the chain: sent, received, opened, searched (the folders), not found.
    const [missed] = await operator.verification.history.query({ profileId: id, actorId: b.id });
    expect(missed).toMatchObject({ outcome: 'failed', searched: ['INBOX', 'Junk'] });
    expect(attemptChain(missed!).map((step) => [step.link, step.status])).toEqual([
      ['sent', 'done'],
      ['received', 'done'],
      ['opened', 'done'],
      ['searched', 'done'],
      ['found', 'failed'],
    ]);
    await operator.profiles.delete.mutate({ id });
  });

  it('manual mode checks for the profile UUID and sends nothing', async () => {
    const a = actors[0]!;
    const { id } = await operator.profiles.create.mutate(
      profile({ sendVerificationManually: true, actorIds: [a.id] }),
    );
    const manual = await operator.profiles.verificationCode.query({ id });
    const before = (await mailboxSubjects(stack, mailbox.address)).length;
    await operator.verification.verify.mutate({ profileId: id });
    const [task] = await take(a);
    expect(task?.kind === 'find_code' && task.code).toBe(manual.code);
    expect((await mailboxSubjects(stack, mailbox.address)).length).toBe(before);
    await a.api.actorApi.complete.mutate({
      kind: 'find_code',
      taskId: task!.id,
      result: { found: true, subject: manual.subject, via: 'search', durationMs: 1 },
    });
    expect(await statuses(id)).toEqual(['A:verified']);
    await operator.profiles.delete.mutate({ id });
  });

  it('ends as Unverified with the search hints when the actor does not find the code', async () => {
    const a = actors[0]!;
    const { id } = await operator.profiles.create.mutate(
      profile({ sendVerificationManually: true, actorIds: [a.id] }),
    );
    await operator.verification.verify.mutate({ profileId: id });
    const [task] = await take(a);
    await a.api.actorApi.complete.mutate({
      kind: 'find_code',
      taskId: task!.id,
      result: {
        found: false,
        failure: { stage: 'search', summary: 'gone', hint: 'Spam folder', transient: false },
      },
    });
    const [row] = (await operator.profiles.list.query()).filter((item) => item.profile.id === id);
    expect(row?.actors[0]).toMatchObject({
      status: 'unverified',
      failure: { stage: 'search', summary: 'gone' },
    });
    // The hint is for the troubleshooting view, not every row of the table.
    expect(row?.actors[0]?.failure).not.toHaveProperty('hint');
    await expect(
      operator.verification.failure.query({ profileId: id, actorId: a.id }),
    ).resolves.toMatchObject({ stage: 'search', hint: 'Spam folder' });
    await operator.profiles.delete.mutate({ id });
  });

  it('times out an attempt nobody finishes', async () => {
    const a = actors[0]!;
    const { id } = await operator.profiles.create.mutate(
      profile({ sendVerificationManually: true, actorIds: [a.id] }),
    );
    await operator.verification.verify.mutate({ profileId: id });
    const state = getActorVerification(env.store.db, id, a.id);
    if (!state || !('attempt' in state)) throw new Error('the attempt did not start');
    putActorVerification(env.store.db, id, a.id, {
      ...state,
      attempt: { ...state.attempt, deadlineAt: new Date(Date.now() - 1_000).toISOString() },
    });
    const row = await until(
      async () =>
        (await operator.profiles.list.query()).find((item) => item.profile.id === id)?.actors[0],
      (actor) => actor?.status === 'unverified',
    );
    expect(row?.failure?.stage).toBe('timeout');
    const failure = await operator.verification.failure.query({ profileId: id, actorId: a.id });
    expect(failure?.hint).toContain('actor is online');
    await operator.profiles.delete.mutate({ id });
  });

  it('cancels: the actor is told to stop and its late result is not accepted', async () => {
    const a = actors[0]!;
    const { id } = await operator.profiles.create.mutate(
      profile({ sendVerificationManually: true, actorIds: [a.id] }),
    );
    await operator.verification.verify.mutate({ profileId: id });
    const [task] = await take(a);
    expect(await operator.verification.cancel.mutate({ profileId: id })).toEqual({
      cancelled: [a.id],
    });
    const beat = await a.api.actorApi.heartbeat.mutate({ runningTaskIds: [task!.id] });
    expect(beat.cancelTaskIds).toEqual([task!.id]);
    const late = await a.api.actorApi.complete.mutate({
      kind: 'find_code',
      taskId: task!.id,
      result: { found: true, subject: 'x', via: 'search', durationMs: 1 },
    });
    expect(late).toEqual({ accepted: false });
    expect(await statuses(id)).toEqual(['A:unverified']);
    await operator.profiles.delete.mutate({ id });
  });

  it('resets every actor when the connection changes, and stops the running check', async () => {
    const a = actors[0]!;
    const created = await operator.profiles.create.mutate(
      profile({ sendVerificationManually: true, actorIds: [a.id] }),
    );
    await operator.verification.verify.mutate({ profileId: created.id });
    const [task] = await take(a);
    await operator.profiles.update.mutate({
      ...profile({ sendVerificationManually: true, actorIds: [a.id] }),
      id: created.id,
      // Another server: the password is typed again (profile() has it).
      incoming: { host: '127.0.0.2', port: 993, encryption: 'ssl', authType: 'plain' },
    } as never);
    expect(await statuses(created.id)).toEqual(['A:unverified']);
    const beat = await a.api.actorApi.heartbeat.mutate({ runningTaskIds: [task!.id] });
    expect(beat.cancelTaskIds).toEqual([task!.id]);
    const [attempt] = await operator.verification.history.query({ profileId: created.id });
    expect(attempt).toMatchObject({ outcome: 'failed', endedAt: expect.any(String) });
    await operator.profiles.delete.mutate({ id: created.id });
  });

  it('fails a task whose actor stops renewing its lease: "actor went offline"', async () => {
    const a = actors[0]!;
    const { id } = await operator.profiles.create.mutate(
      profile({ sendVerificationManually: true, actorIds: [a.id] }),
    );
    await operator.verification.verify.mutate({ profileId: id });
    await take(a); // ... and then nothing: no heartbeat, no result
    const row = await until(
      async () =>
        (await operator.profiles.list.query()).find((item) => item.profile.id === id)?.actors[0],
      (actor) => actor?.status === 'unverified',
    );
    expect(row?.failure?.signal).toBe('actor-lost');
    await operator.profiles.delete.mutate({ id });
  });

  it('resumes after a Director restart in the middle of a verification', async () => {
    const a = actors[0]!;
    const { id } = await operator.profiles.create.mutate(
      profile({ sendVerificationManually: true, actorIds: [a.id] }),
    );
    await operator.verification.verify.mutate({ profileId: id });
    const [task] = await take(a);
    await env.restart();
    const ack = await a.api.actorApi.complete.mutate({
      kind: 'find_code',
      taskId: task!.id,
      result: {
        found: true,
        subject: task?.kind === 'find_code' ? `(${task.code})` : '',
        via: 'idle',
        durationMs: 1,
      },
    });
    expect(ack).toEqual({ accepted: true });
    expect(await statuses(id)).toEqual(['A:verified']);
    await operator.profiles.delete.mutate({ id });
  });

  it('ends, after the grace, an attempt whose actor never came back', async () => {
    const a = actors[0]!;
    const { id } = await operator.profiles.create.mutate(
      profile({ sendVerificationManually: true, actorIds: [a.id] }),
    );
    await operator.verification.verify.mutate({ profileId: id });
    await take(a);
    await env.restart(() => {
      env.store.db
        .update(tables.tasks)
        .set({ leaseExpiresAt: new Date(Date.now() - 60_000).toISOString() })
        .run();
    });
    const row = await until(
      async () =>
        (await operator.profiles.list.query()).find((item) => item.profile.id === id)?.actors[0],
      (actor) => actor?.status === 'unverified',
    );
    expect(row?.failure?.signal).toBe('actor-lost');
    await operator.profiles.delete.mutate({ id });
  });

  it('sends, after a restart, the email of an attempt the Director had not sent yet', async () => {
    const a = actors[0]!;
    const { id } = await operator.profiles.create.mutate(profile({ actorIds: [a.id] }));
    // As left by a Director stopped between Verify and its send: requested, nothing sent.
    const code = randomUUID();
    const requestedAt = new Date();
    putActorVerification(env.store.db, id, a.id, {
      status: 'requested',
      attempt: {
        id: randomUUID(),
        mode: 'automatic',
        code,
        requestedAt: requestedAt.toISOString(),
        deadlineAt: new Date(requestedAt.getTime() + 60_000).toISOString(),
        retries: 0,
      },
    });
    await env.restart();
    const [task] = await take(a);
    expect(task?.kind === 'find_code' && task.code).toBe(code);
    expect(await lookFor(code, task?.kind === 'find_code' ? task.deadlineAt : '')).toBe(true);
    await operator.profiles.delete.mutate({ id });
  });

  it('never returned a secret and never logged one', () => {
    for (const text of [...bodies, ...logs]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(sender.password);
    }
    expect(bodies.length).toBeGreaterThan(20);
  });
});

// Its own Director with a lease of 20 s: the actors come back within it however slow the machine.
describe('a Director outage', () => {
  const outage = {
    env: undefined as unknown as TestDirector,
    operator: undefined as unknown as ReturnType<typeof browserTab>['client'],
    actors: [] as Actor[],
    take: (actor: Actor) =>
      actorClient(outage.env.director.url, actor.token).actorApi.nextTasks.mutate({
        waitMs: 3_000,
      }),
    statuses: async (profileId: string) => {
      const row = (await outage.operator.profiles.list.query()).find(
        (item) => item.profile.id === profileId,
      );
      return (
        row?.actors.map(
          (actor) => `${actor.actorId === outage.actors[0]!.id ? 'A' : 'B'}:${actor.status}`,
        ) ?? []
      );
    },
  };
  beforeAll(async () => {
    outage.env = await testDirector('outage', {
      timing: { leaseMs: 20_000, sweepMs: 100, deadlineGraceMs: 300 },
    });
    outage.operator = browserTab(outage.env.director.url).client;
    await outage.operator.auth.setup.mutate(ADMIN);
    const zone = await outage.operator.zones.create.mutate({ name: 'DMZ' });
    for (const name of ['actor A', 'actor B']) {
      outage.actors.push(
        await enrollTestActor(outage.env.director.url, outage.operator, zone.id, name),
      );
    }
    // Online: their first polls answer at once.
    for (const actor of outage.actors) {
      await actorClient(outage.env.director.url, actor.token).actorApi.nextTasks.mutate({
        waitMs: 0,
      });
    }
  });
  afterAll(async () => {
    await outage.env.close();
  });

  it("keeps the actors' work through an outage longer than the lease and the deadline", async () => {
    const [a, b] = [outage.actors[0]!, outage.actors[1]!];
    const { id } = await outage.operator.profiles.create.mutate(
      profile({ sendVerificationManually: true, actorIds: [a.id, b.id] }),
    );
    await outage.operator.verification.verify.mutate({ profileId: id });
    const [taskA] = await outage.take(a);
    const [taskB] = await outage.take(b);
    // Down "for longer than the lease": every lease and the attempts' deadlines are in the past.
    await outage.env.restart(() => {
      const past = new Date(Date.now() - 60_000).toISOString();
      outage.env.store.db.update(tables.tasks).set({ leaseExpiresAt: past }).run();
      for (const actor of [a, b]) {
        const state = getActorVerification(outage.env.store.db, id, actor.id);
        if (!state || !('attempt' in state)) throw new Error('the attempt did not start');
        putActorVerification(outage.env.store.db, id, actor.id, {
          ...state,
          attempt: { ...state.attempt, deadlineAt: past },
        });
      }
    });
    // Several sweeps pass before the actors are back: nothing is taken for lost.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await outage.statuses(id)).toEqual(['A:in_progress', 'B:in_progress']);
    // The actors heartbeat and bring back what they found while the Director was down.
    for (const [actor, task] of [
      [a, taskA],
      [b, taskB],
    ] as const) {
      expect(
        (await actor.api.actorApi.heartbeat.mutate({ runningTaskIds: [task!.id] })).cancelTaskIds,
      ).toEqual([]);
      const ack = await actor.api.actorApi.complete.mutate({
        kind: 'find_code',
        taskId: task!.id,
        result: {
          found: true,
          subject: task?.kind === 'find_code' ? `(${task.code})` : '',
          via: 'idle',
          durationMs: 1,
        },
      });
      expect(ack).toEqual({ accepted: true });
    }
    expect(await outage.statuses(id)).toEqual(['A:verified', 'B:verified']);
    await outage.operator.profiles.delete.mutate({ id });
  });

  it('hands a restarted actor back the task its previous process held', async () => {
    const a = outage.actors[0]!;
    const { id } = await outage.operator.profiles.create.mutate(
      profile({ sendVerificationManually: true, actorIds: [a.id] }),
    );
    await outage.operator.verification.verify.mutate({ profileId: id });
    const [held] = await outage.take(a);
    expect(held?.kind).toBe('find_code');
    // A poll of the running process gets nothing more; the restarted process takes it back.
    expect(
      await actorClient(outage.env.director.url, a.token).actorApi.nextTasks.mutate({ waitMs: 0 }),
    ).toEqual([]);
    const [taken] = await actorClient(outage.env.director.url, a.token).actorApi.nextTasks.mutate({
      waitMs: 0,
      resume: true,
    });
    expect(taken?.id).toBe(held?.id);
    expect(taken?.kind === 'find_code' && taken.code).toBe(held?.kind === 'find_code' && held.code);
    await outage.operator.profiles.delete.mutate({ id });
  });
});
