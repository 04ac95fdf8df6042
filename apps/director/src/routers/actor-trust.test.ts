// What the Director does not take on trust, through the real HTTP server: a revoked actor is cut
// off at once (also the only actor of a profile, also mid long-poll), and an actor's "found" only
// counts with a subject that carries the task's code, for a task of its own on a profile of its.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  listedFailure,
  NO_ACTOR_MESSAGE,
  productFailures,
  profileNeedsActor,
  type ActorTask,
  type EmailProfileCreateInput,
} from '@email-profiles/core';
import { setProfileActors, tables } from '../db/index.js';
import {
  ADMIN,
  browserTab,
  enrollTestActor,
  rejection,
  testDirector,
  type TestActor,
  type TestDirector,
} from './test-client.js';

let env: TestDirector;
type LogLine = { level: number; msg: string; [key: string]: unknown };
const logs: LogLine[] = [];
const url = () => env.director.url;
let operator: ReturnType<typeof browserTab>['client'];
let zoneId: string;

beforeAll(async () => {
  env = await testDirector('actor-trust', {
    log: pino(
      { level: 'info' },
      { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
    ),
  });
  operator = browserTab(url()).client;
  await operator.auth.setup.mutate(ADMIN);
  zoneId = (await operator.zones.create.mutate({ name: 'Trust' })).id;
});
afterAll(async () => {
  await env.close();
});

const enroll = (name: string) => enrollTestActor(url(), operator, zoneId, name);

/** A manual-mode profile: Verify queues the find-code tasks at once, no email is sent. */
const profile = (emailAddress: string, actorIds: string[]): EmailProfileCreateInput => ({
  serverType: 'pop3',
  emailAddress,
  sendVerificationManually: true,
  actorIds,
  username: emailAddress,
  password: 'MailboxPassword-1',
  incoming: { host: '127.0.0.1', port: 995, encryption: 'ssl', authType: 'plain' },
  outgoing: { host: '127.0.0.1', port: 587, encryption: 'starttls', requiresAuth: false },
});

/** Verifies the profile and returns the actor's find-code task. */
async function verifyAndTake(
  actor: TestActor,
  profileId: string,
): Promise<Extract<ActorTask, { kind: 'find_code' }>> {
  await actor.api.actorApi.heartbeat.mutate({});
  await operator.verification.verify.mutate({ profileId, actorId: actor.id });
  const [task] = await actor.api.actorApi.nextTasks.mutate({ waitMs: 2_000 });
  if (task?.kind !== 'find_code') throw new Error('expected a find-code task');
  return task;
}

const found = (subject: string) => ({
  found: true as const,
  subject,
  via: 'search' as const,
  durationMs: 5,
});

const rowOf = async (profileId: string) =>
  (await operator.profiles.list.query()).find((row) => row.profile.id === profileId);

describe('revoking an actor', () => {
  it('always works: the only actor of a profile is cut off at once, mid long-poll too', async () => {
    const solo = await enroll('solo');
    const other = await enroll('other');
    const only = await operator.profiles.create.mutate(profile('only@example.test', [solo.id]));
    const shared = await operator.profiles.create.mutate(
      profile('shared@example.test', [solo.id, other.id]),
    );
    // A running verification, with the task leased to the actor.
    const task = await verifyAndTake(solo, only.id);
    expect((await rowOf(only.id))?.actors).toEqual([
      { actorId: solo.id, status: 'in_progress', deadlineAt: expect.any(String) },
    ]);

    // The actor waits for more work...
    const waiting = solo.api.actorApi.nextTasks.mutate({ waitMs: 20_000 });
    const settled = waiting.then(
      () => 'answered',
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const revokedAt = Date.now();
    expect(await operator.actors.revoke.mutate({ id: solo.id })).toEqual({
      profiles: [
        { id: only.id, emailAddress: 'only@example.test', orphaned: true },
        { id: shared.id, emailAddress: 'shared@example.test', orphaned: false },
      ],
    });

    // ...and is told right away that its token no longer works.
    const cutOff = await rejection(waiting);
    expect(await settled).toBe(cutOff);
    expect(Date.now() - revokedAt).toBeLessThan(2_000);
    expect([cutOff.data?.code, cutOff.message]).toEqual([
      'UNAUTHORIZED',
      'This actor was revoked: enroll it again with a new enrollment token',
    ]);
    for (const call of [
      solo.api.actorApi.heartbeat.mutate({ runningTaskIds: [task.id] }),
      solo.api.actorApi.nextTasks.mutate({ waitMs: 0 }),
      solo.api.actorApi.complete.mutate({
        kind: 'find_code',
        taskId: task.id,
        result: found(`(${task.code})`),
      }),
    ]) {
      expect((await rejection(call)).data?.code).toBe('UNAUTHORIZED');
    }

    // Its tasks, states and attempts are gone; nothing of it stays running.
    const side = env.store.db;
    expect(
      side
        .select()
        .from(tables.tasks)
        .all()
        .filter((t) => t.actorId === solo.id),
    ).toEqual([]);
    expect(
      side
        .select()
        .from(tables.attempts)
        .all()
        .filter((attempt) => attempt.outcome === 'in_progress'),
    ).toEqual([]);
    expect((await operator.actors.list.query()).map((actor) => actor.id)).not.toContain(solo.id);

    // The profile it was the only actor of lists with none, and needs one.
    const orphan = await rowOf(only.id);
    expect(orphan?.actors).toEqual([]);
    expect(orphan && profileNeedsActor(orphan)).toBe(true);
    expect((await rowOf(shared.id))?.actors.map((a) => a.actorId)).toEqual([other.id]);
    expect((await operator.profiles.get.query({ id: only.id })).actorIds).toEqual([]);

    // Verify and a connectivity check say what is missing.
    for (const call of [
      operator.verification.verify.mutate({ profileId: only.id }),
      operator.diagnostics.run.mutate({ profileId: only.id }),
    ]) {
      const refused = await rejection(call);
      expect(refused.data?.code).toBe('PRECONDITION_FAILED');
      expect(refused.message).toBe(
        `${NO_ACTOR_MESSAGE}: edit only@example.test and choose at least one actor`,
      );
    }
    expect(logs).toContainEqual(
      expect.objectContaining({ msg: 'profiles left without an actor by a revocation' }),
    );
  });

  it('ends a connectivity check the revoked actor was running', async () => {
    const prober = await enroll('prober');
    const created = await operator.profiles.create.mutate(
      profile('probe@example.test', [prober.id]),
    );
    await prober.api.actorApi.heartbeat.mutate({});
    const run = await operator.diagnostics.run.mutate({ profileId: created.id });
    const [task] = await prober.api.actorApi.nextTasks.mutate({ waitMs: 0 });
    expect(task?.kind).toBe('probe');
    await operator.actors.revoke.mutate({ id: prober.id });
    const after = await operator.diagnostics.get.query({ runId: run.runId });
    expect(after.done).toBe(true);
    expect(after.actors[0]?.failure).toEqual(productFailures.actorRevoked());
  });
});

describe("an actor's word", () => {
  it('is checked: "found" in a subject without the code is not Verified', async () => {
    const liar = await enroll('liar');
    const created = await operator.profiles.create.mutate(profile('word@example.test', [liar.id]));

    const task = await verifyAndTake(liar, created.id);
    const wrong = `(${randomUUID()})`;
    expect(
      await liar.api.actorApi.complete.mutate({
        kind: 'find_code',
        taskId: task.id,
        result: found(wrong),
      }),
    ).toEqual({ accepted: true });
    expect((await rowOf(created.id))?.actors).toEqual([
      {
        actorId: liar.id,
        status: 'unverified',
        failure: listedFailure(productFailures.actorReportedWrongMessage()),
      },
    ]);
    const [attempt] = await operator.verification.history.query({ profileId: created.id });
    expect(attempt?.outcome).toBe('failed');
    expect(attempt?.failure?.stage).toBe('search');
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 40,
        actorId: liar.id,
        taskId: task.id,
        msg: 'an actor reported the code found in a subject that does not carry it: not verified',
      }),
    );

    // The subject as mail clients write it (prefix, case, spaces) does carry the code.
    const again = await verifyAndTake(liar, created.id);
    await liar.api.actorApi.complete.mutate({
      kind: 'find_code',
      taskId: again.id,
      result: found(`RE: [EXTERNAL] ( ${again.code.toUpperCase()} )`),
    });
    expect((await rowOf(created.id))?.actors).toEqual([{ actorId: liar.id, status: 'verified' }]);
  });

  it("counts only for the actor's own task of a profile it is assigned to", async () => {
    const mine = await enroll('assigned');
    const theirs = await enroll('bystander');
    const created = await operator.profiles.create.mutate(
      profile('assigned@example.test', [mine.id, theirs.id]),
    );
    const task = await verifyAndTake(mine, created.id);
    const answer = { kind: 'find_code' as const, taskId: task.id, result: found(`(${task.code})`) };

    // Another actor of the same profile cannot answer for it.
    expect(await theirs.api.actorApi.complete.mutate(answer)).toEqual({ accepted: false });

    // Once the actor is no longer assigned (here behind the Director's back), its task is void.
    setProfileActors(env.store.db, created.id, [theirs.id]);
    expect(await mine.api.actorApi.complete.mutate(answer)).toEqual({ accepted: false });
    expect((await rowOf(created.id))?.actors).toEqual([
      { actorId: theirs.id, status: 'unverified' },
    ]);
  });
});
