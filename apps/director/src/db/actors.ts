// Actors as stored. Whether an actor is online is decided at run time from lastSeenAt, so the
// record is core's Actor without `connection`.
import { randomUUID } from 'node:crypto';
import { displayNameSchema, type Actor, type ActorConnection } from '@email-profiles/core';
import { asc, count, eq, inArray } from 'drizzle-orm';
import { now, RepositoryError, type Conn } from './database.js';
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

export function getActor(db: Conn, id: string): ActorRecord | undefined {
  return db.select(actorColumns).from(actors).where(eq(actors.id, id)).get();
}

export function findActorByTokenHash(db: Conn, tokenHash: string): ActorRecord | undefined {
  return db.select(actorColumns).from(actors).where(eq(actors.tokenHash, tokenHash)).get();
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

/**
 * Removes an actor with its profile assignments and verification states, in one transaction; its
 * tasks go with it (cascade). Its token then matches no actor, so it authenticates nothing.
 * Refused while the actor is the only actor of a profile: a profile needs at least one.
 */
export function revokeActor(db: Conn, id: string): void {
  db.transaction((tx) => {
    const actor = getActor(tx, id);
    if (!actor) throw new RepositoryError('not_found', `There is no actor "${id}"`);
    const assigned = tx
      .select({ profileId: profileActors.profileId })
      .from(profileActors)
      .where(eq(profileActors.actorId, id))
      .all()
      .map((link) => link.profileId);
    if (assigned.length > 0) {
      const sole = tx
        .select({ profileId: profileActors.profileId, n: count() })
        .from(profileActors)
        .where(inArray(profileActors.profileId, assigned))
        .groupBy(profileActors.profileId)
        .all()
        .filter((row) => row.n === 1)
        .map((row) => row.profileId);
      if (sole.length > 0) {
        const names = tx
          .select({ id: profiles.id, publicFields: profiles.publicFields })
          .from(profiles)
          .where(inArray(profiles.id, sole))
          .all()
          .map((row) => {
            const address = row.publicFields.emailAddress;
            return `"${typeof address === 'string' ? address : row.id}"`;
          })
          .sort();
        throw new RepositoryError(
          'conflict',
          `The actor "${actor.name}" is the only actor of profile${names.length === 1 ? '' : 's'} ${names.join(', ')}: assign another actor or delete ${names.length === 1 ? 'that profile' : 'those profiles'} first`,
        );
      }
    }
    tx.delete(verifications).where(eq(verifications.actorId, id)).run();
    tx.delete(profileActors).where(eq(profileActors.actorId, id)).run();
    tx.delete(actors).where(eq(actors.id, id)).run();
  });
}
