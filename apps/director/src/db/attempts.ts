// The history of verification attempts: one row per (attempt, actor), kept to the newest few
// per actor.
import type { AttemptRecord, Delivery, Failure, VerificationMode } from '@email-profiles/core';
import { and, desc, eq, notInArray } from 'drizzle-orm';
import type { Conn } from './database.js';
import { attempts } from './schema.js';

const KEEP_PER_ACTOR = 50;

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
    .limit(KEEP_PER_ACTOR)
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

export function recordAttemptEnd(
  db: Conn,
  attemptId: string,
  end:
    | { at: string; outcome: 'verified'; delivery?: Delivery | undefined }
    | { at: string; outcome: 'failed'; failure: Failure },
  sentResponse?: string,
): void {
  db.update(attempts)
    .set({
      endedAt: end.at,
      outcome: end.outcome,
      failure: end.outcome === 'failed' ? end.failure : null,
      delivery: end.outcome === 'verified' ? (end.delivery ?? null) : null,
      sentResponse: sentResponse ?? null,
    })
    .where(eq(attempts.id, attemptId))
    .run();
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
      ...(row.sentResponse === null ? {} : { sentResponse: row.sentResponse }),
    }));
}
