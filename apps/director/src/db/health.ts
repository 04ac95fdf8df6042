// Mailbox health as stored: each profile's next scheduled verification and the issues it last
// alerted, and the Director-wide health settings (the webhook's signing secret sealed).
import {
  healthSettingsSchema,
  publicHealthSettingsSchema,
  secretFieldsOf,
  type HealthSettings,
  type PublicHealthSettings,
} from '@email-profiles/core';
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Vault } from '../secrets/vault.js';
import { now, parseStored, type Conn } from './database.js';
import { healthSettings, profileHealth, verifications } from './schema.js';
import { openSecrets, sealSecrets } from './sealed.js';

const ROW_ID = 1;
const CONTEXT = 'health-settings';
const secretKeys = secretFieldsOf(healthSettingsSchema);

export function saveHealthSettings(db: Conn, vault: Vault, settings: HealthSettings): void {
  const valid = healthSettingsSchema.parse(settings);
  const { publicFields, sealedSecrets } = sealSecrets(vault, valid, secretKeys, CONTEXT);
  const updatedAt = now();
  db.insert(healthSettings)
    .values({ id: ROW_ID, publicFields, sealedSecrets, senderAlerted: [], updatedAt })
    .onConflictDoUpdate({
      target: healthSettings.id,
      set: { publicFields, sealedSecrets, updatedAt },
    })
    .run();
}

function settingsRow(db: Conn) {
  return db.select().from(healthSettings).where(eq(healthSettings.id, ROW_ID)).get();
}

/** The settings with the signing secret opened (for the alerts); the defaults before any save. */
export function loadHealthSettings(db: Conn, vault: Vault): HealthSettings {
  const row = settingsRow(db);
  if (!row) return healthSettingsSchema.parse({});
  return parseStored(healthSettingsSchema, 'health settings', {
    ...row.publicFields,
    ...openSecrets(vault, row.sealedSecrets, CONTEXT),
  });
}

export function getPublicHealthSettings(db: Conn): PublicHealthSettings {
  const row = settingsRow(db);
  return parseStored(publicHealthSettingsSchema, 'health settings', {
    ...healthSettingsSchema.parse(row?.publicFields ?? {}),
    webhookSecretSet: row !== undefined && 'webhookSecret' in row.sealedSecrets,
  });
}

export function senderAlerted(db: Conn): string[] {
  return settingsRow(db)?.senderAlerted ?? [];
}

export function setSenderAlerted(db: Conn, vault: Vault, kinds: string[]): void {
  if (!settingsRow(db)) saveHealthSettings(db, vault, loadHealthSettings(db, vault));
  db.update(healthSettings)
    .set({ senderAlerted: kinds })
    .where(eq(healthSettings.id, ROW_ID))
    .run();
}

export type ProfileHealthRow = typeof profileHealth.$inferSelect;

export function getProfileHealth(db: Conn, profileId: string): ProfileHealthRow {
  return (
    db.select().from(profileHealth).where(eq(profileHealth.profileId, profileId)).get() ?? {
      profileId,
      nextRunAt: null,
      scheduledHours: null,
      alerted: [],
    }
  );
}

export function listProfileHealth(db: Conn): ProfileHealthRow[] {
  return db.select().from(profileHealth).all();
}

export function setProfileHealth(
  db: Conn,
  profileId: string,
  changes: Partial<Omit<ProfileHealthRow, 'profileId'>>,
): void {
  const row = { ...getProfileHealth(db, profileId), ...changes };
  db.insert(profileHealth)
    .values(row)
    .onConflictDoUpdate({
      target: profileHealth.profileId,
      set: { nextRunAt: row.nextRunAt, scheduledHours: row.scheduledHours, alerted: row.alerted },
    })
    .run();
}

/** When each actor last verified the profile (actors that never have are missing). */
export function lastVerifiedTimes(db: Conn, profileId: string): Record<string, string> {
  return Object.fromEntries(
    db
      .select({ actorId: verifications.actorId, at: verifications.lastVerifiedAt })
      .from(verifications)
      .where(and(eq(verifications.profileId, profileId), isNotNull(verifications.lastVerifiedAt)))
      .all()
      .flatMap((row) => (row.at === null ? [] : [[row.actorId, row.at]])),
  );
}

/** The latest time any actor of the profile verified it, or null. */
export function lastVerifiedOfProfile(db: Conn, profileId: string): string | null {
  return (
    db
      .select({ at: sql<string | null>`max(${verifications.lastVerifiedAt})` })
      .from(verifications)
      .where(eq(verifications.profileId, profileId))
      .get()?.at ?? null
  );
}

/** Forgets the actors' last successes: they were of a connection the profile no longer has. */
export function forgetLastVerified(db: Conn, profileId: string): void {
  db.update(verifications)
    .set({ lastVerifiedAt: null })
    .where(eq(verifications.profileId, profileId))
    .run();
}
