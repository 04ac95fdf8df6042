// The verification orchestrator: turns Verify and Cancel into attempts (core's state machine),
// sends the coded emails, queues find-code tasks for the actors, takes their progress and
// results, and ends what nobody finishes: attempts past their deadline, tasks whose actor
// stopped renewing the lease. Everything it knows is in the database, so a restarted Director
// resumes where it stopped.
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import {
  explainFailure,
  findCodeWorkSchema,
  isConsentProfile,
  probeWorkSchema,
  isInProgress,
  planVerify,
  productFailures,
  reduceActor,
  reduceProfile,
  subjectHasCode,
  taskProfileSchema,
  senderServer,
  transportErrorCodes,
  verificationSubject,
  type ActorEvent,
  type ActorVerification,
  type Delivery,
  type FindCodeResult,
  type ActorTask,
  type Attempt,
  type CancelResult,
  type Failure,
  type FindCodeWork,
  type HeartbeatReply,
  type TaskAck,
  type TaskProgress,
  type SendResult,
  type TaskResult,
  type VerificationTarget,
  type VerifyResult,
} from '@email-profiles/core';
import { DomainError } from '../domain-error.js';
import type { Config } from '../config.js';
import {
  abandonAttempts,
  enqueueTask,
  expiredLeases,
  finishTask,
  connectionOf,
  getActor,
  getActorVerification,
  getProfileVerification,
  getPublicMailSettings,
  getPublicProfile,
  leasedTask,
  leasedTaskIds,
  leaseTasks,
  liveTasksOfActor,
  liveTasksOfAttempts,
  liveTasksOfProfile,
  loadMailSettings,
  loadProfile,
  profileActorIds,
  pruneTasks,
  putActorVerification,
  putProfileVerification,
  recordAttemptState,
  recordAttemptStart,
  releaseTasks,
  renewLeases,
  restartLeases,
  revokeActor,
  touchActor,
  verificationsInProgress,
  type ActorRecord,
  type Conn,
  type RevokedFrom,
  type TaskRow,
} from '../db/index.js';
import { directorSender } from '../mail/sender.js';
import type { Vault } from '../secrets/vault.js';
import { Diagnostics } from './diagnostics.js';
import type { DirectorEvents } from './events.js';
import { noSuchProfile, requireActors, resolveTarget } from './target.js';

export type OrchestratorTiming = {
  /** How long a task stays leased without a heartbeat; actors heartbeat every 10 s. */
  leaseMs: number;
  sweepMs: number;
  /** After the deadline, the actor's own "not found" (with its details) is awaited this long. */
  deadlineGraceMs: number;
};

export const defaultTiming: OrchestratorTiming = {
  leaseMs: 30_000,
  sweepMs: 1_000,
  deadlineGraceMs: 10_000,
};
/**
 * Sessions sending at once. A Verify's emails are spread over up to that many sessions (one
 * handshake and login each), between 5 and 25 emails per session.
 */
const SEND_CONCURRENCY = 8;
const SEND_BATCH = { min: 5, max: 25 };
/** Mail older than the attempt by this much is ignored (automatic: clocks may disagree). */
const AUTOMATIC_LOOKBACK_MS = 10 * 60_000;
/** Manual mode: the user may have sent the email before clicking Verify. */
const MANUAL_LOOKBACK_MS = 7 * 24 * 60 * 60_000;
const TASK_RETENTION_MS = 24 * 60 * 60_000;
const PRUNE_EVERY_MS = 60_000;

export type OrchestratorDeps = {
  db: Conn;
  vault: Vault;
  log: Logger;
  config: Config;
  events: DirectorEvents;
  /** Tests shorten these. */
  timing?: Partial<OrchestratorTiming>;
};

type PlannedAttempt = { actorId: string; attempt: Attempt };

const failure = (errorCode: string): Failure => explainFailure({ stage: 'timeout', errorCode });

export class Orchestrator {
  readonly diagnostics: Diagnostics;
  private readonly stopping = new AbortController();
  private sweeper: NodeJS.Timeout | undefined;
  /** At most SEND_CONCURRENCY SMTP sessions (or API senders) at once; the rest wait their turn. */
  private readonly sendLimit = pLimit(SEND_CONCURRENCY);
  /** The sends under way, which stop() waits for. */
  private readonly sends = new Set<Promise<void>>();
  private prunedAt = 0;
  /** Until then, deadlines that passed while the Director was down wait for the actors' word. */
  private resumedUntil = 0;

  private readonly timing: OrchestratorTiming;

  constructor(private readonly deps: OrchestratorDeps) {
    this.diagnostics = new Diagnostics(deps);
    this.timing = { ...defaultTiming, ...deps.timing };
  }

  /**
   * Resumes what a previous run left in progress, then sweeps every second. Leases that ran out
   * while the Director was down start again, and attempts whose deadline passed meanwhile are
   * not ended for one lease period: the actors heartbeat and bring back what they found.
   */
  start(): void {
    const { db, log } = this.deps;
    const restarted = restartLeases(db, this.leaseEnd());
    this.resumedUntil = Date.now() + this.timing.leaseMs;
    if (restarted > 0) log.info({ tasks: restarted }, 'leases of running tasks restarted');
    const unsent = new Map<string, PlannedAttempt[]>();
    for (const { profileId, actorId, state } of verificationsInProgress(db)) {
      if (!('attempt' in state)) continue;
      if (state.status === 'requested' && state.attempt.mode === 'automatic') {
        unsent.set(profileId, [
          ...(unsent.get(profileId) ?? []),
          { actorId, attempt: state.attempt },
        ]);
      } else if (liveTasksOfAttempts(db, [state.attempt.id]).length === 0) {
        this.queueFind(profileId, actorId, state.attempt);
      }
    }
    for (const [profileId, attempts] of unsent) this.queueSend(profileId, attempts);
    this.sweep();
    this.sweeper = setInterval(() => {
      this.sweep();
    }, this.timing.sweepMs);
    this.sweeper.unref();
  }

  /** Stops sweeping and aborts the emails being sent (their attempts resume at the next start). */
  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    this.sendLimit.clearQueue();
    this.stopping.abort();
    await Promise.allSettled([...this.sends]);
  }

  verify(target: VerificationTarget): VerifyResult {
    const { db, config } = this.deps;
    const { profile, actorIds: targets } = resolveTarget(db, target);
    requireActors(profile);
    const state = getProfileVerification(db, profile.id);
    if (!state) throw noSuchProfile(profile.id);
    const running = (actorId: string) => {
      const actor = state.actors[actorId];
      return actor !== undefined && isInProgress(actor);
    };
    const alreadyRunning = targets.filter(running);
    const toStart = targets.filter((actorId) => !running(actorId));
    if (toStart.length === 0) return { started: [], alreadyRunning };

    if (state.mode === 'automatic' && !getPublicMailSettings(db)) {
      throw precondition(
        "Configure the Director's mail settings, or enable Send verification email manually",
      );
    }
    if (isConsentProfile(profile) && !profile.consentGranted) {
      throw precondition(
        'Authorise with Google first: the Director needs the mailbox owner\'s consent to read it (Edit the profile, then "Authorise with Google")',
      );
    }
    const actors = toStart.map((actorId) => getActor(db, actorId));
    const offline = actors.filter(
      (actor): actor is ActorRecord =>
        actor !== undefined && connectionOf(actor.lastSeenAt) === 'offline',
    );
    if (offline.length === toStart.length) {
      throw precondition(
        `No actor of this profile is online: ${offline.map(describeOffline).join(', ')}. Start the actor agent on its host, or assign an online actor.`,
      );
    }

    const at = new Date();
    const plan = planVerify(state, {
      actorIds: toStart,
      now: at,
      timeoutMs: config.verifyTimeoutMs,
      random: (n) => crypto.getRandomValues(new Uint8Array(n)),
      newAttemptId: randomUUID,
    });
    const offlineIds = new Set(offline.map((actor) => actor.id));
    db.transaction((tx) => {
      let next = reduceProfile(state, plan);
      for (const { actorId, attempt } of plan.attempts) {
        if (!next.ok) break;
        if (offlineIds.has(actorId)) {
          next = reduceProfile(next.state, {
            type: 'actor',
            actorId,
            event: {
              type: 'failed',
              attemptId: attempt.id,
              at: at.toISOString(),
              failure: failure(transportErrorCodes.actorOffline),
            },
          });
        }
      }
      if (!next.ok) throw new Error(`Verify was refused: ${next.rejection.message}`);
      putProfileVerification(tx, profile.id, next.state);
      for (const { actorId, attempt } of plan.attempts) {
        recordAttemptStart(tx, {
          ...attempt,
          attemptId: attempt.id,
          profileId: profile.id,
          actorId,
        });
        const actorState = next.state.actors[actorId];
        if (actorState?.status === 'failed') {
          recordAttemptState(tx, actorState);
        }
      }
    });
    this.deps.events.profileChanged(profile.id);
    this.deps.log.info(
      { profileId: profile.id, mode: state.mode, actors: toStart.length, offline: offline.length },
      'verification started',
    );
    const online = plan.attempts.filter(({ actorId }) => !offlineIds.has(actorId));
    if (state.mode === 'automatic') this.queueSend(profile.id, online);
    else for (const { actorId, attempt } of online) this.queueFind(profile.id, actorId, attempt);
    return { started: toStart, alreadyRunning };
  }

  cancel(target: VerificationTarget): CancelResult {
    const { db } = this.deps;
    const { profile, actorIds: targets } = resolveTarget(db, target);
    const state = getProfileVerification(db, profile.id);
    if (!state) throw noSuchProfile(profile.id);
    const at = new Date().toISOString();
    const cancelled: string[] = [];
    for (const actorId of targets) {
      const actor = state.actors[actorId];
      if (actor === undefined || !isInProgress(actor) || !('attempt' in actor)) continue;
      if (this.apply(profile.id, actorId, { type: 'cancelled', attemptId: actor.attempt.id, at })) {
        cancelled.push(actorId);
        this.endTasks([actor.attempt.id], { cancelled: true });
      }
    }
    if (cancelled.length > 0) {
      this.deps.log.info(
        { profileId: profile.id, actors: cancelled.length },
        'verification cancelled',
      );
    }
    return { cancelled };
  }

  /**
   * After a profile was edited: attempts that the change dropped (reset, actor removed) stop,
   * and their tasks with them.
   */
  profileEdited(profileId: string): void {
    const { db } = this.deps;
    const state = getProfileVerification(db, profileId);
    const current = new Set(
      Object.values(state?.actors ?? {}).flatMap((actor) =>
        'attempt' in actor && isInProgress(actor) ? [actor.attempt.id] : [],
      ),
    );
    const dropped = liveTasksOfProfile(db, profileId, 'find_code').filter(
      (task) => task.attemptId === null || !current.has(task.attemptId),
    );
    for (const task of dropped) finishTask(db, task.id, 'failed', { cancelled: true });
    abandonAttempts(db, profileId, [...current], new Date().toISOString());
    this.deps.events.profileChanged(profileId);
  }

  /**
   * Revokes an actor, always and at once: it leaves its profiles (a profile whose only actor it
   * was is left without actors), its tasks and states go, its connectivity checks end, and a
   * long-poll it has waiting is answered UNAUTHORIZED right away.
   */
  revoke(actorId: string): RevokedFrom[] {
    const { db, events, log } = this.deps;
    const probes = liveTasksOfActor(db, actorId).filter((task) => task.kind === 'probe');
    const from = revokeActor(db, actorId);
    for (const task of probes) {
      this.diagnostics.finish(task, { failure: productFailures.actorRevoked() });
    }
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

  // --- The actor API ---------------------------------------------------------------------

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
    // A Director that is stopping answers waiting polls at once, before its database closes.
    const stop = signal ? AbortSignal.any([signal, this.stopping.signal]) : this.stopping.signal;
    for (;;) {
      // A poll whose caller went away (or a stopping Director) leases nothing: the tasks stay
      // queued for the actor's next poll instead of going to a closed connection.
      if (stop.aborted) return [];
      // Revoked while it waited: the token no longer authenticates anything.
      if (!getActor(db, actor.id)) throw revoked();
      touchActor(db, actor.id);
      const leased = leaseTasks(db, actor.id, input.max, this.leaseEnd());
      const tasks = leased.flatMap((row) => this.toActorTask(actor, row) ?? []);
      if (tasks.length > 0 || Date.now() >= until) return tasks;
      await events.waitForTask(actor.id, until - Date.now(), stop);
    }
  }

  heartbeat(actor: ActorRecord, runningTaskIds: string[]): HeartbeatReply {
    const { db } = this.deps;
    touchActor(db, actor.id);
    const leaseExpiresAt = this.leaseEnd();
    return {
      serverTime: new Date().toISOString(),
      cancelTaskIds: renewLeases(db, actor.id, runningTaskIds, leaseExpiresAt),
      leaseExpiresAt,
    };
  }

  progress(actor: ActorRecord, progress: TaskProgress): TaskAck {
    const { db } = this.deps;
    touchActor(db, actor.id);
    const task = leasedTask(db, actor.id, progress.taskId);
    if (!task) return { accepted: false };
    if (progress.type === 'check_started') {
      if (task.kind !== 'find_code' || task.attemptId === null) throw wrongKind(task);
      this.apply(task.profileId, actor.id, {
        type: 'check_started',
        attemptId: task.attemptId,
        at: new Date().toISOString(),
      });
      return { accepted: true };
    }
    if (task.kind !== 'probe') throw wrongKind(task);
    this.diagnostics.step(task, progress.step);
    return { accepted: true };
  }

  complete(actor: ActorRecord, result: TaskResult): TaskAck {
    const { db, log } = this.deps;
    touchActor(db, actor.id);
    const task = leasedTask(db, actor.id, result.taskId);
    if (!task) return { accepted: false };
    if (result.kind !== 'error' && result.kind !== task.kind) throw wrongKind(task);
    // Only for a profile still assigned to it (an edit that removes the actor ends its tasks).
    if (!profileActorIds(db, task.profileId).includes(actor.id)) {
      finishTask(db, task.id, 'failed', { cancelled: true });
      return { accepted: false };
    }
    // The actor's word is checked: "found" counts only with a subject that carries the code.
    const wrongMessage =
      result.kind === 'find_code' &&
      result.result.found &&
      !subjectHasCode(result.result.subject, findCodeWorkSchema.parse(task.payload).code);
    const ok =
      result.kind === 'find_code'
        ? result.result.found && !wrongMessage
        : result.kind === 'probe'
          ? result.report.ok
          : false;
    if (!finishTask(db, task.id, ok ? 'done' : 'failed', result)) return { accepted: false };
    const at = new Date().toISOString();
    if (task.kind === 'probe') {
      if (result.kind === 'probe') this.diagnostics.finish(task, { report: result.report });
      else if (result.kind === 'error') this.diagnostics.finish(task, { failure: result.failure });
      return { accepted: true };
    }
    const attemptId = task.attemptId ?? '';
    if (wrongMessage) {
      log.warn(
        { taskId: task.id, actorId: actor.id, profileId: task.profileId },
        'an actor reported the code found in a subject that does not carry it: not verified',
      );
      const failure = productFailures.actorReportedWrongMessage();
      this.apply(task.profileId, actor.id, { type: 'failed', attemptId, at, failure });
    } else if (result.kind === 'find_code' && result.result.found) {
      // An actor may find the code before its "check started" arrives (or instead of it).
      this.apply(task.profileId, actor.id, { type: 'check_started', attemptId, at }, true);
      const state = getActorVerification(db, task.profileId, actor.id);
      const sentAt = state && 'attempt' in state ? state.attempt.sent?.at : undefined;
      const delivery = deliveryOf(result.result, sentAt);
      this.apply(task.profileId, actor.id, { type: 'code_found', attemptId, at, delivery });
      if (delivery.folder === 'junk') {
        log.warn(
          { profileId: task.profileId, actorId: actor.id, folder: delivery.folderName },
          'the verification email was found in the Junk folder',
        );
      }
    } else {
      const why =
        result.kind === 'error'
          ? result.failure
          : result.kind === 'find_code' && !result.result.found
            ? result.result.failure
            : failure(transportErrorCodes.protocolViolation);
      const searched =
        result.kind === 'find_code' && !result.result.found ? result.result.searched : undefined;
      this.apply(task.profileId, actor.id, { type: 'failed', attemptId, at, failure: why }, false, {
        searched,
      });
    }
    return { accepted: true };
  }

  release(actor: ActorRecord, taskIds: string[]): number {
    const released = releaseTasks(this.deps.db, actor.id, taskIds);
    if (released > 0) this.deps.events.taskQueued(actor.id);
    return released;
  }

  // --- Internals -------------------------------------------------------------------------

  private leaseEnd(): string {
    return new Date(Date.now() + this.timing.leaseMs).toISOString();
  }

  /**
   * Applies one event to one actor's state and records the attempt's end; false (and nothing
   * stored) when the state machine refuses it, e.g. for an attempt that is no longer current.
   */
  private apply(
    profileId: string,
    actorId: string,
    event: ActorEvent,
    quiet = false,
    known: { searched?: readonly string[] | undefined } = {},
  ): boolean {
    const { db, log, events } = this.deps;
    const applied = db.transaction((tx) => {
      // One actor's row: an event never concerns the profile's other actors.
      const state = getActorVerification(tx, profileId, actorId);
      if (!state) return false;
      const next = reduceActor(state, event);
      if (!next.ok) {
        if (!quiet)
          log.debug(
            { profileId, actorId, event: event.type, why: next.rejection },
            'event refused',
          );
        return false;
      }
      const actorState =
        next.state.status === 'failed'
          ? { ...next.state, failure: withChainDetail(next.state, known.searched) }
          : next.state;
      putActorVerification(tx, profileId, actorId, actorState);
      recordAttemptState(tx, actorState, known.searched);
      return true;
    });
    if (applied) {
      events.profileChanged(profileId);
      if (event.type === 'code_found' || event.type === 'failed' || event.type === 'timed_out') {
        log.info({ profileId, actorId, outcome: event.type }, 'verification attempt ended');
      }
    }
    return applied;
  }

  /** Queues the emails of a profile's attempts, sent in batches over one session each. */
  private queueSend(profileId: string, attempts: PlannedAttempt[]): void {
    const size = Math.min(
      SEND_BATCH.max,
      Math.max(SEND_BATCH.min, Math.ceil(attempts.length / SEND_CONCURRENCY)),
    );
    for (let i = 0; i < attempts.length; i += size) {
      const batch = attempts.slice(i, i + size);
      void this.sendLimit(async () => {
        const running = this.send(profileId, batch).catch((error: unknown) => {
          this.deps.log.error({ err: error }, 'sending a verification email failed unexpectedly');
        });
        this.sends.add(running);
        await running;
        this.sends.delete(running);
      });
    }
  }

  /** Automatic mode: one email per actor, from the Director's mail settings, then the check. */
  private async send(profileId: string, batch: PlannedAttempt[]): Promise<void> {
    const { db, vault } = this.deps;
    const due = batch.filter(({ actorId, attempt }) => {
      const state = getActorVerification(db, profileId, actorId);
      return state?.status === 'requested' && state.attempt.id === attempt.id;
    });
    if (due.length === 0) return;
    const at = () => new Date().toISOString();
    const fail = ({ actorId, attempt }: PlannedAttempt, failure: Failure) =>
      this.apply(profileId, actorId, { type: 'failed', attemptId: attempt.id, at: at(), failure });
    const profile = getPublicProfile(db, profileId);
    const settings = loadMailSettings(db, vault);
    if (!profile || !settings) {
      for (const planned of due) fail(planned, productFailures.mailSettingsRemoved());
      return;
    }
    const deadline = Math.min(...due.map(({ attempt }) => Date.parse(attempt.deadlineAt)));
    const signal = AbortSignal.any([
      this.stopping.signal,
      AbortSignal.timeout(Math.max(deadline - Date.now(), 1)),
    ]);
    // Each actor's check starts as soon as its own email is accepted.
    const settled = (index: number, result: SendResult | undefined) => {
      const planned = due[index];
      if (!planned || this.stopping.signal.aborted) return; // resumed at the next start
      if (!result?.ok) {
        fail(planned, result?.failure ?? productFailures.mailSettingsRemoved());
        return;
      }
      const { actorId, attempt } = planned;
      const sent: ActorEvent = {
        type: 'code_sent',
        attemptId: attempt.id,
        at: at(),
        via: senderServer(settings),
        response: result.response,
      };
      if (this.apply(profileId, actorId, sent)) {
        this.queueFind(profileId, actorId, attempt);
      }
    };
    await directorSender(settings, this.deps.config.mailEndpoints).sendMany(
      due.map(({ attempt }) => ({
        from: settings.fromAddress,
        ...(settings.fromName ? { fromName: settings.fromName } : {}),
        to: profile.emailAddress,
        subject: verificationSubject(attempt.code),
        text: [
          'This email was sent by the Email Profiles Director to verify that an actor can read this mailbox.',
          'It carries no content and can be deleted.',
        ].join('\n'),
      })),
      { signal, onResult: settled },
    );
  }

  private queueFind(profileId: string, actorId: string, attempt: Attempt): void {
    const lookback = attempt.mode === 'manual' ? MANUAL_LOOKBACK_MS : AUTOMATIC_LOOKBACK_MS;
    const payload: FindCodeWork = {
      code: attempt.code,
      since: new Date(Date.parse(attempt.requestedAt) - lookback).toISOString(),
      deadlineAt: attempt.deadlineAt,
    };
    enqueueTask(this.deps.db, {
      actorId,
      profileId,
      kind: 'find_code',
      payload,
      attemptId: attempt.id,
    });
    this.deps.events.taskQueued(actorId);
  }

  /** The task as the actor receives it, with the profile's credentials; undefined if void. */
  private toActorTask(actor: ActorRecord, row: TaskRow): ActorTask | undefined {
    const { db, vault } = this.deps;
    const profile = loadProfile(db, vault, row.profileId);
    if (!profile?.actorIds.includes(actor.id)) {
      finishTask(db, row.id, 'failed', { cancelled: true });
      return undefined;
    }
    const base = {
      id: row.id,
      profile: taskProfileSchema.parse(profile),
      leaseExpiresAt: row.leaseExpiresAt ?? this.leaseEnd(),
    };
    if (row.kind === 'probe') {
      this.diagnostics.leased(row);
      const { deadlineAt } = probeWorkSchema.parse(row.payload);
      return { ...base, kind: 'probe', deadlineAt };
    }
    return { ...base, kind: 'find_code', ...findCodeWorkSchema.parse(row.payload) };
  }

  private endTasks(attemptIds: string[], result: unknown): void {
    for (const task of liveTasksOfAttempts(this.deps.db, attemptIds)) {
      finishTask(this.deps.db, task.id, 'failed', result);
    }
  }

  /** Ends what nobody will finish: lost leases, attempts past their deadline, stale checks. */
  sweep(at: Date = new Date()): void {
    const { db, log } = this.deps;
    try {
      for (const task of expiredLeases(db, at.toISOString())) {
        if (!finishTask(db, task.id, 'failed', { lost: true })) continue;
        log.warn({ taskId: task.id, actorId: task.actorId, kind: task.kind }, 'task lease expired');
        const lost = failure(transportErrorCodes.actorLost);
        if (task.kind === 'probe') this.diagnostics.finish(task, { failure: lost });
        else if (task.attemptId !== null) {
          this.apply(task.profileId, task.actorId, {
            type: 'failed',
            attemptId: task.attemptId,
            at: at.toISOString(),
            failure: lost,
          });
        }
      }
      const overdue = new Date(at.getTime() - this.timing.deadlineGraceMs).toISOString();
      const deadlines =
        at.getTime() >= this.resumedUntil ? verificationsInProgress(db, overdue) : [];
      for (const { profileId, actorId, state } of deadlines) {
        if (!('attempt' in state)) continue;
        this.apply(profileId, actorId, {
          type: 'timed_out',
          attemptId: state.attempt.id,
          at: at.toISOString(),
        });
        this.endTasks([state.attempt.id], { timedOut: true });
      }
      this.diagnostics.sweep(at);
      if (at.getTime() - this.prunedAt >= PRUNE_EVERY_MS) {
        this.prunedAt = at.getTime();
        pruneTasks(db, new Date(at.getTime() - TASK_RETENTION_MS).toISOString());
      }
    } catch (error) {
      log.error({ err: error }, 'verification sweep failed');
    }
  }
}

/** Where the actor found the email, and how long it took from the Director's submit. */
function deliveryOf(
  found: Extract<FindCodeResult, { found: true }>,
  sentAt: string | undefined,
): Delivery {
  const latencyMs =
    sentAt !== undefined && found.receivedAt !== undefined
      ? Date.parse(found.receivedAt) - Date.parse(sentAt)
      : Number.NaN;
  return {
    folder: found.folder,
    ...(found.folderName === undefined ? {} : { folderName: found.folderName }),
    // A mailbox clock behind the Director's makes no negative latency: the arrival is unknown.
    ...(Number.isFinite(latencyMs) && latencyMs >= 0 ? { latencyMs } : {}),
    ...(found.authentication === undefined ? {} : { authentication: found.authentication }),
  };
}

/**
 * An email not found says what the other links of the chain know: whether the Director's server
 * accepted it (its reply, with queue id) and which folders the actor searched.
 */
function withChainDetail(
  state: Extract<ActorVerification, { status: 'failed' }>,
  searched: readonly string[] | undefined,
): Failure {
  const { failure, attempt } = state;
  if (failure.origin !== 'delivery' || failure.detail !== undefined) return failure;
  const parts = [
    attempt.sent
      ? `The Director's server accepted the email at ${attempt.sent.at}${attempt.sent.response ? ` (${attempt.sent.response})` : ''}.`
      : attempt.mode === 'manual'
        ? 'Manual mode: the email was to be sent by hand.'
        : undefined,
    searched && searched.length > 0 ? `Searched: ${searched.join(', ')}.` : undefined,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? failure : { ...failure, detail: parts.join(' ') };
}

function describeOffline(actor: ActorRecord): string {
  if (actor.lastSeenAt === null) return `"${actor.name}" (never connected)`;
  const minutes = Math.round((Date.now() - Date.parse(actor.lastSeenAt)) / 60_000);
  const ago =
    minutes < 120
      ? `${minutes} minute${minutes === 1 ? '' : 's'}`
      : minutes < 48 * 60
        ? `${Math.round(minutes / 60)} hours`
        : `${Math.round(minutes / (24 * 60))} days`;
  return `"${actor.name}" (last seen ${ago} ago)`;
}

function precondition(message: string): DomainError {
  return new DomainError('precondition', message);
}

function revoked(): DomainError {
  return new DomainError(
    'unauthorized',
    'This actor was revoked: enroll it again with a new enrollment token',
  );
}

function wrongKind(task: TaskRow): DomainError {
  return new DomainError(
    'invalid',
    `Task ${task.id} is a ${task.kind} task: that report does not fit it`,
  );
}
