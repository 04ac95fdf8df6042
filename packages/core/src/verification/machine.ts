// The verification state machine: pure reducers over explicit events. The per-actor transition
// table names every (state, event) pair, so the compiler proves each one is handled; a pair that
// is not a transition is rejected with a reason, never silently ignored.
import { explainFailure, transportErrorCodes, type Failure } from '../failures/taxonomy.js';
import type {
  ActorEvent,
  ActorEventType,
  ActorVerification,
  ActorVerificationStatus,
  Attempt,
  ProfileEvent,
  ProfileVerification,
} from './state.js';
import { isInProgress } from './state.js';
import { generateVerificationCode, type RandomSource } from './code.js';

export type RejectionCode =
  'illegal_transition' | 'stale_attempt' | 'unknown_actor' | 'duplicate_actor' | 'invalid_attempt';

export type Rejection = { code: RejectionCode; message: string };

export type Transition<S> = { ok: true; state: S } | { ok: false; rejection: Rejection };

type StateOf<S extends ActorVerificationStatus> = Extract<ActorVerification, { status: S }>;
type EventOf<E extends ActorEventType> = Extract<ActorEvent, { type: E }>;
type Handler<S extends ActorVerificationStatus, E extends ActorEventType> = (
  state: StateOf<S>,
  event: EventOf<E>,
) => Transition<ActorVerification>;

/** A pair that is not a transition, with the reason given to whoever sent the event. */
type Illegal = { illegal: string };
const illegal = (reason: string): Illegal => ({ illegal: reason });

type TransitionTable = {
  [S in ActorVerificationStatus]: { [E in ActorEventType]: Handler<S, E> | Illegal };
};

const ok = (state: ActorVerification): Transition<ActorVerification> => ({ ok: true, state });
const reject = (code: RejectionCode, message: string): { ok: false; rejection: Rejection } => ({
  ok: false,
  rejection: { code, message },
});

type InProgress = StateOf<'requested' | 'sent' | 'checking'>;
type AttemptEvent = Extract<ActorEvent, { attemptId: string }>;

/** Applies a handler only when the event belongs to the state's current attempt. */
function current<S extends InProgress, E extends AttemptEvent>(
  handler: (state: S, event: E) => Transition<ActorVerification>,
) {
  return (state: S, event: E): Transition<ActorVerification> =>
    event.attemptId === state.attempt.id
      ? handler(state, event)
      : reject(
          'stale_attempt',
          `Event for attempt ${event.attemptId} arrived, but attempt ${state.attempt.id} is current`,
        );
}

const start = (_: unknown, event: EventOf<'requested'>) =>
  ok({ status: 'requested', attempt: event.attempt });
const reset = () => ok({ status: 'unverified' });

const fail = (state: InProgress, failure: Failure, at: string) =>
  ok({ status: 'failed', attempt: state.attempt, failedAt: at, failure });

const onFailed = current((state: InProgress, event: EventOf<'failed'>) =>
  fail(state, event.failure, event.at),
);

const onCancelled = current((state: InProgress, event: EventOf<'cancelled'>) =>
  fail(
    state,
    explainFailure({ stage: 'timeout', errorCode: transportErrorCodes.aborted }),
    event.at,
  ),
);

const onTimedOut = current((state: InProgress, event: EventOf<'timed_out'>) =>
  fail(state, timeoutFailure(state), event.at),
);

function timeoutFailure(state: InProgress): Failure {
  switch (state.status) {
    case 'checking':
      return explainFailure({ stage: 'timeout', errorCode: transportErrorCodes.codeNotFound });
    case 'sent':
      return {
        ...explainFailure({ stage: 'timeout' }),
        summary: 'The actor did not start checking the mailbox before the deadline.',
        hint: 'Check that the actor is online and connected to the Director, then verify again.',
      };
    case 'requested':
      return {
        ...explainFailure({ stage: 'timeout' }),
        summary:
          state.attempt.mode === 'automatic'
            ? 'The verification email was not sent before the deadline.'
            : 'The actor did not start checking the mailbox before the deadline.',
        hint:
          state.attempt.mode === 'automatic'
            ? 'Check the Director\'s mail settings with "Send test email", then verify again.'
            : 'Check that the actor is online and connected to the Director, then verify again.',
      };
  }
}

const notRunning = 'No verification is running for this actor';
const alreadyRunning = 'A verification is already running for this actor';
const retryOnlyFailed = 'Only a failed verification can be retried';
const retrySameMode = (state: StateOf<'failed'>, event: EventOf<'retry'>) =>
  event.attempt.mode === state.attempt.mode
    ? ok({ status: 'requested', attempt: { ...event.attempt, retries: state.attempt.retries + 1 } })
    : reject('invalid_attempt', 'A retry keeps the mode of the attempt it retries');

// No attempt running (unverified, verified, failed): only a new attempt or a reset moves it.
const idle = {
  requested: start,
  retry: illegal(retryOnlyFailed),
  code_sent: illegal(notRunning),
  check_started: illegal(notRunning),
  code_found: illegal(notRunning),
  failed: illegal(notRunning),
  timed_out: illegal(notRunning),
  cancelled: illegal(notRunning),
  reset,
};

// An attempt running (requested, sent, checking): it can always fail, time out or be cancelled.
const running = {
  requested: illegal(alreadyRunning),
  retry: illegal(alreadyRunning),
  failed: onFailed,
  timed_out: onTimedOut,
  cancelled: onCancelled,
  reset,
};

export const actorTransitions: TransitionTable = {
  unverified: idle,
  requested: {
    ...running,
    code_sent: current((state, event) =>
      state.attempt.mode === 'automatic'
        ? ok({
            status: 'sent',
            attempt: {
              ...state.attempt,
              sent: {
                at: event.at,
                ...(event.via === undefined ? {} : { via: event.via }),
                ...(event.response === undefined ? {} : { response: event.response }),
              },
            },
            sentAt: event.at,
          })
        : reject('illegal_transition', 'Manual verification sends no email: the user sends it'),
    ),
    check_started: current((state, event) =>
      state.attempt.mode === 'manual'
        ? ok({ status: 'checking', attempt: state.attempt, checkStartedAt: event.at })
        : reject(
            'illegal_transition',
            'The actor checks only after the verification email was sent',
          ),
    ),
    code_found: illegal('The actor has not started checking'),
  },
  sent: {
    ...running,
    code_sent: illegal('The verification email was already sent'),
    check_started: current((state, event) =>
      ok({ status: 'checking', attempt: state.attempt, checkStartedAt: event.at }),
    ),
    code_found: illegal('The actor has not started checking'),
  },
  checking: {
    ...running,
    code_sent: illegal('The verification email was already sent'),
    check_started: illegal('The actor is already checking'),
    code_found: current((state, event) =>
      ok({
        status: 'verified',
        attempt: state.attempt,
        verifiedAt: event.at,
        ...(event.delivery === undefined ? {} : { delivery: event.delivery }),
      }),
    ),
  },
  verified: idle,
  failed: { ...idle, retry: retrySameMode },
};

/** Applies one event to one actor's verification state. */
export function reduceActor(
  state: ActorVerification,
  event: ActorEvent,
): Transition<ActorVerification> {
  const entry = (
    actorTransitions[state.status] as Record<
      ActorEventType,
      Handler<ActorVerificationStatus, ActorEventType> | Illegal
    >
  )[event.type];
  const context = `(state ${state.status}, event ${event.type})`;
  if ('illegal' in entry) return reject('illegal_transition', `${entry.illegal} ${context}`);
  const result = entry(state, event);
  return result.ok || result.rejection.code !== 'illegal_transition'
    ? result
    : reject('illegal_transition', `${result.rejection.message} ${context}`);
}

/** Applies one event to a profile's verification: all its actors, its mode and manual code. */
export function reduceProfile(
  state: ProfileVerification,
  event: ProfileEvent,
): Transition<ProfileVerification> {
  switch (event.type) {
    case 'verify':
      return applyVerify(state, event.attempts);
    case 'actor': {
      const actor = state.actors[event.actorId];
      if (actor === undefined)
        return reject('unknown_actor', `Actor ${event.actorId} is not assigned to this profile`);
      if (
        (event.event.type === 'requested' || event.event.type === 'retry') &&
        !attemptFits(state, event.event.attempt)
      ) {
        return reject('invalid_attempt', attemptMismatch(state));
      }
      const next = reduceActor(actor, event.event);
      return next.ok ? { ok: true, state: withActor(state, event.actorId, next.state) } : next;
    }
    case 'actor_added':
      if (event.actorId in state.actors) {
        return reject(
          'duplicate_actor',
          `Actor ${event.actorId} is already assigned to this profile`,
        );
      }
      return { ok: true, state: withActor(state, event.actorId, { status: 'unverified' }) };
    case 'actor_removed': {
      if (!(event.actorId in state.actors)) {
        return reject('unknown_actor', `Actor ${event.actorId} is not assigned to this profile`);
      }
      const actors = Object.fromEntries(
        Object.entries(state.actors).filter(([id]) => id !== event.actorId),
      );
      return { ok: true, state: { ...state, actors } };
    }
    case 'connection_changed': {
      const actors = Object.fromEntries(
        Object.keys(state.actors).map((id) => [id, { status: 'unverified' as const }]),
      );
      return { ok: true, state: { ...state, actors } };
    }
    case 'mode_changed':
      // Results and running attempts stay valid: each attempt keeps the mode it started with.
      return { ok: true, state: { ...state, mode: event.mode } };
  }
}

function withActor(
  state: ProfileVerification,
  actorId: string,
  actor: ActorVerification,
): ProfileVerification {
  return { ...state, actors: { ...state.actors, [actorId]: actor } };
}

function attemptFits(state: ProfileVerification, attempt: Attempt): boolean {
  return (
    attempt.mode === state.mode &&
    (attempt.mode === 'automatic' || attempt.code === state.manualCode)
  );
}

function attemptMismatch(state: ProfileVerification): string {
  return state.mode === 'manual'
    ? "A manual attempt must be in manual mode and use the profile's verification UUID"
    : 'An automatic attempt must be in automatic mode';
}

function applyVerify(
  state: ProfileVerification,
  attempts: { actorId: string; attempt: Attempt }[],
): Transition<ProfileVerification> {
  const seen = new Set<string>();
  const codes = new Set<string>();
  let next = state;
  for (const { actorId, attempt } of attempts) {
    const actor = state.actors[actorId];
    if (actor === undefined)
      return reject('unknown_actor', `Actor ${actorId} is not assigned to this profile`);
    if (seen.has(actorId))
      return reject('duplicate_actor', `Actor ${actorId} appears twice in one verification`);
    seen.add(actorId);
    if (!attemptFits(state, attempt)) return reject('invalid_attempt', attemptMismatch(state));
    if (attempt.mode === 'automatic') {
      if (codes.has(attempt.code))
        return reject('invalid_attempt', 'Each actor needs its own code in automatic mode');
      codes.add(attempt.code);
    }
    // Idempotent Verify: an actor already being verified keeps its running attempt.
    if (isInProgress(actor)) continue;
    const moved = reduceActor(actor, { type: 'requested', attempt });
    if (!moved.ok) return moved;
    next = withActor(next, actorId, moved.state);
  }
  return { ok: true, state: next };
}

export type VerifyPlanInput = {
  /** Actors to verify; all of the profile's actors when omitted. */
  actorIds?: string[];
  now: Date;
  timeoutMs: number;
  random: RandomSource;
  newAttemptId: () => string;
};

/**
 * Builds the `verify` event for a profile: one attempt per idle actor, each with a fresh code in
 * automatic mode, or the profile's UUID in manual mode. Actors already in progress are skipped,
 * so a second click plans nothing.
 */
export function planVerify(
  state: ProfileVerification,
  input: VerifyPlanInput,
): Extract<ProfileEvent, { type: 'verify' }> {
  const targets = input.actorIds ?? Object.keys(state.actors);
  const requestedAt = input.now.toISOString();
  const deadlineAt = new Date(input.now.getTime() + input.timeoutMs).toISOString();
  const attempts = targets
    .filter((actorId) => {
      const actor = state.actors[actorId];
      return actor === undefined || !isInProgress(actor);
    })
    .map((actorId) => ({
      actorId,
      attempt: {
        id: input.newAttemptId(),
        mode: state.mode,
        code: state.mode === 'manual' ? state.manualCode : generateVerificationCode(input.random),
        requestedAt,
        deadlineAt,
        retries: 0,
      } satisfies Attempt,
    }));
  return { type: 'verify', attempts };
}
