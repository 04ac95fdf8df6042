// Security Zones. A zone that still holds actors cannot be deleted.
import { randomUUID } from 'node:crypto';
import {
  securityZoneCreateSchema,
  type SecurityZone,
  type SecurityZoneCreate,
} from '@email-profiles/core';
import { asc, count, eq } from 'drizzle-orm';
import { now, RepositoryError, type Conn } from './database.js';
import { actors, zones } from './schema.js';

const zoneColumns = { id: zones.id, name: zones.name };

export function listZones(db: Conn): SecurityZone[] {
  return db.select(zoneColumns).from(zones).orderBy(asc(zones.name)).all();
}

export function getZone(db: Conn, id: string): SecurityZone | undefined {
  return db.select(zoneColumns).from(zones).where(eq(zones.id, id)).get();
}

export function createZone(db: Conn, input: SecurityZoneCreate): SecurityZone {
  const { name } = securityZoneCreateSchema.parse(input);
  assertNameFree(db, name);
  const zone = { id: randomUUID(), name };
  db.insert(zones)
    .values({ ...zone, createdAt: now() })
    .run();
  return zone;
}

export function renameZone(db: Conn, id: string, input: SecurityZoneCreate): SecurityZone {
  const { name } = securityZoneCreateSchema.parse(input);
  assertNameFree(db, name, id);
  const changed = db.update(zones).set({ name }).where(eq(zones.id, id)).run().changes;
  if (changed === 0) throw new RepositoryError('not_found', `There is no zone "${id}"`);
  return { id, name };
}

/** Deletes an empty zone; refuses while actors are in it. */
export function deleteZone(db: Conn, id: string): void {
  db.transaction((tx) => {
    const zone = getZone(tx, id);
    if (!zone) throw new RepositoryError('not_found', `There is no zone "${id}"`);
    const members = tx.select({ n: count() }).from(actors).where(eq(actors.zoneId, id)).get();
    const n = members?.n ?? 0;
    if (n > 0) {
      throw new RepositoryError(
        'conflict',
        `The zone "${zone.name}" still has ${n} actor${n === 1 ? '' : 's'}; move or remove ${n === 1 ? 'it' : 'them'} first`,
      );
    }
    tx.delete(zones).where(eq(zones.id, id)).run();
  });
}

function assertNameFree(db: Conn, name: string, exceptId?: string): void {
  const other = db.select(zoneColumns).from(zones).where(eq(zones.name, name)).get();
  if (other && other.id !== exceptId) {
    throw new RepositoryError('conflict', `A zone named "${name}" already exists`, 'name');
  }
}
