// Actors as stored. Whether an actor is online is decided at run time from lastSeenAt, so the
// record is core's Actor without `connection`.
import { randomUUID } from 'node:crypto';
import { displayNameSchema, type Actor } from '@email-profiles/core';
import { asc, eq } from 'drizzle-orm';
import { now, RepositoryError, type Conn } from './database.js';
import { actors } from './schema.js';
import { getZone } from './zones.js';

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
