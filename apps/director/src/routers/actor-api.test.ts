// The actor API through the real HTTP server: enrollment, who may call what, an actor seeing only
// its own tasks and credentials, the long-poll, and the connectivity check streamed to operators.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnosticsSnapshot, EmailProfileCreateInput } from '@email-profiles/core';
import { issueEnrollmentToken } from '../db/enrollment.js';
import {
  ADMIN,
  actorClient,
  browserTab,
  enrollTestActor,
  rejection,
  testDirector,
  type TestActor,
  type TestDirector,
} from './test-client.js';

let env: TestDirector;
const url = () => env.director.url;
let operator: ReturnType<typeof browserTab>['client'];
let zoneId: string;
type Actor = TestActor;
let a: Actor;
let b: Actor;

beforeAll(async () => {
  env = await testDirector('actor-api');
  operator = browserTab(url()).client;
  await operator.auth.setup.mutate(ADMIN);
  zoneId = (await operator.zones.create.mutate({ name: 'Branch' })).id;
  a = await enroll('actor A');
  b = await enroll('actor B');
});
afterAll(async () => {
  await env.close();
});

const enroll = (name: string) => enrollTestActor(url(), operator, zoneId, name);

const profile = (actorIds: string[], password: string): EmailProfileCreateInput => ({
  serverType: 'pop3',
  emailAddress: 'box@example.test',
  sendVerificationManually: true,
  actorIds,
  username: 'box@example.test',
  password,
  incoming: { host: '127.0.0.1', port: 995, encryption: 'ssl', authType: 'plain' },
  outgoing: { host: '127.0.0.1', port: 587, encryption: 'starttls', requiresAuth: false },
});

describe('actorApi.enroll', () => {
  it('enrolls once per token, into the token’s zone, and says why a token is refused', async () => {
    const { token } = await operator.actors.createEnrollmentToken.mutate({ zoneId });
    const anonymous = browserTab(url()).client;
    const enrolled = await anonymous.actorApi.enroll.mutate({ enrollmentToken: token, name: 'x' });
    expect(enrolled.zone).toEqual({ id: zoneId, name: 'Branch' });
    expect(enrolled.token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const used = await rejection(
      anonymous.actorApi.enroll.mutate({ enrollmentToken: token, name: 'y' }),
    );
    expect(used.data?.code).toBe('UNAUTHORIZED');
    expect(used.message).toContain('already used');

    const unknown = randomBytes(32).toString('base64url');
    expect(
      (await rejection(anonymous.actorApi.enroll.mutate({ enrollmentToken: unknown, name: 'y' })))
        .message,
    ).toContain('not known');

    const expired = issueEnrollmentToken(env.store.db, zoneId, new Date(Date.now() - 1000)).token;
    expect(
      (await rejection(anonymous.actorApi.enroll.mutate({ enrollmentToken: expired, name: 'y' })))
        .message,
    ).toContain('expired');

    const invalid = await rejection(
      anonymous.actorApi.enroll.mutate({ enrollmentToken: 'short', name: '' }),
    );
    expect(invalid.data?.fieldErrors?.map((issue) => issue.path.join('.')).sort()).toEqual([
      'enrollmentToken',
      'name',
    ]);
    await operator.actors.revoke.mutate({ id: enrolled.actorId });
  });
});

describe('who may call what', () => {
  it('refuses anonymous callers, operator sessions on the actor API, and actor tokens elsewhere', async () => {
    const anonymous = browserTab(url()).client;
    expect((await rejection(anonymous.actorApi.heartbeat.mutate({}))).data?.code).toBe(
      'UNAUTHORIZED',
    );
    expect((await rejection(operator.actorApi.nextTasks.mutate({ waitMs: 0 }))).data?.code).toBe(
      'UNAUTHORIZED',
    );
    expect((await rejection(a.api.profiles.list.query())).data?.code).toBe('UNAUTHORIZED');
    expect((await rejection(a.api.verification.verify.mutate({ profileId: 'x' }))).data?.code).toBe(
      'UNAUTHORIZED',
    );
    const forged = actorClient(url(), randomBytes(32).toString('base64url'));
    expect((await rejection(forged.actorApi.heartbeat.mutate({}))).data?.code).toBe('UNAUTHORIZED');
  });

  it('puts validation errors on the field', async () => {
    const invalid = await rejection(a.api.actorApi.nextTasks.mutate({ max: 0, waitMs: 0 }));
    expect(invalid.data?.fieldErrors?.[0]?.path).toEqual(['max']);
  });

  it('gives an actor only its own tasks and credentials', async () => {
    const mine = await operator.profiles.create.mutate(profile([a.id], 'PasswordOfA-1'));
    const theirs = await operator.profiles.create.mutate(profile([b.id], 'PasswordOfB-2'));
    await a.api.actorApi.heartbeat.mutate({});
    await b.api.actorApi.heartbeat.mutate({});
    await operator.verification.verify.mutate({ profileId: mine.id });
    await operator.verification.verify.mutate({ profileId: theirs.id });

    const tasksOfA = await a.api.actorApi.nextTasks.mutate({ waitMs: 0 });
    expect(
      tasksOfA.map((task) => task.profile.serverType === 'pop3' && task.profile.password),
    ).toEqual(['PasswordOfA-1']);
    const [taskOfB] = await b.api.actorApi.nextTasks.mutate({ waitMs: 0 });
    const stolen = { found: true as const, subject: 'x', via: 'search' as const, durationMs: 1 };
    expect(
      await a.api.actorApi.complete.mutate({
        kind: 'find_code',
        taskId: taskOfB!.id,
        result: stolen,
      }),
    ).toEqual({ accepted: false });
    expect(
      await a.api.actorApi.progress.mutate({
        type: 'check_started',
        taskId: taskOfB!.id,
        at: new Date().toISOString(),
      }),
    ).toEqual({ accepted: false });
    expect(
      (await a.api.actorApi.heartbeat.mutate({ runningTaskIds: [taskOfB!.id] })).cancelTaskIds,
    ).toEqual([taskOfB!.id]);
    expect(await a.api.actorApi.release.mutate({ taskIds: [taskOfB!.id] })).toEqual({
      released: 0,
    });
    // B's task is still B's, unharmed.
    expect(
      await b.api.actorApi.complete.mutate({
        kind: 'find_code',
        taskId: taskOfB!.id,
        result: stolen,
      }),
    ).toEqual({ accepted: true });
    await operator.profiles.delete.mutate({ id: mine.id });
    await operator.profiles.delete.mutate({ id: theirs.id });
  });

  it('refuses a revoked actor', async () => {
    const gone = await enroll('actor gone');
    await operator.actors.revoke.mutate({ id: gone.id });
    expect((await rejection(gone.api.actorApi.heartbeat.mutate({}))).data?.code).toBe(
      'UNAUTHORIZED',
    );
  });
});

describe('actorApi.nextTasks', () => {
  it('answers a waiting long-poll as soon as a task is queued, and takes released tasks back', async () => {
    const created = await operator.profiles.create.mutate(profile([a.id], 'pw-3'));
    await a.api.actorApi.heartbeat.mutate({});
    const waiting = a.api.actorApi.nextTasks.mutate({ waitMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await operator.verification.verify.mutate({ profileId: created.id });
    const [task] = await waiting;
    expect(task?.kind).toBe('find_code');

    expect(await a.api.actorApi.release.mutate({ taskIds: [task!.id] })).toEqual({ released: 1 });
    const [again] = await a.api.actorApi.nextTasks.mutate({ waitMs: 0 });
    expect(again?.id).toBe(task!.id);
    await operator.profiles.delete.mutate({ id: created.id });
  }, 10_000);
});

describe('diagnostics', () => {
  it('streams each actor’s probe steps to the operator and fails offline actors at once', async () => {
    const offline = await enroll('actor never seen');
    const created = await operator.profiles.create.mutate(profile([a.id, offline.id], 'pw-4'));
    await a.api.actorApi.heartbeat.mutate({});
    const run = await operator.diagnostics.run.mutate({ profileId: created.id });
    expect(run.actors.map((actor) => actor.status)).toEqual(['queued', 'failed']);
    expect(run.actors[1]?.failure?.signal).toBe('actor-offline');

    const seen: DiagnosticsSnapshot[] = [];
    const finished = new Promise<void>((resolve, reject) => {
      operator.diagnostics.onRun.subscribe(
        { runId: run.runId },
        {
          onData: (snapshot) => {
            seen.push(snapshot);
          },
          onComplete: resolve,
          onError: reject,
        },
      );
    });
    const [task] = await a.api.actorApi.nextTasks.mutate({ waitMs: 0 });
    expect(task?.kind).toBe('probe');
    const step = {
      name: 'tcp' as const,
      status: 'ok' as const,
      durationMs: 3,
      summary: 'Connected to 127.0.0.1:995',
    };
    await a.api.actorApi.progress.mutate({ type: 'probe_step', taskId: task!.id, step });
    await a.api.actorApi.complete.mutate({
      kind: 'probe',
      taskId: task!.id,
      report: { ok: true, steps: [step], durationMs: 3 },
    });
    await finished;
    expect(seen.at(-1)?.done).toBe(true);
    expect(seen.at(-1)?.actors[0]?.status).toBe('done');
    expect(seen.some((snapshot) => snapshot.actors[0]?.steps.length === 1)).toBe(true);
    expect((await operator.diagnostics.get.query({ runId: run.runId })).done).toBe(true);
    await operator.profiles.delete.mutate({ id: created.id });
  });
});
