// One-time enrollment tokens: an operator issues one for a zone, an actor agent presents it once
// to enroll there. Only the SHA-256 of a token is stored; the token itself is shown once.
import type { EnrollmentToken, SecurityZone } from '@email-profiles/core';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { hashToken, newToken } from '../auth/session.js';
import { now, RepositoryError, type Conn } from './database.js';
import { enrollmentTokens } from './schema.js';
import { getZone } from './zones.js';

/** Creates a token for `zoneId` that expires at `expiresAt`; returns the token (only time). */
export function issueEnrollmentToken(db: Conn, zoneId: string, expiresAt: Date): EnrollmentToken {
  const token = newToken();
  db.transaction((tx) => {
    if (!getZone(tx, zoneId))
      throw new RepositoryError('not_found', `There is no zone "${zoneId}"`);
    tx.insert(enrollmentTokens)
      .values({
        tokenHash: hashToken(token),
        zoneId,
        createdAt: now(),
        expiresAt: expiresAt.toISOString(),
      })
      .run();
  });
  return { token, zoneId, expiresAt: expiresAt.toISOString() };
}

export type EnrollmentRefusal = 'unknown' | 'expired' | 'used';

export type ConsumedEnrollment =
  { ok: true; zone: SecurityZone } | { ok: false; reason: EnrollmentRefusal };

/**
 * Uses up a token: marks it used and returns its zone, or says why it cannot be used. The check
 * and the mark are one conditional UPDATE, so a token can be consumed at most once even by
 * racing callers.
 */
export function consumeEnrollmentToken(
  db: Conn,
  token: string,
  at: Date = new Date(),
): ConsumedEnrollment {
  const tokenHash = hashToken(token);
  const atIso = at.toISOString();
  return db.transaction((tx) => {
    // all(), not get(): drizzle types get() after returning() as always finding a row.
    const [used] = tx
      .update(enrollmentTokens)
      .set({ usedAt: atIso })
      .where(
        and(
          eq(enrollmentTokens.tokenHash, tokenHash),
          isNull(enrollmentTokens.usedAt),
          gt(enrollmentTokens.expiresAt, atIso),
        ),
      )
      .returning({ zoneId: enrollmentTokens.zoneId })
      .all();
    if (used) {
      // The zone's deletion deletes its tokens (cascade), so it exists here.
      const zone = getZone(tx, used.zoneId);
      if (zone) return { ok: true, zone };
    }
    const row = tx
      .select({ usedAt: enrollmentTokens.usedAt })
      .from(enrollmentTokens)
      .where(eq(enrollmentTokens.tokenHash, tokenHash))
      .get();
    if (!row) return { ok: false, reason: 'unknown' };
    return { ok: false, reason: row.usedAt !== null ? 'used' : 'expired' };
  });
}
