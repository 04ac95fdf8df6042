import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explainFailure } from '../failures/taxonomy.js';
import { planVerify, reduceActor, reduceProfile } from './machine.js';
import {
  actorVerificationSchema,
  displayStatus,
  profileVerificationSchema,
  type ActorEvent,
  type ActorVerification,
  type ActorVerificationStatus,
  type Attempt,
  type ProfileEvent,
  type ProfileVerification,
} from './state.js';

const T0 = '2026-11-26T10:00:00.000Z';
const T1 = '2026-11-26T10:00:01.000Z';
const DEADLINE = '2026-11-26T10:02:00.000Z';
const MANUAL = '0f8fad5b-d9cb-469f-a165-70867728950e';
const CODE_A = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const CODE_B = '16fd2706-8baf-433b-82eb-8c7fada847da';
const authFailure = explainFailure({
  stage: 'auth',
  protocol: 'imap',
  serverText: 'NO [AUTHENTICATIONFAILED]',
});

const attempt = (
  id = 'att-1',
  mode: Attempt['mode'] = 'automatic',
  code = mode === 'manual' ? MANUAL : CODE_A,
): Attempt => ({
  id,
  mode,
  code,
  requestedAt: T0,
  deadlineAt: DEADLINE,
  retries: 0,
});

const sample: Record<ActorVerificationStatus, ActorVerification> = {
  unverified: { status: 'unverified' },
  requested: { status: 'requested', attempt: attempt() },
  sent: { status: 'sent', attempt: attempt(), sentAt: T1 },
  checking: { status: 'checking', attempt: attempt(), checkStartedAt: T1 },
  verified: { status: 'verified', attempt: attempt(), verifiedAt: T1 },
  failed: { status: 'failed', attempt: attempt(), failedAt: T1, failure: authFailure },
};

const events: Record<ActorEvent['type'], ActorEvent> = {
  requested: { type: 'requested', attempt: attempt('att-2') },
  retry: { type: 'retry', attempt: attempt('att-2') },
  code_sent: { type: 'code_sent', attemptId: 'att-1', at: T1 },
  check_started: { type: 'check_started', attemptId: 'att-1', at: T1 },
  code_found: { type: 'code_found', attemptId: 'att-1', at: T1 },
  failed: { type: 'failed', attemptId: 'att-1', at: T1, failure: authFailure },
  timed_out: { type: 'timed_out', attemptId: 'att-1', at: DEADLINE },
  cancelled: { type: 'cancelled', attemptId: 'att-1', at: T1 },
  reset: { type: 'reset' },
};

// Expected outcome of every (state, event) pair for an automatic attempt: next status, or null
// when the event must be rejected.
const expected: Record<
  ActorVerificationStatus,
  Record<ActorEvent['type'], ActorVerificationStatus | null>
> = {
  unverified: {
    requested: 'requested',
    retry: null,
    code_sent: null,
    check_started: null,
    code_found: null,
    failed: null,
    timed_out: null,
    cancelled: null,
    reset: 'unverified',
  },
  requested: {
    requested: null,
    retry: null,
    code_sent: 'sent',
    check_started: null,
    code_found: null,
    failed: 'failed',
    timed_out: 'failed',
    cancelled: 'failed',
    reset: 'unverified',
  },
  sent: {
    requested: null,
    retry: null,
    code_sent: null,
    check_started: 'checking',
    code_found: null,
    failed: 'failed',
    timed_out: 'failed',
    cancelled: 'failed',
    reset: 'unverified',
  },
  checking: {
    requested: null,
    retry: null,
    code_sent: null,
    check_started: null,
    code_found: 'verified',
    failed: 'failed',
    timed_out: 'failed',
    cancelled: 'failed',
    reset: 'unverified',
  },
  verified: {
    requested: 'requested',
    retry: null,
    code_sent: null,
    check_started: null,
    code_found: null,
    failed: null,
    timed_out: null,
    cancelled: null,
    reset: 'unverified',
  },
  failed: {
    requested: 'requested',
    retry: 'requested',
    code_sent: null,
    check_started: null,
    code_found: null,
    failed: null,
    timed_out: null,
    cancelled: null,
    reset: 'unverified',
  },
};

describe('reduceActor: every state and event', () => {
  const pairs = Object.entries(expected).flatMap(([status, row]) =>
    Object.entries(row).map(
      ([type, next]) =>
        [status, type, next] as [
          ActorVerificationStatus,
          ActorEvent['type'],
          ActorVerificationStatus | null,
        ],
    ),
  );

  it.each(pairs)('%s + %s → %s', (status, type, next) => {
    const result = reduceActor(sample[status], events[type]);
    if (next === null) {
      expect(result).toMatchObject({ ok: false, rejection: { code: 'illegal_transition' } });
      if (!result.ok)
        expect(result.rejection.message).toContain(`(state ${status}, event ${type})`);
    } else {
      expect(result.ok && result.state.status).toBe(next);
      if (result.ok) expect(actorVerificationSchema.safeParse(result.state).success).toBe(true);
    }
  });
});

describe('reduceActor: details', () => {
  it('runs an automatic attempt to Verified', () => {
    let state: ActorVerification = { status: 'unverified' };
    for (const event of [
      events.requested,
      { ...events.code_sent, attemptId: 'att-2' },
      { ...events.check_started, attemptId: 'att-2' },
      { ...events.code_found, attemptId: 'att-2' },
    ] as ActorEvent[]) {
      const next = reduceActor(state, event);
      if (!next.ok) throw new Error(next.rejection.message);
      state = next.state;
    }
    // The attempt remembers when the Director's server accepted the email.
    expect(state).toEqual({
      status: 'verified',
      attempt: { ...attempt('att-2'), sent: { at: T1 } },
      verifiedAt: T1,
    });
    expect(displayStatus(state)).toBe('verified');
  });

  it('runs a manual attempt without sending', () => {
    const requested: ActorVerification = { status: 'requested', attempt: attempt('m-1', 'manual') };
    expect(reduceActor(requested, { type: 'code_sent', attemptId: 'm-1', at: T1 })).toMatchObject({
      ok: false,
      rejection: {
        code: 'illegal_transition',
        message: expect.stringMatching(/Manual verification sends no email/),
      },
    });
    const checking = reduceActor(requested, { type: 'check_started', attemptId: 'm-1', at: T1 });
    expect(checking.ok && checking.state.status).toBe('checking');
  });

  it('does not let an automatic attempt check before the email is sent', () => {
    expect(reduceActor(sample.requested, events.check_started)).toMatchObject({
      ok: false,
      rejection: { code: 'illegal_transition' },
    });
  });

  it('rejects events of an older attempt', () => {
    expect(
      reduceActor(sample.checking, { type: 'code_found', attemptId: 'att-0', at: T1 }),
    ).toEqual({
      ok: false,
      rejection: {
        code: 'stale_attempt',
        message: 'Event for attempt att-0 arrived, but attempt att-1 is current',
      },
    });
  });

  it('explains timeouts by where the attempt was', () => {
    const failureOf = (state: ActorVerification) => {
      const result = reduceActor(state, events.timed_out);
      return result.ok && result.state.status === 'failed' ? result.state.failure : undefined;
    };
    expect(failureOf(sample.checking)).toMatchObject({
      stage: 'timeout',
      signal: 'code-not-found',
      hint: expect.stringMatching(/Spam\/Junk/),
    });
    expect(failureOf(sample.sent)?.summary).toBe(
      'The actor did not start checking the mailbox before the deadline.',
    );
    expect(failureOf(sample.requested)?.summary).toBe(
      'The verification email was not sent before the deadline.',
    );
    expect(failureOf({ status: 'requested', attempt: attempt('att-1', 'manual') })?.summary).toBe(
      'The actor did not start checking the mailbox before the deadline.',
    );
  });

  it('records a cancellation as a failure saying so', () => {
    const result = reduceActor(sample.checking, events.cancelled);
    expect(result.ok && result.state.status === 'failed' && result.state.failure.signal).toBe(
      'aborted',
    );
  });

  it('retries a failure in the same mode and counts retries', () => {
    const result = reduceActor(sample.failed, events.retry);
    expect(result.ok && result.state.status === 'requested' && result.state.attempt.retries).toBe(
      1,
    );
    expect(
      reduceActor(sample.failed, { type: 'retry', attempt: attempt('att-2', 'manual') }),
    ).toMatchObject({ ok: false, rejection: { code: 'invalid_attempt' } });
  });
});

const profile = (
  mode: ProfileVerification['mode'] = 'automatic',
  actors: Record<string, ActorVerification> = {
    a1: { status: 'unverified' },
    a2: { status: 'unverified' },
  },
): ProfileVerification => ({
  mode,
  manualCode: MANUAL,
  actors,
});

function apply(state: ProfileVerification, ...events: ProfileEvent[]): ProfileVerification {
  return events.reduce((current, event) => {
    const next = reduceProfile(current, event);
    if (!next.ok) throw new Error(next.rejection.message);
    return next.state;
  }, state);
}

const counter = () => {
  let n = 0;
  return () => `att-${++n}`;
};
const byteSource = () => {
  let n = 0;
  return (length: number) => new Uint8Array(length).fill(++n);
};

describe('reduceProfile and planVerify', () => {
  it('plans one fresh code per actor in automatic mode', () => {
    const plan = planVerify(profile(), {
      now: new Date(T0),
      timeoutMs: 120_000,
      random: byteSource(),
      newAttemptId: counter(),
    });
    expect(plan.attempts.map((a) => [a.actorId, a.attempt.id, a.attempt.deadlineAt])).toEqual([
      ['a1', 'att-1', DEADLINE],
      ['a2', 'att-2', DEADLINE],
    ]);
    expect(new Set(plan.attempts.map((a) => a.attempt.code)).size).toBe(2);
    const state = apply(profile(), plan);
    expect(Object.values(state.actors).map(displayStatus)).toEqual(['in_progress', 'in_progress']);
  });

  it("uses the profile's one UUID for every actor in manual mode", () => {
    const plan = planVerify(profile('manual'), {
      now: new Date(T0),
      timeoutMs: 1000,
      random: byteSource(),
      newAttemptId: counter(),
    });
    expect(plan.attempts.map((a) => a.attempt.code)).toEqual([MANUAL, MANUAL]);
    expect(plan.attempts.every((a) => a.attempt.mode === 'manual')).toBe(true);
  });

  it('is idempotent: Verify while running starts nothing new', () => {
    const options = {
      now: new Date(T0),
      timeoutMs: 120_000,
      random: byteSource(),
      newAttemptId: counter(),
    };
    const running = apply(profile(), planVerify(profile(), options));
    const second = planVerify(running, options);
    expect(second.attempts).toEqual([]);
    expect(apply(running, second)).toEqual(running);
    // Even a hand-made verify event leaves a running attempt alone.
    expect(
      apply(running, {
        type: 'verify',
        attempts: [{ actorId: 'a1', attempt: attempt('other', 'automatic', CODE_B) }],
      }),
    ).toEqual(running);
  });

  it('verifies just one actor when asked', () => {
    const plan = planVerify(profile(), {
      actorIds: ['a2'],
      now: new Date(T0),
      timeoutMs: 1,
      random: byteSource(),
      newAttemptId: counter(),
    });
    const state = apply(profile(), plan);
    expect(state.actors.a1?.status).toBe('unverified');
    expect(state.actors.a2?.status).toBe('requested');
  });

  it.each<[string, ProfileVerification, ProfileEvent, string]>([
    [
      'unknown actor in verify',
      profile(),
      { type: 'verify', attempts: [{ actorId: 'ghost', attempt: attempt() }] },
      'unknown_actor',
    ],
    [
      'actor twice in verify',
      profile(),
      {
        type: 'verify',
        attempts: [
          { actorId: 'a1', attempt: attempt('x') },
          { actorId: 'a1', attempt: attempt('y', 'automatic', CODE_B) },
        ],
      },
      'duplicate_actor',
    ],
    [
      'shared code in automatic mode',
      profile(),
      {
        type: 'verify',
        attempts: [
          { actorId: 'a1', attempt: attempt('x') },
          { actorId: 'a2', attempt: attempt('y') },
        ],
      },
      'invalid_attempt',
    ],
    [
      'manual attempt with another code',
      profile('manual'),
      { type: 'verify', attempts: [{ actorId: 'a1', attempt: attempt('x', 'manual', CODE_A) }] },
      'invalid_attempt',
    ],
    [
      'automatic attempt in manual mode',
      profile('manual'),
      { type: 'actor', actorId: 'a1', event: { type: 'requested', attempt: attempt() } },
      'invalid_attempt',
    ],
    [
      'event for unknown actor',
      profile(),
      { type: 'actor', actorId: 'ghost', event: { type: 'reset' } },
      'unknown_actor',
    ],
    [
      'adding an assigned actor',
      profile(),
      { type: 'actor_added', actorId: 'a1' },
      'duplicate_actor',
    ],
    [
      'removing an unassigned actor',
      profile(),
      { type: 'actor_removed', actorId: 'ghost' },
      'unknown_actor',
    ],
    [
      'illegal actor event',
      profile(),
      { type: 'actor', actorId: 'a1', event: events.code_found },
      'illegal_transition',
    ],
  ])('rejects %s', (_, state, event, code) => {
    expect(reduceProfile(state, event)).toMatchObject({ ok: false, rejection: { code } });
  });

  it('adds actors as Unverified and drops removed ones', () => {
    const verified = profile('automatic', { a1: sample.verified });
    const state = apply(
      verified,
      { type: 'actor_added', actorId: 'a3' },
      { type: 'actor_removed', actorId: 'a1' },
    );
    expect(state.actors).toEqual({ a3: { status: 'unverified' } });
  });

  it('resets every actor when the connection changes', () => {
    const state = apply(
      profile('automatic', { a1: sample.verified, a2: sample.checking, a3: sample.failed }),
      { type: 'connection_changed' },
    );
    expect(Object.values(state.actors)).toEqual([
      { status: 'unverified' },
      { status: 'unverified' },
      { status: 'unverified' },
    ]);
  });

  it('keeps results when only the mode changes', () => {
    const state = apply(profile('automatic', { a1: sample.verified }), {
      type: 'mode_changed',
      mode: 'manual',
    });
    expect(state).toEqual(profile('manual', { a1: sample.verified }));
  });
});

// --- Property tests ------------------------------------------------------------------------

const actorIds = ['a1', 'a2', 'a3', 'ghost'];
const attemptIds = ['att-1', 'att-2', 'att-3'];
const anyAttempt = fc.record({
  id: fc.constantFrom(...attemptIds),
  mode: fc.constantFrom('automatic' as const, 'manual' as const),
  code: fc.constantFrom(MANUAL, CODE_A, CODE_B),
  requestedAt: fc.constant(T0),
  deadlineAt: fc.constant(DEADLINE),
  retries: fc.nat({ max: 3 }),
});
const anyActorEvent: fc.Arbitrary<ActorEvent> = fc.oneof(
  fc.record({ type: fc.constant('requested' as const), attempt: anyAttempt }),
  fc.record({ type: fc.constant('retry' as const), attempt: anyAttempt }),
  ...(['code_sent', 'check_started', 'code_found', 'timed_out', 'cancelled'] as const).map((type) =>
    fc.record({
      type: fc.constant(type),
      attemptId: fc.constantFrom(...attemptIds),
      at: fc.constant(T1),
    }),
  ),
  fc.record({
    type: fc.constant('failed' as const),
    attemptId: fc.constantFrom(...attemptIds),
    at: fc.constant(T1),
    failure: fc.constant(authFailure),
  }),
  fc.constant({ type: 'reset' as const }),
);
const anyProfileEvent: fc.Arbitrary<ProfileEvent> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('actor' as const),
      actorId: fc.constantFrom(...actorIds),
      event: anyActorEvent,
    }),
  },
  fc.record({
    type: fc.constant('verify' as const),
    attempts: fc.array(fc.record({ actorId: fc.constantFrom(...actorIds), attempt: anyAttempt }), {
      maxLength: 3,
    }),
  }),
  fc.record({ type: fc.constant('actor_added' as const), actorId: fc.constantFrom(...actorIds) }),
  fc.record({ type: fc.constant('actor_removed' as const), actorId: fc.constantFrom(...actorIds) }),
  fc.constant({ type: 'connection_changed' as const }),
  fc.record({
    type: fc.constant('mode_changed' as const),
    mode: fc.constantFrom('automatic' as const, 'manual' as const),
  }),
);
const anyStart = fc.constantFrom<ProfileVerification>(profile('automatic'), profile('manual'));

function run(start: ProfileVerification, sequence: ProfileEvent[]): ProfileVerification {
  return sequence.reduce((state, event) => {
    const next = reduceProfile(state, event);
    return next.ok ? next.state : state;
  }, start);
}

describe('properties', () => {
  it('no sequence of events reaches an illegal state; rejected events change nothing', () => {
    fc.assert(
      fc.property(anyStart, fc.array(anyProfileEvent, { maxLength: 40 }), (start, sequence) => {
        let state = start;
        for (const event of sequence) {
          const before = structuredClone(state);
          const next = reduceProfile(state, event);
          expect(state).toEqual(before); // reducers never mutate their input
          if (next.ok) state = next.state;
          const check = profileVerificationSchema.safeParse(state);
          expect(check.error?.issues).toBeUndefined();
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a connection change resets every actor, whatever happened before', () => {
    fc.assert(
      fc.property(anyStart, fc.array(anyProfileEvent, { maxLength: 30 }), (start, sequence) => {
        const state = run(start, [...sequence, { type: 'connection_changed' }]);
        expect(Object.values(state.actors).every((actor) => actor.status === 'unverified')).toBe(
          true,
        );
      }),
    );
  });

  it('only the current attempt can verify an actor', () => {
    fc.assert(
      fc.property(anyStart, fc.array(anyProfileEvent, { maxLength: 30 }), (start, sequence) => {
        let state = start;
        for (const event of sequence) {
          const next = reduceProfile(state, event);
          if (next.ok && event.type === 'actor' && event.event.type === 'code_found') {
            const actor = next.state.actors[event.actorId];
            expect(actor?.status === 'verified' && actor.attempt.id).toBe(event.event.attemptId);
          }
          if (next.ok) state = next.state;
        }
      }),
    );
  });
});
