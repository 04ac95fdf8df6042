// Email profiles at rest: public fields as JSON, every secret sealed under a context naming its
// profile and field, the assigned actors in profile_actors (in the order they were chosen).
import {
  emailProfileSchema,
  isConsentProfile,
  publicEmailProfileSchema,
  perServerType,
  secretFieldsOf,
  storedProfileSchemas,
  type EmailProfile,
  type PublicEmailProfile,
  type ServerType,
} from '@email-profiles/core';
import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Vault } from '../secrets/vault.js';
import { now, parseStored, preparedQuery, RepositoryError, type Conn } from './database.js';
import { actors, profileActors, profiles, verifications } from './schema.js';
import { openSecrets, sealSecrets } from './sealed.js';

/** The sealed fields of each server type, from core's `secret()` marks. */
const secretKeys = perServerType((type) => secretFieldsOf(storedProfileSchemas[type]));

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

/** A stored actor state as profiles.list needs it: SQLite extracts these from the JSON state. */
export type ListedState = {
  status: string;
  failure?: unknown;
  delivery?: unknown;
  deadlineAt?: string | null;
  verifiedAt?: string | null;
  access?: unknown;
};

/** A profiles-table row as stored, for profiles.list; reads no sealed column. */
export type ProfileListRow = {
  id: string;
  revision: number;
  serverType: string;
  manualCode: string;
  publicFields: object;
  /** The assigned actors, in the order they were chosen. */
  actorIds: string[];
  /** The stored states by actor id (an assigned actor without one is unverified). */
  states: Record<string, ListedState>;
};

/** Every profile's id and revision, in creation order (the order of profiles.list). */
export function listProfileRevisions(db: Conn): [id: string, revision: number][] {
  return db.values<[string, number]>(
    sql`SELECT id, revision FROM ${profiles} ORDER BY created_at, rowid`,
  );
}

/**
 * The profiles named in `ids`, with their actors and statuses, in one query. Whole states are
 * never parsed here: SQLite extracts each one's status, a failed one's failure, a verified
 * one's delivery when it was found outside the Inbox, and an attempt in progress's deadline.
 */
export function listProfileRows(db: Conn, ids: readonly string[]): ProfileListRow[] {
  const rows = db.values<[string, number, string, string, string, string, string]>(sql`
    SELECT p.id, p.revision, p.server_type, p.manual_code, p.public_fields,
      (SELECT json_group_array(actor_id ORDER BY position)
         FROM ${profileActors} WHERE profile_id = p.id),
      (SELECT json_group_object(v.actor_id, json_object(
          'status', v.state ->> '$.status',
          'failure', CASE WHEN v.state ->> '$.status' = 'failed' THEN v.state -> '$.failure' END,
          'delivery', CASE WHEN v.state ->> '$.status' = 'verified'
            AND v.state ->> '$.delivery.folder' = 'junk' THEN v.state -> '$.delivery' END,
          'deadlineAt', CASE WHEN v.state ->> '$.status' IN ('requested', 'sent', 'checking')
            THEN v.state ->> '$.attempt.deadlineAt' END,
          'verifiedAt', v.last_verified_at,
          'access', CASE WHEN v.state ->> '$.status' = 'verified'
            THEN v.state -> '$.delivery.access' END))
         FROM ${verifications} v WHERE v.profile_id = p.id)
    FROM ${profiles} p
    WHERE p.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);
  return rows.map(([id, revision, serverType, manualCode, publicFields, actorIds, states]) => ({
    id,
    revision,
    serverType,
    manualCode,
    publicFields: JSON.parse(publicFields) as object,
    actorIds: JSON.parse(actorIds) as string[],
    states: JSON.parse(states) as Record<string, ListedState>,
  }));
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
const actorIdsOfProfile = preparedQuery((db) =>
  db
    .select({ actorId: profileActors.actorId })
    .from(profileActors)
    .where(eq(profileActors.profileId, sql.placeholder('profileId')))
    .orderBy(asc(profileActors.position))
    .prepare(),
);

export function profileActorIds(db: Conn, profileId: string): string[] {
  return actorIdsOfProfile(db)
    .all({ profileId })
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
