// The agent's own rules, with a scripted Director (the real one is in e2e.test.ts) and the Graph
// fake: the per-mailbox bound, results kept while the Director is away, the hand-back on stop.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { verificationSubject, type ActorTask, type TaskResult } from '@email-profiles/core';
import type { FakeGraph } from '@email-profiles/transport-graph/testing';
import { runActor, type AgentOptions, type RunningActor } from './agent.js';
import { pause } from './backoff.js';
import type { DirectorClient } from './client.js';
import { graphProfile, startGraphFake } from './testing/profiles.js';

const MAILBOX = 'shared@contoso.example';
let graph: FakeGraph;

beforeAll(async () => {
  graph = await startGraphFake(MAILBOX);
});
afterAll(async () => {
  await graph.close();
  expect(graph.violations).toEqual([]);
});

function findTask(deadlineMs = 20_000): Extract<ActorTask, { kind: 'find_code' }> {
  const later = (ms: number) => new Date(Date.now() + ms).toISOString();
  return {
    kind: 'find_code',
    id: randomUUID(),
    profile: graphProfile(MAILBOX),
    code: randomUUID(),
    since: new Date().toISOString(),
    deadlineAt: later(deadlineMs),
    leaseExpiresAt: later(30_000),
  };
}

/** A Director that hands out `tasks` once and records what the actor says. */
function scriptedDirector(
  tasks: ActorTask[],
  options: { failCompletes?: number; failPolls?: number } = {},
) {
  const queue = [...tasks];
  const completes: TaskResult[] = [];
  const released: string[] = [];
  const polls: { resume?: boolean }[] = [];
  let failPolls = options.failPolls ?? 0;
  let failCompletes = options.failCompletes ?? 0;
  const client: DirectorClient = {
    heartbeat: async () => ({
      serverTime: new Date().toISOString(),
      cancelTaskIds: [],
      leaseExpiresAt: new Date(Date.now() + 1_500).toISOString(),
    }),
    nextTasks: async ({ max, waitMs, resume }, signal) => {
      polls.push({ resume });
      if (failPolls > 0) {
        failPolls -= 1;
        throw new Error('connect ECONNREFUSED');
      }
      if (queue.length > 0) return queue.splice(0, max);
      await pause(Math.min(waitMs, 200), signal);
      return [];
    },
    progress: async () => ({ accepted: true }),
    complete: async (result) => {
      if (failCompletes > 0) {
        failCompletes -= 1;
        throw new Error('connect ECONNREFUSED');
      }
      completes.push(result);
      return { accepted: true };
    },
    release: async ({ taskIds }) => {
      released.push(...taskIds);
      return { released: taskIds.length };
    },
  };
  return { client, completes, released, polls };
}

const transports = () => ({
  graph: { endpoints: graph.endpoints, options: { firstPollMs: 50, maxPollMs: 100 } },
});

async function until(ok: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await pause(25);
  }
}

/** The agent against a scripted Director (its client), with the Graph fake's endpoints. */
function runScripted(
  director: { client: DirectorClient },
  options: Partial<AgentOptions> = {},
): RunningActor {
  return runActor({
    directorUrl: 'http://127.0.0.1:1',
    token: 'unused',
    log: pino({ level: 'silent' }),
    client: director.client,
    transports: transports(),
    ...options,
  });
}

describe('the agent', () => {
  it('runs at most 4 operations at once on one Graph mailbox, and finds every code', async () => {
    const tasks = Array.from({ length: 10 }, () => findTask());
    const director = scriptedDirector(tasks);
    graph.maxInFlight = 0;
    // Slow answers, so that concurrent requests overlap at the fake (the real Graph takes 100+ ms).
    graph.interrupt('graph', ...tasks.map(() => ({ kind: 'delay' as const, ms: 300 })));
    const actor = runScripted(director);
    await pause(500);
    for (const task of tasks) graph.deliver(MAILBOX, verificationSubject(task.code));
    await until(() => director.completes.length === tasks.length);
    await actor.stop();
    expect(director.completes.map((c) => c.kind === 'find_code' && c.result.found)).toEqual(
      tasks.map(() => true),
    );
    // Graph's own limit (the fake answers 429 past it): reached, never passed.
    expect(graph.maxInFlight).toBe(4);
  });

  it('asks, until a first poll gets through, for the tasks a previous process held', async () => {
    const director = scriptedDirector([], { failPolls: 2 });
    const actor = runScripted(director, { backoff: { firstMs: 10, maxMs: 20 } });
    await until(() => director.polls.length >= 4);
    await actor.stop();
    expect(director.polls.slice(0, 4).map((poll) => poll.resume)).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('keeps a result the Director could not take, and delivers it later', async () => {
    const task = findTask();
    graph.deliver(MAILBOX, verificationSubject(task.code));
    const director = scriptedDirector([task], { failCompletes: 2 });
    const actor = runScripted(director);
    await until(() => director.completes.length === 1);
    await actor.stop();
    expect(director.completes).toMatchObject([{ taskId: task.id, result: { found: true } }]);
    expect(director.released).toEqual([]);
  });

  it('on stop, hands back what is still running (and reports no result for it)', async () => {
    const task = findTask(); // its code never arrives
    const director = scriptedDirector([task]);
    const actor = runScripted(director, { shutdownGraceMs: 100 });
    await until(() => actor.runningTaskIds().includes(task.id));
    const started = Date.now();
    await actor.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(director.released).toEqual([task.id]);
    expect(director.completes).toEqual([]);
    await actor.done;
  });
});
