// The task broker: the queue between the Director and its actors. An actor long-polls for the
// tasks queued for it and holds each on a lease its heartbeats renew; it reports progress and a
// result, or hands its tasks back when it stops. What a task means belongs to the handler of its
// kind (verification's find_code, diagnostics' probe): the broker leases, checks that a report
// comes from the task's actor for a profile still assigned to it, and ends what nobody will
// finish (lost leases, a revoked actor's tasks).
import type { Logger } from 'pino';
import {
  productFailures,
  taskProfileSchema,
  transportErrorCodes,
  explainFailure,
  type ActorTask,
  type Failure,
  type HeartbeatReply,
  type TaskAck,
  type TaskKind,
  type TaskProgress,
  type TaskProfile,
  type TaskResult,
} from '@email-profiles/core';
import {
  expiredLeases,
  finishTask,
  getActor,
  leasedTask,
  leasedTaskIds,
  leaseTasks,
  liveTasksOfActor,
  loadProfile,
  profileActorIds,
  pruneTasks,
  releaseTasks,
  renewLeases,
  restartLeases,
  revokeActor,
  touchActor,
  type ActorRecord,
  type Conn,
  type RevokedFrom,
  type TaskRow,
} from '../db/index.js';
import { DomainError } from '../domain-error.js';
import type { Vault } from '../secrets/vault.js';
import type { DirectorEvents } from './events.js';

/** What the part that owns one kind of task does with it. */
export type TaskHandler<K extends TaskKind = TaskKind> = {
  /** The profile, with its credentials, for the task's actor; undefined: the task is void. */
  profile(row: TaskRow): TaskProfile | undefined;
  /** Whether the task's actor may still report on it (its profile still assigned to it). */
  owns(row: TaskRow): boolean;
  /** The work as the actor receives it, beside the task's id, profile and lease. */
  work(row: TaskRow): Omit<Extract<ActorTask, { kind: K }>, 'id' | 'profile' | 'leaseExpiresAt'>;
  /** A progress report; throws `taskMismatch` when it does not fit the kind. */
  progress(actor: ActorRecord, row: TaskRow, progress: TaskProgress): void;
  /** Whether the result is a success (the task is stored done, else failed). */
  succeeded(row: TaskRow, result: TaskResult): boolean;
  finished(actor: ActorRecord, row: TaskRow, result: TaskResult): void;
  /** The task ended without a result: its lease ran out, or its actor was revoked. */
  ended(row: TaskRow, failure: Failure): void;
};
export type TaskHandlers = { [K in TaskKind]: TaskHandler<K> };

export type TaskBrokerDeps = {
  db: Conn;
  log: Logger;
  events: DirectorEvents;
  /** How long a task stays leased without a heartbeat; actors heartbeat every 10 s. */
  leaseMs: number;
};

const TASK_RETENTION_MS = 24 * 60 * 60_000;
/**
 * An actor's last contact is written at most this often: it counts only against the online
 * window (a minute), and an actor working through its tasks calls several times a second (a
 * profile of verify-all put one write per call among the top costs of the actor API).
 */
const TOUCH_EVERY_MS = 5_000;
const PRUNE_EVERY_MS = 60_000;

export class TaskBroker {
  private readonly stopping = new AbortController();
  private prunedAt = 0;
  /** When each actor's last contact was last written by this broker. */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly deps: TaskBrokerDeps,
    private readonly handlers: TaskHandlers,
  ) {}

  /** Leases that ran out while the Director was down start again. */
  start(): void {
    const restarted = restartLeases(this.deps.db, this.leaseEnd());
    if (restarted > 0)
      this.deps.log.info({ tasks: restarted }, 'leases of running tasks restarted');
  }

  /** Answers every waiting poll at once (before the database closes). */
  stop(): void {
    this.stopping.abort();
  }

  /** Long-poll: the actor's queued tasks, leased to it, as soon as there are any. */
  async nextTasks(
    actor: ActorRecord,
    input: { max: number; waitMs: number; resume?: boolean },
    signal?: AbortSignal,
  ): Promise<ActorTask[]> {
    const { db, events, log } = this.deps;
    if (input.resume === true) {
      // A restarted actor takes back what its previous process held.
      const taken = releaseTasks(db, actor.id, leasedTaskIds(db, actor.id));
      if (taken > 0)
        log.info({ actorId: actor.id, tasks: taken }, 'a restarted actor takes back its tasks');
    }
    const until = Date.now() + input.waitMs;
    const stop = signal ? AbortSignal.any([signal, this.stopping.signal]) : this.stopping.signal;
    for (;;) {
      // A poll whose caller went away (or a stopping Director) leases nothing: the tasks stay
      // queued for the actor's next poll instead of going to a closed connection.
      if (stop.aborted) return [];
      // Revoked while it waited: the token no longer authenticates anything.
      if (!getActor(db, actor.id)) throw revoked();
      this.seen(actor.id);
      const leased = leaseTasks(db, actor.id, input.max, this.leaseEnd());
      const tasks = leased.flatMap((row) => this.toActorTask(row) ?? []);
      if (tasks.length > 0 || Date.now() >= until) return tasks;
      await events.waitForTask(actor.id, until - Date.now(), stop);
    }
  }

  heartbeat(actor: ActorRecord, runningTaskIds: string[]): HeartbeatReply {
    const { db } = this.deps;
    this.seen(actor.id);
    const leaseExpiresAt = this.leaseEnd();
    return {
      serverTime: new Date().toISOString(),
      cancelTaskIds: renewLeases(db, actor.id, runningTaskIds, leaseExpiresAt),
      leaseExpiresAt,
    };
  }

  progress(actor: ActorRecord, progress: TaskProgress): TaskAck {
    const { db } = this.deps;
    this.seen(actor.id);
    const task = leasedTask(db, actor.id, progress.taskId);
    if (!task) return { accepted: false };
    this.handlers[task.kind].progress(actor, task, progress);
    return { accepted: true };
  }

  complete(actor: ActorRecord, result: TaskResult): TaskAck {
    const { db } = this.deps;
    this.seen(actor.id);
    const task = leasedTask(db, actor.id, result.taskId);
    if (!task) return { accepted: false };
    if (result.kind !== 'error' && result.kind !== task.kind) throw taskMismatch(task);
    const handler = this.handlers[task.kind];
    // Only for a profile still assigned to it (an edit that removes the actor ends its tasks).
    if (!handler.owns(task)) {
      finishTask(db, task.id, 'failed', { cancelled: true });
      return { accepted: false };
    }
    const status = handler.succeeded(task, result) ? 'done' : 'failed';
    if (!finishTask(db, task.id, status, result)) return { accepted: false };
    handler.finished(actor, task, result);
    return { accepted: true };
  }

  /** Graceful shutdown of an actor: its tasks go back to the queue. */
  release(actor: ActorRecord, taskIds: string[]): number {
    const released = releaseTasks(this.deps.db, actor.id, taskIds);
    if (released > 0) this.deps.events.taskQueued(actor.id);
    return released;
  }

  /**
   * Revokes an actor, always and at once: it leaves its profiles (a profile whose only actor it
   * was is left without actors), its tasks and states go, and a long-poll it has waiting is
   * answered UNAUTHORIZED right away.
   */
  revoke(actorId: string): RevokedFrom[] {
    this.touched.delete(actorId);
    const { db, events, log } = this.deps;
    const live = liveTasksOfActor(db, actorId);
    const from = revokeActor(db, actorId);
    for (const task of live) this.handlers[task.kind].ended(task, productFailures.actorRevoked());
    // Wakes the actor's waiting polls: they find it gone (see nextTasks).
    events.taskQueued(actorId);
    for (const profile of from) events.profileChanged(profile.id);
    const orphaned = from.filter((profile) => profile.orphaned).map((profile) => profile.id);
    log.info({ actorId, profiles: from.length, orphaned }, 'actor revoked');
    if (orphaned.length > 0) {
      log.warn({ actorId, profileIds: orphaned }, 'profiles left without an actor by a revocation');
    }
    return from;
  }

  /** Ends the tasks whose actor stopped renewing the lease, and prunes old finished ones. */
  sweep(at: Date): void {
    const { db, log } = this.deps;
    for (const task of expiredLeases(db, at.toISOString())) {
      if (!finishTask(db, task.id, 'failed', { lost: true })) continue;
      log.warn({ taskId: task.id, actorId: task.actorId, kind: task.kind }, 'task lease expired');
      this.handlers[task.kind].ended(
        task,
        explainFailure({ stage: 'timeout', errorCode: transportErrorCodes.actorLost }),
      );
    }
    if (at.getTime() - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = at.getTime();
      pruneTasks(db, new Date(at.getTime() - TASK_RETENTION_MS).toISOString());
    }
  }

  /** The actor called in: its last contact, written unless this broker wrote it just now. */
  private seen(actorId: string): void {
    const at = Date.now();
    if (at - (this.touched.get(actorId) ?? 0) < TOUCH_EVERY_MS) return;
    touchActor(this.deps.db, actorId, new Date(at).toISOString());
    this.touched.set(actorId, at);
  }

  private leaseEnd(): string {
    return new Date(Date.now() + this.deps.leaseMs).toISOString();
  }

  /** The task as the actor receives it, with the profile's credentials; undefined if void. */
  private toActorTask(row: TaskRow): ActorTask | undefined {
    const handler = this.handlers[row.kind];
    const profile = handler.profile(row);
    if (!profile) {
      finishTask(this.deps.db, row.id, 'failed', { cancelled: true });
      return undefined;
    }
    return {
      id: row.id,
      profile,
      leaseExpiresAt: row.leaseExpiresAt ?? this.leaseEnd(),
      ...handler.work(row),
    };
  }
}

/** A task on a stored profile: the profile's credentials, while its actor is assigned to it. */
export function assignedProfile(db: Conn, vault: Vault, row: TaskRow): TaskProfile | undefined {
  if (row.profileId === null) return undefined;
  const profile = loadProfile(db, vault, row.profileId);
  return profile?.actorIds.includes(row.actorId) ? taskProfileSchema.parse(profile) : undefined;
}

/** Whether a task's actor is still assigned to its stored profile. */
export function isAssigned(db: Conn, row: TaskRow): boolean {
  return row.profileId !== null && profileActorIds(db, row.profileId).includes(row.actorId);
}

/** A report that does not fit the kind of its task. */
export function taskMismatch(task: TaskRow): DomainError {
  return new DomainError(
    'invalid',
    `Task ${task.id} is a ${task.kind} task: that report does not fit it`,
  );
}

function revoked(): DomainError {
  return new DomainError(
    'unauthorized',
    'This actor was revoked: enroll it again with a new enrollment token',
  );
}
