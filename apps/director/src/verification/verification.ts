// Verification: Verify and Cancel become attempts (core's state machine); the coded emails go
// out through the send queue; each actor's find-code task is queued, and its progress and
// result move the actor's state; attempts past their deadline end. Everything it knows is in the
// database, so a restarted Director resumes where it stopped.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  explainFailure,
  findCodeWorkSchema,
  isConsentProfile,
  isInProgress,
  MAIL_SETTINGS_MISSING,
  planVerify,
  productFailures,
  reduceActor,
  reduceProfile,
  subjectHasCode,
  senderServer,
  transportErrorCodes,
  verificationSubject,
  type ActorEvent,
  type ActorVerification,
  type Delivery,
  type FindCodeResult,
  type Attempt,
  type CancelResult,
  type Failure,
  type FindCodeWork,
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
  finishTask,
  connectionOf,
  getActor,
  getActorVerification,
  getProfileVerification,
  getPublicMailSettings,
  getPublicProfile,
  liveTasksOfAttempts,
  liveTasksOfProfile,
  loadMailSettings,
  putActorVerification,
  putProfileVerification,
  recordAttemptState,
  recordAttemptStart,
  verificationsInProgress,
  type ActorRecord,
  type Conn,
  type TaskRow,
} from '../db/index.js';
import { directorSender } from '../mail/sender.js';
import type { Vault } from '../secrets/vault.js';
import type { DirectorEvents } from './events.js';
import { SendQueue } from './send-queue.js';
import { assignedProfile, isAssigned, taskMismatch, type TaskHandler } from './task-broker.js';
import { noSuchProfile, requireActors, resolveTarget } from './target.js';

export type VerificationDeps = {
  db: Conn;
  vault: Vault;
  log: Logger;
  config: Config;
  events: DirectorEvents;
  /** After a restart, deadlines that passed while the Director was down wait this long. */
  leaseMs: number;
  /** After the deadline, the actor's own "not found" (with its details) is awaited this long. */
  deadlineGraceMs: number;
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

type PlannedAttempt = { actorId: string; attempt: Attempt };

const failure = (errorCode: string): Failure => explainFailure({ stage: 'timeout', errorCode });

export class Verification {
  private readonly sendQueue: SendQueue;
  /** Until then, deadlines that passed while the Director was down wait for the actors' word. */
  private resumedUntil = 0;

  constructor(private readonly deps: VerificationDeps) {
    this.sendQueue = new SendQueue(SEND_CONCURRENCY, deps.log);
  }

  /**
   * Resumes what a previous run left in progress: emails not yet sent are sent, checks without
   * a task get one, and for one lease period no deadline ends an attempt (the actors heartbeat
   * and bring back what they found).
   */
  resume(): void {
    const { db } = this.deps;
    this.resumedUntil = Date.now() + this.deps.leaseMs;
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
  }

  /** Aborts the emails being sent (their attempts resume at the next start). */
  stop(): Promise<void> {
    return this.sendQueue.stop();
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
      throw precondition(MAIL_SETTINGS_MISSING);
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

  /** The find-code tasks, as the task broker hands them over. */
  readonly tasks: TaskHandler<'find_code'> = {
    profile: (row) => assignedProfile(this.deps.db, this.deps.vault, row),
    owns: (row) => isAssigned(this.deps.db, row),
    work: (row) => ({ kind: 'find_code', ...findCodeWorkSchema.parse(row.payload) }),
    progress: (actor, row, progress) => {
      if (progress.type !== 'check_started' || row.attemptId === null) throw taskMismatch(row);
      this.apply(row.profileId, actor.id, {
        type: 'check_started',
        attemptId: row.attemptId,
        at: new Date().toISOString(),
      });
    },
    succeeded: (row, result) => codeFound(row, result) === true,
    finished: (actor, row, result) => {
      // Always there for a find-code task (the database's CHECK).
      if (row.profileId !== null) this.finished(actor, row, row.profileId, result);
    },
    ended: (row, why) => {
      if (row.attemptId === null) return;
      this.apply(row.profileId, row.actorId, {
        type: 'failed',
        attemptId: row.attemptId,
        at: new Date().toISOString(),
        failure: why,
      });
    },
  };

  /** Ends the attempts past their deadline (and the grace for the actor's own word). */
  sweep(at: Date): void {
    if (at.getTime() < this.resumedUntil) return;
    const overdue = new Date(at.getTime() - this.deps.deadlineGraceMs).toISOString();
    for (const { profileId, actorId, state } of verificationsInProgress(this.deps.db, overdue)) {
      if (!('attempt' in state)) continue;
      this.apply(profileId, actorId, {
        type: 'timed_out',
        attemptId: state.attempt.id,
        at: at.toISOString(),
      });
      this.endTasks([state.attempt.id], { timedOut: true });
    }
  }

  private finished(actor: ActorRecord, task: TaskRow, profileId: string, result: TaskResult): void {
    const { db, log } = this.deps;
    const at = new Date().toISOString();
    const attemptId = task.attemptId ?? '';
    const found = codeFound(task, result);
    if (found === 'wrong message') {
      log.warn(
        { taskId: task.id, actorId: actor.id, profileId },
        'an actor reported the code found in a subject that does not carry it: not verified',
      );
      const failure = productFailures.actorReportedWrongMessage();
      this.apply(profileId, actor.id, { type: 'failed', attemptId, at, failure });
    } else if (found && result.kind === 'find_code' && result.result.found) {
      // An actor may find the code before its "check started" arrives (or instead of it).
      this.apply(profileId, actor.id, { type: 'check_started', attemptId, at }, true);
      const state = getActorVerification(db, profileId, actor.id);
      const sentAt = state && 'attempt' in state ? state.attempt.sent?.at : undefined;
      const delivery = deliveryOf(result.result, sentAt);
      this.apply(profileId, actor.id, { type: 'code_found', attemptId, at, delivery });
      if (delivery.folder === 'junk') {
        log.warn(
          { profileId, actorId: actor.id, folder: delivery.folderName },
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
      this.apply(profileId, actor.id, { type: 'failed', attemptId, at, failure: why }, false, {
        searched,
      });
    }
  }

  /**
   * Applies one event to one actor's state and records the attempt's end; false (and nothing
   * stored) when the state machine refuses it, e.g. for an attempt that is no longer current.
   */
  private apply(
    /** Null only for a task without a profile: nothing to apply. */
    profileId: string | null,
    actorId: string,
    event: ActorEvent,
    quiet = false,
    known: { searched?: readonly string[] | undefined } = {},
  ): boolean {
    const { db, log, events } = this.deps;
    if (profileId === null) return false;
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
      Math.max(SEND_BATCH.min, Math.ceil(attempts.length / this.sendQueue.concurrency)),
    );
    for (let i = 0; i < attempts.length; i += size) {
      const batch = attempts.slice(i, i + size);
      this.sendQueue.add(() => this.send(profileId, batch));
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
    const stopped = this.sendQueue.stopped;
    const signal = AbortSignal.any([
      stopped,
      AbortSignal.timeout(Math.max(deadline - Date.now(), 1)),
    ]);
    // Each actor's check starts as soon as its own email is accepted.
    const settled = (index: number, result: SendResult | undefined) => {
      const planned = due[index];
      if (!planned || stopped.aborted) return; // resumed at the next start
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

  private endTasks(attemptIds: string[], result: unknown): void {
    for (const task of liveTasksOfAttempts(this.deps.db, attemptIds)) {
      finishTask(this.deps.db, task.id, 'failed', result);
    }
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
}

/**
 * The actor's word, checked: "found" counts only with a subject that carries the task's code
 * ('wrong message' otherwise).
 */
function codeFound(task: TaskRow, result: TaskResult): boolean | 'wrong message' {
  if (result.kind !== 'find_code' || !result.result.found) return false;
  return subjectHasCode(result.result.subject, findCodeWorkSchema.parse(task.payload).code)
    ? true
    : 'wrong message';
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
    ...(found.access === undefined ? {} : { access: found.access }),
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
