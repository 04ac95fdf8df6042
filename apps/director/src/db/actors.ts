// Actors as stored. Whether an actor is online is decided at run time from lastSeenAt, so the
// record is core's Actor without `connection`.
import { randomUUID } from 'node:crypto';
import { displayNameSchema, type Actor, type ActorConnection } from '@email-profiles/core';
import { asc, count, eq, inArray, sql } from 'drizzle-orm';
import { now, preparedQuery, RepositoryError, type Conn } from './database.js';
import { actors, profileActors, profiles, verifications, zones } from './schema.js';
import { getZone } from './zones.js';

/**
 * An actor reports to the Director (polls for tasks) much more often than this; one not heard
 * from for this long is shown offline. A minute tolerates a missed poll or two without flapping.
 */
export const ONLINE_WINDOW_MS = 60_000;

export function connectionOf(lastSeenAt: string | null, at: number = Date.now()): ActorConnection {
  return lastSeenAt !== null && at - Date.parse(lastSeenAt) <= ONLINE_WINDOW_MS
    ? 'online'
    : 'offline';
}

export type ActorRecord = Omit<Actor, 'connection'> & { enrolledAt: string };

const actorColumns = {
  id: actors.id,
  name: actors.name,
  zoneId: actors.zoneId,
  enrolledAt: actors.enrolledAt,
  lastSeenAt: actors.lastSeenAt,
};

/** Enrolls an actor in a zone; `tokenHash` is the hash of the token the actor will present. */
export function createActor(
  db: Conn,
  input: { name: string; zoneId: string; tokenHash: string },
): ActorRecord {
  const name = displayNameSchema.parse(input.name);
  if (!getZone(db, input.zoneId)) {
    throw new RepositoryError('not_found', `There is no zone "${input.zoneId}"`);
  }
  const actor: ActorRecord = {
    id: randomUUID(),
    name,
    zoneId: input.zoneId,
    enrolledAt: now(),
    lastSeenAt: null,
  };
  db.insert(actors)
    .values({ ...actor, tokenHash: input.tokenHash })
    .run();
  return actor;
}

export function listActors(db: Conn): ActorRecord[] {
  return db.select(actorColumns).from(actors).orderBy(asc(actors.name), asc(actors.id)).all();
}

const actorById = preparedQuery((db) =>
  db
    .select(actorColumns)
    .from(actors)
    .where(eq(actors.id, sql.placeholder('id')))
    .prepare(),
);

export function getActor(db: Conn, id: string): ActorRecord | undefined {
  return actorById(db).get({ id });
}

const actorByTokenHash = preparedQuery((db) =>
  db
    .select(actorColumns)
    .from(actors)
    .where(eq(actors.tokenHash, sql.placeholder('tokenHash')))
    .prepare(),
);

export function findActorByTokenHash(db: Conn, tokenHash: string): ActorRecord | undefined {
  return actorByTokenHash(db).get({ tokenHash });
}

/** Records that the actor was heard from. */
export function touchActor(db: Conn, id: string, at: string = now()): void {
  db.update(actors).set({ lastSeenAt: at }).where(eq(actors.id, id)).run();
}

export type ActorWithZone = ActorRecord & { zoneName: string };

/** Every actor with the name of its zone, by name. */
export function listActorsWithZones(db: Conn): ActorWithZone[] {
  return db
    .select({ ...actorColumns, zoneName: zones.name })
    .from(actors)
    .innerJoin(zones, eq(zones.id, actors.zoneId))
    .orderBy(asc(actors.name), asc(actors.id))
    .all();
}

/** A profile the revoked actor was removed from; `orphaned` when it was its only actor. */
export type RevokedFrom = { id: string; emailAddress: string; orphaned: boolean };

/**
 * Removes an actor with its profile assignments and verification states, in one transaction; its
 * tasks and attempts go with it (cascade). Its token then matches no actor, so it authenticates
 * nothing. Always allowed, also for the only actor of a profile: a compromised actor must be cut
 * off at once; the profile is then left without actors until one is assigned.
 */
export function revokeActor(db: Conn, id: string): RevokedFrom[] {
  return db.transaction((tx) => {
    const actor = getActor(tx, id);
    if (!actor) throw new RepositoryError('not_found', `There is no actor "${id}"`);
    const assigned = tx
      .select({ profileId: profileActors.profileId })
      .from(profileActors)
      .where(eq(profileActors.actorId, id))
      .all()
      .map((link) => link.profileId);
    const others = new Map(
      assigned.length === 0
        ? []
        : tx
            .select({ profileId: profileActors.profileId, n: count() })
            .from(profileActors)
            .where(inArray(profileActors.profileId, assigned))
            .groupBy(profileActors.profileId)
            .all()
            .map((row) => [row.profileId, row.n - 1]),
    );
    const from =
      assigned.length === 0
        ? []
        : tx
            .select({ id: profiles.id, publicFields: profiles.publicFields })
            .from(profiles)
            .where(inArray(profiles.id, assigned))
            .all()
            .map((row): RevokedFrom => {
              const address = row.publicFields.emailAddress;
              return {
                id: row.id,
                emailAddress: typeof address === 'string' ? address : row.id,
                orphaned: (others.get(row.id) ?? 0) === 0,
              };
            })
            .sort((a, b) => a.emailAddress.localeCompare(b.emailAddress));
    tx.delete(verifications).where(eq(verifications.actorId, id)).run();
    tx.delete(profileActors).where(eq(profileActors.actorId, id)).run();
    tx.delete(actors).where(eq(actors.id, id)).run();
    return from;
  });
}
