// The Director's SQLite schema. Migrations in ../../drizzle are generated from this file with
// `pnpm --filter @email-profiles/director db:generate`; never edit them by hand.
//
// Timestamps are ISO 8601 strings (UTC), the form core's schemas use. JSON columns hold data that
// the repositories validate with core's schemas when they read it back. Secrets only ever live
// in `*_secrets` columns, each value sealed by the vault (see ../secrets/vault.ts).
import {
  ATTEMPT_OUTCOMES,
  SERVER_TYPE_NAMES,
  TASK_KINDS,
  VERIFICATION_MODES,
} from '@email-profiles/core';
import { sql } from 'drizzle-orm';
import {
  check,
  foreignKey,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
} from 'drizzle-orm/sqlite-core';

/** Sealed secrets of one row: field name → `v1.…` sealed value. */
export type SealedSecrets = Record<string, string>;
/** Public (secret-free) fields of one row, validated with core's schemas on read. */
export type PublicFields = Record<string, unknown>;

const createdAt = () => text('created_at').notNull();

/** Administrators of the Director's web UI. */
export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  createdAt: createdAt(),
});

export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 of the session token; the token itself is never stored. */
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: text('expires_at').notNull(),
  },
  (table) => [index('sessions_user_idx').on(table.userId)],
);

export const zones = sqliteTable('zones', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  createdAt: createdAt(),
});

export const actors = sqliteTable(
  'actors',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    zoneId: text('zone_id')
      .notNull()
      .references(() => zones.id, { onDelete: 'restrict' }),
    /** SHA-256 of the actor's API token. */
    tokenHash: text('token_hash').notNull().unique(),
    enrolledAt: text('enrolled_at').notNull(),
    lastSeenAt: text('last_seen_at'),
  },
  (table) => [index('actors_zone_idx').on(table.zoneId)],
);

export const enrollmentTokens = sqliteTable(
  'enrollment_tokens',
  {
    /** SHA-256 of the one-time enrollment token. */
    tokenHash: text('token_hash').primaryKey(),
    zoneId: text('zone_id')
      .notNull()
      .references(() => zones.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: text('expires_at').notNull(),
    usedAt: text('used_at'),
    /** The actor that enrolled with this token. */
    actorId: text('actor_id').references(() => actors.id, { onDelete: 'set null' }),
  },
  (table) => [index('enrollment_tokens_zone_idx').on(table.zoneId)],
);

/** The Director's own mail settings: at most one row, id 1. */
export const mailSettings = sqliteTable(
  'mail_settings',
  {
    id: integer('id').primaryKey(),
    publicFields: text('public_fields', { mode: 'json' }).$type<PublicFields>().notNull(),
    sealedSecrets: text('sealed_secrets', { mode: 'json' }).$type<SealedSecrets>().notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [check('mail_settings_single_row', sql`${table.id} = 1`)],
);

export const profiles = sqliteTable(
  'profiles',
  {
    id: text('id').primaryKey(),
    serverType: text('server_type', { enum: SERVER_TYPE_NAMES }).notNull(),
    /**
     * The profile's public view (core's PublicEmailProfile) without id, serverType, manualCode
     * and actorIds, which have their own columns and table.
     */
    publicFields: text('public_fields', { mode: 'json' }).$type<PublicFields>().notNull(),
    sealedSecrets: text('sealed_secrets', { mode: 'json' }).$type<SealedSecrets>().notNull(),
    manualCode: text('manual_code').notNull(),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
    /**
     * Raised by triggers (migration 0005) on every write to the profile, its actor assignment or
     * its actors' states, whichever connection writes: profiles.list reads again only the
     * profiles whose revision it has not seen.
     */
    revision: integer('revision').notNull().default(0),
  },
  (table) => [
    check(
      'profiles_server_type',
      sql`${table.serverType} IN (${sql.raw(SERVER_TYPE_NAMES.map((type) => `'${type}'`).join(', '))})`,
    ),
  ],
);

export const profileActors = sqliteTable(
  'profile_actors',
  {
    profileId: text('profile_id')
      .notNull()
      .references(() => profiles.id, { onDelete: 'cascade' }),
    actorId: text('actor_id')
      .notNull()
      .references(() => actors.id, { onDelete: 'restrict' }),
    /** Keeps the order the actors were chosen in. */
    position: integer('position').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.profileId, table.actorId] }),
    index('profile_actors_actor_idx').on(table.actorId),
  ],
);

/** Verification state per (profile, actor): core's ActorVerification as JSON. */
export const verifications = sqliteTable(
  'verifications',
  {
    profileId: text('profile_id').notNull(),
    actorId: text('actor_id').notNull(),
    state: text('state', { mode: 'json' }).$type<unknown>().notNull(),
    updatedAt: text('updated_at').notNull(),
    /** When the actor last verified the profile; kept through later failures (staleness). */
    lastVerifiedAt: text('last_verified_at'),
  },
  (table) => [
    primaryKey({ columns: [table.profileId, table.actorId] }),
    // A state exists only while the actor is assigned to the profile.
    foreignKey({
      name: 'verifications_assignment_fk',
      columns: [table.profileId, table.actorId],
      foreignColumns: [profileActors.profileId, profileActors.actorId],
    }).onDelete('cascade'),
  ],
);

export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    actorId: text('actor_id')
      .notNull()
      .references(() => actors.id, { onDelete: 'cascade' }),
    /** None for a connectivity check of a profile not saved yet (its draft is kept in memory). */
    profileId: text('profile_id').references(() => profiles.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: TASK_KINDS }).notNull(),
    /** What the actor needs besides the profile's credentials; never holds a secret. */
    payload: text('payload', { mode: 'json' }).$type<PublicFields>().notNull(),
    status: text('status', { enum: ['queued', 'leased', 'done', 'failed'] })
      .notNull()
      .default('queued'),
    leaseExpiresAt: text('lease_expires_at'),
    /** The verification attempt this task serves, if any. */
    attemptId: text('attempt_id'),
    result: text('result', { mode: 'json' }).$type<unknown>(),
    createdAt: createdAt(),
  },
  (table) => [
    index('tasks_actor_status_idx').on(table.actorId, table.status),
    index('tasks_profile_idx').on(table.profileId),
    check('tasks_kind', sql`${table.kind} IN ('find_code', 'probe')`),
    check('tasks_profile', sql`${table.kind} = 'probe' OR ${table.profileId} IS NOT NULL`),
    check('tasks_status', sql`${table.status} IN ('queued', 'leased', 'done', 'failed')`),
  ],
);

/** Every verification attempt of an actor, kept for the history (the newest per actor survive). */
export const attempts = sqliteTable(
  'attempts',
  {
    id: text('id').primaryKey(),
    profileId: text('profile_id')
      .notNull()
      .references(() => profiles.id, { onDelete: 'cascade' }),
    actorId: text('actor_id')
      .notNull()
      .references(() => actors.id, { onDelete: 'cascade' }),
    mode: text('mode', { enum: VERIFICATION_MODES }).notNull(),
    requestedAt: text('requested_at').notNull(),
    endedAt: text('ended_at'),
    outcome: text('outcome', { enum: ATTEMPT_OUTCOMES }).notNull(),
    /** core's Failure, when the attempt failed. */
    failure: text('failure', { mode: 'json' }).$type<unknown>(),
    /** core's Delivery (folder, latency, SPF/DKIM/DMARC), when the code was found. */
    delivery: text('delivery', { mode: 'json' }).$type<unknown>(),
    /** core's Attempt `sent`: when and by which server the coded email was accepted, its reply. */
    sent: text('sent', { mode: 'json' }).$type<unknown>(),
    /** When the actor took the task and began to look. */
    receivedAt: text('received_at'),
    /** The folders the actor searched, when it did not find the email. */
    searched: text('searched', { mode: 'json' }).$type<unknown>(),
  },
  (table) => [
    index('attempts_profile_actor_idx').on(table.profileId, table.actorId, table.requestedAt),
  ],
);

/** A profile's health as the Director keeps it: its next scheduled verification, what it alerted. */
export const profileHealth = sqliteTable('profile_health', {
  profileId: text('profile_id')
    .primaryKey()
    .references(() => profiles.id, { onDelete: 'cascade' }),
  /** When the scheduler verifies the profile next; null while it has no schedule. */
  nextRunAt: text('next_run_at'),
  /** The interval (hours) that run was planned with: a changed schedule is planned again. */
  scheduledHours: integer('scheduled_hours'),
  /** The health issue kinds last alerted, so an alert goes out once per new issue. */
  alerted: text('alerted', { mode: 'json' }).$type<string[]>().notNull(),
});

/** Director-wide health settings (default schedule, alert destinations): one row, id 1. */
export const healthSettings = sqliteTable(
  'health_settings',
  {
    id: integer('id').primaryKey(),
    publicFields: text('public_fields', { mode: 'json' }).$type<PublicFields>().notNull(),
    sealedSecrets: text('sealed_secrets', { mode: 'json' }).$type<SealedSecrets>().notNull(),
    /** The issue kinds of the Director's own sender last alerted. */
    senderAlerted: text('sender_alerted', { mode: 'json' }).$type<string[]>().notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [check('health_settings_single_row', sql`${table.id} = 1`)],
);
