// Connectivity checks: the probe, run by one or all of a profile's actors, its steps streamed as
// they complete. Runs live in memory (the newest few); their tasks go through the same queue as
// verification.
import { randomUUID } from 'node:crypto';
import {
  explainFailure,
  probeWorkSchema,
  productFailures,
  transportErrorCodes,
  type DiagnosticsActor,
  type DiagnosticsSnapshot,
  type Failure,
  type ProbeReport,
  type ProbeWork,
  type TaskProfile,
  type VerificationTarget,
} from '@email-profiles/core';
import type { Logger } from 'pino';
import {
  connectionOf,
  enqueueTask,
  finishTask,
  getActor,
  type Conn,
  type TaskRow,
} from '../db/index.js';
import type { DirectorEvents } from './events.js';
import type { Vault } from '../secrets/vault.js';
import { assignedProfile, isAssigned, taskMismatch, type TaskHandler } from './task-broker.js';
import { requireActors, resolveTarget } from './target.js';

export type DiagnosticsDeps = { db: Conn; vault: Vault; log: Logger; events: DirectorEvents };

/** A probe stops itself well before this; past it, the check is given up. */
const PROBE_DEADLINE_MS = 90_000;
const KEPT_RUNS = 200;
const MAX_STEPS = 100;

type Run = DiagnosticsSnapshot & {
  deadlineAt: number;
  /**
   * A check of a profile not saved (a new one, or an edit): the profile as the form holds it,
   * credentials included. Kept in memory only, never in a snapshot, and dropped once the check
   * is done.
   */
  draft?: TaskProfile;
};

/** A connectivity check of a form's profile, from one of the actors it assigns. */
export type DraftCheck = { profile: TaskProfile; profileId: string | null; actorId: string };

export class Diagnostics {
  private readonly runs = new Map<string, Run>();

  constructor(private readonly deps: DiagnosticsDeps) {}

  /** The probe tasks, as the task broker hands them over. */
  readonly tasks: TaskHandler<'probe'> = {
    profile: (row) => {
      const run = this.runOf(row);
      if (run?.draft) return run.draft;
      return assignedProfile(this.deps.db, this.deps.vault, row);
    },
    owns: (row) => {
      const run = this.runOf(row);
      return run?.draft ? true : isAssigned(this.deps.db, row);
    },
    work: (row) => {
      this.update(row, (actor) =>
        actor.status === 'queued' ? { ...actor, status: 'running' } : actor,
      );
      return { kind: 'probe', deadlineAt: probeWorkSchema.parse(row.payload).deadlineAt };
    },
    progress: (_actor, row, progress) => {
      if (progress.type !== 'probe_step') throw taskMismatch(row);
      this.update(row, (actor) =>
        actor.steps.length >= MAX_STEPS
          ? actor
          : { ...actor, status: 'running', steps: [...actor.steps, progress.step] },
      );
    },
    succeeded: (_row, result) => result.kind === 'probe' && result.report.ok,
    finished: (_actor, row, result) => {
      if (result.kind === 'probe') this.finish(row, { report: result.report });
      else if (result.kind === 'error') this.finish(row, { failure: result.failure });
    },
    ended: (row, failure) => {
      this.finish(row, { failure });
    },
  };

  start(target: VerificationTarget): DiagnosticsSnapshot {
    const { profile, actorIds } = resolveTarget(this.deps.db, target);
    requireActors(profile);
    return this.begin(profile.id, actorIds);
  }

  /** Checks a profile as the form holds it, nothing stored (the caller checked the actor). */
  startDraft(check: DraftCheck): DiagnosticsSnapshot {
    return this.begin(check.profileId, [check.actorId], check.profile);
  }

  private begin(
    profileId: string | null,
    actorIds: readonly string[],
    draft?: TaskProfile,
  ): DiagnosticsSnapshot {
    const { db } = this.deps;
    const startedAt = new Date();
    const runId = randomUUID();
    const deadlineAt = startedAt.getTime() + PROBE_DEADLINE_MS;
    const actors = actorIds.map((actorId): DiagnosticsActor => {
      const actor = getActor(db, actorId);
      if (!actor || connectionOf(actor.lastSeenAt) === 'offline') {
        return {
          actorId,
          taskId: randomUUID(),
          status: 'failed',
          steps: [],
          failure: explainFailure({
            stage: 'timeout',
            errorCode: transportErrorCodes.actorOffline,
          }),
        };
      }
      const task = enqueueTask(db, {
        actorId,
        profileId,
        kind: 'probe',
        payload: { runId, deadlineAt: new Date(deadlineAt).toISOString() } satisfies ProbeWork,
      });
      return { actorId, taskId: task.id, status: 'queued', steps: [] };
    });
    const run: Run = {
      runId,
      profileId,
      startedAt: startedAt.toISOString(),
      done: false,
      actors,
      deadlineAt,
      ...(draft ? { draft } : {}),
    };
    this.keep(run);
    this.settle(run);
    for (const actor of actors) {
      if (actor.status === 'queued') this.deps.events.taskQueued(actor.actorId);
    }
    this.deps.log.info(
      { profileId, runId, actors: actors.length, draft: draft !== undefined },
      'connectivity check started',
    );
    return snapshot(run);
  }

  get(runId: string): DiagnosticsSnapshot | undefined {
    const run = this.runs.get(runId);
    return run && snapshot(run);
  }

  private finish(task: TaskRow, outcome: { report: ProbeReport } | { failure: Failure }): void {
    this.update(task, (actor) =>
      'report' in outcome
        ? { ...actor, status: 'done', steps: outcome.report.steps, report: outcome.report }
        : { ...actor, status: 'failed', failure: outcome.failure },
    );
  }

  /** Gives up on checks past their deadline (an actor that never took its task). */
  sweep(at: Date): void {
    for (const run of this.runs.values()) {
      if (run.done || run.deadlineAt > at.getTime()) continue;
      const late = explainFailure({
        stage: 'timeout',
        errorCode: transportErrorCodes.actorOffline,
      });
      run.actors = run.actors.map((actor) => {
        if (actor.status !== 'queued' && actor.status !== 'running') return actor;
        finishTask(this.deps.db, actor.taskId, 'failed', { timedOut: true });
        return {
          ...actor,
          status: 'failed',
          failure: actor.status === 'queued' ? late : timedOut(),
        };
      });
      this.settle(run);
    }
  }

  private runOf(task: TaskRow): Run | undefined {
    const work = probeWorkSchema.safeParse(task.payload);
    const run = work.success ? this.runs.get(work.data.runId) : undefined;
    // The run's own task only: a task id names the actor it was queued for.
    return run?.actors.some((actor) => actor.taskId === task.id) ? run : undefined;
  }

  private update(task: TaskRow, change: (actor: DiagnosticsActor) => DiagnosticsActor): void {
    const run = this.runOf(task);
    if (!run) return;
    run.actors = run.actors.map((actor) => (actor.taskId === task.id ? change(actor) : actor));
    this.settle(run);
  }

  private settle(run: Run): void {
    run.done = run.actors.every((actor) => actor.status === 'done' || actor.status === 'failed');
    if (run.done) delete run.draft;
    this.changed(run);
  }

  private changed(run: Run): void {
    this.deps.events.diagnosticsChanged(run.runId);
  }

  private keep(run: Run): void {
    this.runs.set(run.runId, run);
    for (const oldest of this.runs.keys()) {
      if (this.runs.size <= KEPT_RUNS) break;
      this.runs.delete(oldest);
    }
  }
}

function snapshot(run: Run): DiagnosticsSnapshot {
  return structuredClone({
    runId: run.runId,
    profileId: run.profileId,
    startedAt: run.startedAt,
    done: run.done,
    actors: run.actors,
  });
}

function timedOut(): Failure {
  return productFailures.diagnosticsTimedOut();
}
