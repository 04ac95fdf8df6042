// Email profiles at rest: public fields as JSON, every secret sealed under a context naming its
// profile and field, the assigned actors in profile_actors (in the order they were chosen).
import {
  emailProfileSchema,
  isConsentProfile,
  publicEmailProfileSchema,
  secretFieldsOf,
  storedProfileSchemas,
  type EmailProfile,
  type PublicEmailProfile,
  type ServerType,
} from '@email-profiles/core';
import { and, asc, eq, inArray, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Vault } from '../secrets/vault.js';
import { now, parseStored, RepositoryError, type Conn } from './database.js';
import { actors, profileActors, profiles, verifications } from './schema.js';
import { openSecrets, sealSecrets } from './sealed.js';

/** The sealed fields of each server type, from core's `secret()` marks. */
const secretKeys: Record<ServerType, readonly string[]> = {
  graph: secretFieldsOf(storedProfileSchemas.graph),
  gmail: secretFieldsOf(storedProfileSchemas.gmail),
  imap: secretFieldsOf(storedProfileSchemas.imap),
  pop3: secretFieldsOf(storedProfileSchemas.pop3),
};

const secretContext = (profileId: string) => `profile:${profileId}`;

/** Creates or replaces a profile, its sealed secrets and its actor assignment. */
export function saveProfile(db: Conn, vault: Vault, profile: EmailProfile): void {
  const valid = emailProfileSchema.parse(profile);
  const { id, serverType, manualCode, actorIds, ...fields } = valid;
  const { publicFields, sealedSecrets } = sealSecrets(
    vault,
    fields,
    secretKeys[serverType],
    secretContext(id),
  );
  if (isConsentProfile(valid)) publicFields.consentGranted = valid.refreshToken !== undefined;
  const at = now();
  db.transaction((tx) => {
    tx.insert(profiles)
      .values({
        id,
        serverType,
        publicFields,
        sealedSecrets,
        manualCode,
        createdAt: at,
        updatedAt: at,
      })
      .onConflictDoUpdate({
        target: profiles.id,
        set: { serverType, publicFields, sealedSecrets, manualCode, updatedAt: at },
      })
      .run();
    setProfileActors(tx, id, actorIds);
  });
}

/** The whole profile with its secrets opened, or undefined when there is no such profile. */
export function loadProfile(db: Conn, vault: Vault, id: string): EmailProfile | undefined {
  const row = db.select().from(profiles).where(eq(profiles.id, id)).get();
  if (!row) return undefined;
  const publicFields = { ...row.publicFields };
  delete publicFields.consentGranted; // derived for the public view only
  return parseStored(emailProfileSchema, `profile "${row.id}"`, {
    ...publicFields,
    ...openSecrets(vault, row.sealedSecrets, secretContext(row.id)),
    id: row.id,
    serverType: row.serverType,
    manualCode: row.manualCode,
    actorIds: profileActorIds(db, row.id),
  });
}

const publicColumns = {
  id: profiles.id,
  serverType: profiles.serverType,
  manualCode: profiles.manualCode,
  publicFields: profiles.publicFields,
};

/** Every profile without its secrets; reads no sealed column and needs no vault. */
export function listPublicProfiles(db: Conn): PublicEmailProfile[] {
  const rows = db
    .select(publicColumns)
    .from(profiles)
    .orderBy(asc(profiles.createdAt), sql`rowid`) // creation order
    .all();
  const actorsByProfile = new Map<string, string[]>();
  for (const link of db.select().from(profileActors).orderBy(asc(profileActors.position)).all()) {
    const list = actorsByProfile.get(link.profileId) ?? [];
    list.push(link.actorId);
    actorsByProfile.set(link.profileId, list);
  }
  // Not parsed again here: rows were validated when saved, and the API validates what it returns
  // (profiles.list's output schema), which is what keeps a list of 1,000 profiles fast.
  return rows.map(
    (row) =>
      ({
        ...row.publicFields,
        id: row.id,
        serverType: row.serverType,
        manualCode: row.manualCode,
        actorIds: actorsByProfile.get(row.id) ?? [],
      }) as PublicEmailProfile,
  );
}

/**
 * A profiles-table row as stored, for profiles.list: the public fields as JSON text, the
 * assigned actors as `position:actorId` words, their stored statuses as `actorId:status` words
 * (absent: unverified) and the failures of failed actors as a JSON object by actor id. Ids are
 * letters, digits, "-" and "_" (core's idSchema), so spaces and colons cannot be part of them.
 */
export type ProfileListRow = {
  id: string;
  serverType: string;
  manualCode: string;
  publicFields: string;
  actors: string;
  statuses: string;
  failures: string;
  /** The deliveries of verified states whose email was found outside the Inbox. */
  deliveries: string;
};

/**
 * Profiles, their actors and their statuses in two queries: every profile in creation order, or
 * only those named in `ids` (in no particular order). SQLite extracts each state's status (and
 * the failure of failed ones), so whole states are never parsed here; reads no sealed column.
 */
export function listProfileRows(db: Conn, ids?: readonly string[]): ProfileListRow[] {
  const only = (column: SQL) =>
    ids === undefined
      ? sql``
      : sql`WHERE ${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
  const states = new Map<string, [statuses: string, failures: string, deliveries: string]>();
  for (const [profileId, statuses, failures, deliveries] of db.values<
    [string, string, string | null, string | null]
  >(sql`
    SELECT profile_id,
      group_concat(actor_id || ':' || (state ->> '$.status'), ' '),
      json_group_object(actor_id, state -> '$.failure') FILTER (WHERE state ->> '$.status' = 'failed'),
      json_group_object(actor_id, state -> '$.delivery')
        FILTER (WHERE state ->> '$.status' = 'verified' AND state ->> '$.delivery.folder' = 'junk')
    FROM ${verifications} ${only(sql`profile_id`)} GROUP BY profile_id`)) {
    states.set(profileId, [statuses, failures ?? '{}', deliveries ?? '{}']);
  }
  const rows = db.values<[string, string, string, string, string | null]>(sql`
    SELECT p.id, p.server_type, p.manual_code, p.public_fields,
      (SELECT group_concat(pa.position || ':' || pa.actor_id, ' ')
         FROM ${profileActors} pa WHERE pa.profile_id = p.id)
    FROM ${profiles} p ${only(sql`p.id`)}
    ORDER BY p.created_at, p.rowid`);
  return rows.map(([id, serverType, manualCode, publicFields, actors]) => {
    const [statuses, failures, deliveries] = states.get(id) ?? ['', '{}', '{}'];
    return {
      id,
      serverType,
      manualCode,
      publicFields,
      actors: actors ?? '',
      statuses,
      failures,
      deliveries,
    };
  });
}

/** Every profile id, in creation order (the order of profiles.list). */
export function listProfileIds(db: Conn): string[] {
  return db
    .values<[string]>(sql`SELECT id FROM ${profiles} ORDER BY created_at, rowid`)
    .map(([id]) => id);
}

const LIST_TABLES: Record<string, string> = {
  profiles: 'id',
  profile_actors: 'profile_id',
  verifications: 'profile_id',
};
const watchedConnections = new WeakSet<Conn>();

/**
 * Records which profiles this connection's writes touch in the tables profiles.list reads, with
 * temporary triggers (they live and die with the connection; no migration). They fire for
 * upserts and for rows that foreign keys delete in cascade too.
 */
function watchListTables(db: Conn): void {
  if (watchedConnections.has(db)) return;
  db.run(sql`CREATE TEMP TABLE IF NOT EXISTS profile_list_touched (profile_id TEXT PRIMARY KEY)`);
  for (const [table, column] of Object.entries(LIST_TABLES)) {
    for (const [operation, rows] of [
      ['INSERT', ['NEW']],
      ['UPDATE', ['NEW', 'OLD']],
      ['DELETE', ['OLD']],
    ] as const) {
      const touch = rows
        // Not INSERT OR IGNORE: an outer upsert's conflict handling would override it.
        .map(
          (row) =>
            `INSERT INTO temp.profile_list_touched SELECT ${row}.${column} WHERE NOT EXISTS (SELECT 1 FROM temp.profile_list_touched WHERE profile_id = ${row}.${column});`,
        )
        .join(' ');
      db.run(
        sql.raw(`CREATE TEMP TRIGGER IF NOT EXISTS profile_list_${table}_${operation.toLowerCase()}
          AFTER ${operation} ON main.${table} BEGIN ${touch} END`),
      );
    }
  }
  watchedConnections.add(db);
}

/**
 * What may have changed for profiles.list since the last call on this connection: `dataVersion`
 * changes when another connection commits (then anything may have changed); `touched` names the
 * profiles this connection's own writes touched since then (its other writes, such as actors'
 * last-seen times, do not count). Taking them clears the record.
 */
export function takeProfileListChanges(db: Conn): { dataVersion: number; touched: string[] } {
  watchListTables(db);
  const [row] = db.values<[number]>(sql`SELECT data_version FROM pragma_data_version`);
  const touched = db
    .values<[string]>(sql`SELECT profile_id FROM temp.profile_list_touched`)
    .map(([id]) => id);
  if (touched.length > 0) db.run(sql`DELETE FROM temp.profile_list_touched`);
  return { dataVersion: row?.[0] ?? Number.NaN, touched };
}

export function getPublicProfile(db: Conn, id: string): PublicEmailProfile | undefined {
  const row = db.select(publicColumns).from(profiles).where(eq(profiles.id, id)).get();
  return row && toPublic(row, profileActorIds(db, id));
}

function toPublic(
  row: { id: string; serverType: ServerType; manualCode: string; publicFields: object },
  actorIds: string[],
): PublicEmailProfile {
  return parseStored(publicEmailProfileSchema, `profile "${row.id}"`, {
    ...row.publicFields,
    id: row.id,
    serverType: row.serverType,
    manualCode: row.manualCode,
    actorIds,
  });
}

/** Deletes a profile; its actor assignments, verification states and tasks go with it. */
export function deleteProfile(db: Conn, id: string): boolean {
  return db.delete(profiles).where(eq(profiles.id, id)).run().changes > 0;
}

/** The actors assigned to a profile, in the order they were chosen. */
export function profileActorIds(db: Conn, profileId: string): string[] {
  return db
    .select({ actorId: profileActors.actorId })
    .from(profileActors)
    .where(eq(profileActors.profileId, profileId))
    .orderBy(asc(profileActors.position))
    .all()
    .map((link) => link.actorId);
}

/** The profiles an actor may pull from. */
export function profileIdsForActor(db: Conn, actorId: string): string[] {
  return db
    .select({ profileId: profileActors.profileId })
    .from(profileActors)
    .where(eq(profileActors.actorId, actorId))
    .all()
    .map((link) => link.profileId);
}

/**
 * Makes `actorIds` the profile's actors. An actor that is removed loses its verification state
 * (cascade); one that stays keeps it.
 */
export function setProfileActors(db: Conn, profileId: string, actorIds: readonly string[]): void {
  db.transaction((tx) => {
    const exists = tx
      .select({ id: profiles.id })
      .from(profiles)
      .where(eq(profiles.id, profileId))
      .get();
    if (!exists) throw new RepositoryError('not_found', `There is no profile "${profileId}"`);
    const known = new Set(
      actorIds.length === 0
        ? []
        : tx
            .select({ id: actors.id })
            .from(actors)
            .where(inArray(actors.id, [...actorIds]))
            .all()
            .map((actor) => actor.id),
    );
    const unknown = actorIds.filter((actorId) => !known.has(actorId));
    if (unknown.length > 0) {
      throw new RepositoryError('invalid', `Unknown actor(s): ${unknown.join(', ')}`);
    }
    tx.delete(profileActors)
      .where(
        and(
          eq(profileActors.profileId, profileId),
          notInArray(profileActors.actorId, [...actorIds]),
        ),
      )
      .run();
    actorIds.forEach((actorId, position) => {
      tx.insert(profileActors)
        .values({ profileId, actorId, position })
        .onConflictDoUpdate({
          target: [profileActors.profileId, profileActors.actorId],
          set: { position },
        })
        .run();
    });
  });
}
