// The history of verification attempts: one row per (attempt, actor), kept to the newest few
// per actor.
import type {
  ActorVerification,
  AttemptRecord,
  Delivery,
  Failure,
  VerificationMode,
} from '@email-profiles/core';
import { and, desc, eq, notInArray } from 'drizzle-orm';
import type { Conn } from './database.js';
import { attempts } from './schema.js';

/** Attempts kept per (profile, actor): the history's bound (50 days of daily verification). */
export const HISTORY_KEPT = 50;

export function recordAttemptStart(
  db: Conn,
  input: {
    attemptId: string;
    profileId: string;
    actorId: string;
    mode: VerificationMode;
    requestedAt: string;
  },
): void {
  db.insert(attempts)
    .values({
      id: input.attemptId,
      profileId: input.profileId,
      actorId: input.actorId,
      mode: input.mode,
      requestedAt: input.requestedAt,
      outcome: 'in_progress',
    })
    .onConflictDoNothing()
    .run();
  const keep = db
    .select({ id: attempts.id })
    .from(attempts)
    .where(and(eq(attempts.profileId, input.profileId), eq(attempts.actorId, input.actorId)))
    .orderBy(desc(attempts.requestedAt))
    .limit(HISTORY_KEPT)
    .all()
    .map((row) => row.id);
  db.delete(attempts)
    .where(
      and(
        eq(attempts.profileId, input.profileId),
        eq(attempts.actorId, input.actorId),
        notInArray(attempts.id, keep),
      ),
    )
    .run();
}

/**
 * Records what an actor's new state tells of its attempt: the email's acceptance by the
 * Director's server, the actor taking the task, and the end (found, or the failure and the
 * folders searched).
 */
export function recordAttemptState(
  db: Conn,
  state: ActorVerification,
  searched?: readonly string[],
): void {
  if (!('attempt' in state)) return;
  const { attempt } = state;
  const sent = attempt.sent === undefined ? {} : { sent: attempt.sent };
  const changes =
    state.status === 'checking'
      ? { ...sent, receivedAt: state.checkStartedAt }
      : state.status === 'verified'
        ? {
            ...sent,
            endedAt: state.verifiedAt,
            outcome: 'verified' as const,
            delivery: state.delivery ?? null,
          }
        : state.status === 'failed'
          ? {
              ...sent,
              endedAt: state.failedAt,
              outcome: 'failed' as const,
              failure: state.failure,
              searched: searched && searched.length > 0 ? [...searched] : null,
            }
          : sent;
  if (Object.keys(changes).length === 0) return;
  db.update(attempts).set(changes).where(eq(attempts.id, attempt.id)).run();
}

/**
 * Ends the profile's attempts still recorded as running other than `current`: those an edit
 * dropped (connection change, actor removed).
 */
export function abandonAttempts(
  db: Conn,
  profileId: string,
  current: readonly string[],
  at: string,
): void {
  db.update(attempts)
    .set({ endedAt: at, outcome: 'failed' })
    .where(
      and(
        eq(attempts.profileId, profileId),
        eq(attempts.outcome, 'in_progress'),
        notInArray(attempts.id, [...current]),
      ),
    )
    .run();
}

export function attemptHistory(
  db: Conn,
  query: { profileId: string; actorId?: string; limit: number },
): AttemptRecord[] {
  return db
    .select()
    .from(attempts)
    .where(
      query.actorId === undefined
        ? eq(attempts.profileId, query.profileId)
        : and(eq(attempts.profileId, query.profileId), eq(attempts.actorId, query.actorId)),
    )
    .orderBy(desc(attempts.requestedAt))
    .limit(query.limit)
    .all()
    .map((row) => ({
      attemptId: row.id,
      actorId: row.actorId,
      mode: row.mode,
      requestedAt: row.requestedAt,
      outcome: row.outcome,
      ...(row.endedAt === null ? {} : { endedAt: row.endedAt }),
      ...(row.failure === null ? {} : { failure: row.failure as Failure }),
      ...(row.delivery === null ? {} : { delivery: row.delivery as Delivery }),
      ...(row.sent === null ? {} : { sent: row.sent as NonNullable<AttemptRecord['sent']> }),
      ...(row.receivedAt === null ? {} : { receivedAt: row.receivedAt }),
      ...(row.searched === null ? {} : { searched: row.searched as string[] }),
    }));
}
