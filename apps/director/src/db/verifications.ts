// Verification state per (profile, actor), read and written as core's ProfileVerification.
// The mode and manual code come from the profile; an assigned actor without a stored state is
// unverified. Removing an actor from a profile drops its state (foreign key cascade).
import {
  actorVerificationSchema,
  profileVerificationSchema,
  type ActorVerification,
  type ProfileVerification,
} from '@email-profiles/core';
import { and, eq, notInArray, sql } from 'drizzle-orm';
import { now, parseStored, preparedQuery, RepositoryError, type Conn } from './database.js';
import { profileActorIds } from './profiles.js';
import { profileActors, profiles, verifications } from './schema.js';

export function getProfileVerification(
  db: Conn,
  profileId: string,
): ProfileVerification | undefined {
  const profile = db
    .select({ manualCode: profiles.manualCode, publicFields: profiles.publicFields })
    .from(profiles)
    .where(eq(profiles.id, profileId))
    .get();
  if (!profile) return undefined;
  const stored = new Map(
    db
      .select({ actorId: verifications.actorId, state: verifications.state })
      .from(verifications)
      .where(eq(verifications.profileId, profileId))
      .all()
      .map((row) => [row.actorId, row.state]),
  );
  const actors = Object.fromEntries(
    profileActorIds(db, profileId).map((actorId) => [
      actorId,
      stored.get(actorId) ?? { status: 'unverified' },
    ]),
  );
  return parseStored(profileVerificationSchema, `verification of profile "${profileId}"`, {
    mode: profile.publicFields.sendVerificationManually === true ? 'manual' : 'automatic',
    manualCode: profile.manualCode,
    actors,
  });
}

/**
 * Stores the state of every actor in `state`; actors of the profile left out become unverified.
 * Every actor must be assigned to the profile, and the manual code must be the profile's.
 */
export function putProfileVerification(
  db: Conn,
  profileId: string,
  state: ProfileVerification,
): void {
  const valid = profileVerificationSchema.parse(state);
  db.transaction((tx) => {
    const profile = tx
      .select({ manualCode: profiles.manualCode })
      .from(profiles)
      .where(eq(profiles.id, profileId))
      .get();
    if (!profile) throw new RepositoryError('not_found', `There is no profile "${profileId}"`);
    if (profile.manualCode !== valid.manualCode) {
      throw new RepositoryError(
        'invalid',
        `The manual code is not the one of profile "${profileId}"`,
      );
    }
    const assigned = new Set(profileActorIds(tx, profileId));
    const actorIds = Object.keys(valid.actors);
    const unassigned = actorIds.filter((actorId) => !assigned.has(actorId));
    if (unassigned.length > 0) {
      throw new RepositoryError(
        'invalid',
        `Actor(s) ${unassigned.join(', ')} are not assigned to profile "${profileId}"`,
      );
    }
    tx.delete(verifications)
      .where(
        and(eq(verifications.profileId, profileId), notInArray(verifications.actorId, actorIds)),
      )
      .run();
    for (const [actorId, actorState] of Object.entries(valid.actors)) {
      writeActorState(tx, profileId, actorId, actorState);
    }
  });
}

/**
 * The state of one actor of a profile (one row, however many actors the profile has); undefined
 * when the actor is not assigned to it.
 */
export function getActorVerification(
  db: Conn,
  profileId: string,
  actorId: string,
): ActorVerification | undefined {
  const row = stateOfActor(db).get({ profileId, actorId });
  if (row)
    return parseStored(actorVerificationSchema, `verification of actor "${actorId}"`, row.state);
  return isAssigned(db, profileId, actorId) ? { status: 'unverified' } : undefined;
}

/** Stores the state of one assigned actor of a profile. */
export function putActorVerification(
  db: Conn,
  profileId: string,
  actorId: string,
  state: ActorVerification,
): void {
  if (!isAssigned(db, profileId, actorId)) {
    throw new RepositoryError(
      'invalid',
      `Actor ${actorId} is not assigned to profile "${profileId}"`,
    );
  }
  writeActorState(db, profileId, actorId, actorVerificationSchema.parse(state));
}

const stateOfActor = preparedQuery((db) =>
  db
    .select({ state: verifications.state })
    .from(verifications)
    .where(
      and(
        eq(verifications.profileId, sql.placeholder('profileId')),
        eq(verifications.actorId, sql.placeholder('actorId')),
      ),
    )
    .prepare(),
);

const assignment = preparedQuery((db) =>
  db
    .select({ actorId: profileActors.actorId })
    .from(profileActors)
    .where(
      and(
        eq(profileActors.profileId, sql.placeholder('profileId')),
        eq(profileActors.actorId, sql.placeholder('actorId')),
      ),
    )
    .prepare(),
);

function isAssigned(db: Conn, profileId: string, actorId: string): boolean {
  return assignment(db).get({ profileId, actorId }) !== undefined;
}

const upsertState = preparedQuery((db) =>
  db
    .insert(verifications)
    .values({
      profileId: sql.placeholder('profileId'),
      actorId: sql.placeholder('actorId'),
      state: sql.placeholder('state'),
      updatedAt: sql.placeholder('updatedAt'),
      lastVerifiedAt: sql.placeholder('lastVerifiedAt'),
    })
    .onConflictDoUpdate({
      target: [verifications.profileId, verifications.actorId],
      set: {
        state: sql`excluded.state`,
        updatedAt: sql`excluded.updated_at`,
        // A success is remembered through later states (staleness, "last verified").
        lastVerifiedAt: sql`coalesce(excluded.last_verified_at, ${verifications.lastVerifiedAt})`,
      },
    })
    .prepare(),
);

function writeActorState(db: Conn, profileId: string, actorId: string, state: ActorVerification) {
  const lastVerifiedAt = state.status === 'verified' ? state.verifiedAt : null;
  upsertState(db).run({ profileId, actorId, state, updatedAt: now(), lastVerifiedAt });
}

export type StoredActorState = { profileId: string; actorId: string; state: ActorVerification };

/**
 * Every actor state with an attempt running (requested, sent or checking); with `deadlineBefore`,
 * only those whose deadline is at or before it.
 */
export function verificationsInProgress(db: Conn, deadlineBefore?: string): StoredActorState[] {
  const running = sql`json_extract(${verifications.state}, '$.status') IN ('requested', 'sent', 'checking')`;
  return db
    .select({
      profileId: verifications.profileId,
      actorId: verifications.actorId,
      state: verifications.state,
    })
    .from(verifications)
    .where(
      deadlineBefore === undefined
        ? running
        : and(
            running,
            sql`json_extract(${verifications.state}, '$.attempt.deadlineAt') <= ${deadlineBefore}`,
          ),
    )
    .all()
    .map((row) => ({ ...row, state: actorVerificationSchema.parse(row.state) }));
}
