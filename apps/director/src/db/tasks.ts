// The task queue between the Director and its actors. A task is queued for one actor, leased to
// it when the actor takes it (the lease is renewed by heartbeats), and ends done or failed. A lease
// that runs out means the actor went away; the task broker ends the task.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { TaskKind } from '@email-profiles/core';
import { now, preparedQuery, type Conn } from './database.js';
import { tasks, type PublicFields } from './schema.js';

export type TaskRow = typeof tasks.$inferSelect;

export function enqueueTask(
  db: Conn,
  input: {
    actorId: string;
    /** Null only for a connectivity check of a profile not saved yet. */
    profileId: string | null;
    kind: TaskKind;
    payload: PublicFields;
    attemptId?: string;
  },
): TaskRow {
  const row: TaskRow = {
    id: randomUUID(),
    actorId: input.actorId,
    profileId: input.profileId,
    kind: input.kind,
    payload: input.payload,
    status: 'queued',
    leaseExpiresAt: null,
    attemptId: input.attemptId ?? null,
    result: null,
    createdAt: now(),
  };
  insertTask(db).run(row); // queued: no lease, no result (NULL)
  return row;
}

const insertTask = preparedQuery((db) =>
  db
    .insert(tasks)
    .values({
      id: sql.placeholder('id'),
      actorId: sql.placeholder('actorId'),
      profileId: sql.placeholder('profileId'),
      kind: sql.placeholder('kind'),
      payload: sql.placeholder('payload'),
      status: sql.placeholder('status'),
      attemptId: sql.placeholder('attemptId'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare(),
);

const queuedOfActor = preparedQuery((db) =>
  db
    .select()
    .from(tasks)
    .where(and(eq(tasks.actorId, sql.placeholder('actorId')), eq(tasks.status, 'queued')))
    .orderBy(asc(tasks.createdAt))
    .limit(sql.placeholder('max'))
    .prepare(),
);

const leaseOne = preparedQuery((db) =>
  db
    .update(tasks)
    .set({ status: 'leased', leaseExpiresAt: sql`${sql.placeholder('leaseUntil')}` })
    .where(eq(tasks.id, sql.placeholder('id')))
    .prepare(),
);

/** Leases up to `max` of the actor's queued tasks, oldest first, until `leaseUntil`. */
export function leaseTasks(db: Conn, actorId: string, max: number, leaseUntil: string): TaskRow[] {
  return db.transaction((tx) => {
    const queued = queuedOfActor(tx).all({ actorId, max });
    for (const task of queued) leaseOne(tx).run({ id: task.id, leaseUntil });
    return queued.map((task) => ({
      ...task,
      status: 'leased' as const,
      leaseExpiresAt: leaseUntil,
    }));
  });
}

/**
 * Renews the leases of the actor's tasks among `taskIds`; returns the ids it must stop: those
 * that are not (any more) leased to it.
 */
export function renewLeases(
  db: Conn,
  actorId: string,
  taskIds: readonly string[],
  leaseUntil: string,
): string[] {
  if (taskIds.length === 0) return [];
  return db.transaction((tx) => {
    const mine = and(
      eq(tasks.actorId, actorId),
      eq(tasks.status, 'leased'),
      inArray(tasks.id, [...taskIds]),
    );
    const live = new Set(
      tx
        .select({ id: tasks.id })
        .from(tasks)
        .where(mine)
        .all()
        .map((task) => task.id),
    );
    tx.update(tasks).set({ leaseExpiresAt: leaseUntil }).where(mine).run();
    return taskIds.filter((id) => !live.has(id));
  });
}

/** The actor's task, if it is leased to it (the only state in which it may report on it). */
export function leasedTask(db: Conn, actorId: string, taskId: string): TaskRow | undefined {
  return leasedToActor(db).get({ taskId, actorId });
}

const leasedToActor = preparedQuery((db) =>
  db
    .select()
    .from(tasks)
    .where(
      and(
        eq(tasks.id, sql.placeholder('taskId')),
        eq(tasks.actorId, sql.placeholder('actorId')),
        eq(tasks.status, 'leased'),
      ),
    )
    .prepare(),
);

/** Ends a queued or leased task; false when it had already ended. */
export function finishTask(
  db: Conn,
  taskId: string,
  status: 'done' | 'failed',
  result: unknown,
): boolean {
  const stored = result === undefined || result === null ? null : JSON.stringify(result);
  return finishLive(db).run({ taskId, status, result: stored }).changes > 0;
}

const finishLive = preparedQuery((db) =>
  db
    .update(tasks)
    .set({
      status: sql`${sql.placeholder('status')}`,
      // Bound as text, so that no result stays SQL NULL (a json placeholder would store "null").
      result: sql`${sql.placeholder('result')}`,
      leaseExpiresAt: null,
    })
    .where(
      and(eq(tasks.id, sql.placeholder('taskId')), inArray(tasks.status, ['queued', 'leased'])),
    )
    .prepare(),
);

/** Hands the actor's leased tasks back to the queue (graceful shutdown); returns how many. */
export function releaseTasks(db: Conn, actorId: string, taskIds: readonly string[]): number {
  if (taskIds.length === 0) return 0;
  return db
    .update(tasks)
    .set({ status: 'queued', leaseExpiresAt: null })
    .where(
      and(eq(tasks.actorId, actorId), eq(tasks.status, 'leased'), inArray(tasks.id, [...taskIds])),
    )
    .run().changes;
}

/**
 * At start: every lease runs until `leaseUntil`, so tasks whose lease ran out while the Director
 * was down are not taken for lost before their actors could heartbeat and deliver.
 */
export function restartLeases(db: Conn, leaseUntil: string): number {
  return db
    .update(tasks)
    .set({ leaseExpiresAt: leaseUntil })
    .where(eq(tasks.status, 'leased'))
    .run().changes;
}

/** The ids of the tasks leased to an actor. */
export function leasedTaskIds(db: Conn, actorId: string): string[] {
  return db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.actorId, actorId), eq(tasks.status, 'leased')))
    .all()
    .map((task) => task.id);
}

/** Leased tasks whose lease ran out before `at`. */
export function expiredLeases(db: Conn, at: string): TaskRow[] {
  return db
    .select()
    .from(tasks)
    .where(and(eq(tasks.status, 'leased'), lt(tasks.leaseExpiresAt, at)))
    .all();
}

/** Queued or leased tasks serving these attempts. */
export function liveTasksOfAttempts(db: Conn, attemptIds: readonly string[]): TaskRow[] {
  if (attemptIds.length === 0) return [];
  return db
    .select()
    .from(tasks)
    .where(
      and(inArray(tasks.attemptId, [...attemptIds]), notInArray(tasks.status, ['done', 'failed'])),
    )
    .all();
}

/** Queued or leased tasks of one actor. */
export function liveTasksOfActor(db: Conn, actorId: string): TaskRow[] {
  return db
    .select()
    .from(tasks)
    .where(and(eq(tasks.actorId, actorId), inArray(tasks.status, ['queued', 'leased'])))
    .all();
}

/** Queued or leased tasks of one kind for a profile. */
export function liveTasksOfProfile(db: Conn, profileId: string, kind: TaskKind): TaskRow[] {
  return db
    .select()
    .from(tasks)
    .where(
      and(
        eq(tasks.profileId, profileId),
        eq(tasks.kind, kind),
        inArray(tasks.status, ['queued', 'leased']),
      ),
    )
    .all();
}

/** Drops ended tasks older than `before`, so the table does not grow forever. */
export function pruneTasks(db: Conn, before: string): number {
  return db
    .delete(tasks)
    .where(and(inArray(tasks.status, ['done', 'failed']), lt(tasks.createdAt, before)))
    .run().changes;
}
