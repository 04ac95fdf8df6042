// The Director's own mail settings: one row, every secret (password, client secret, Gmail
// refresh token) sealed.
import {
  directorMailSettingsSchema,
  publicDirectorMailSettingsSchema,
  secretFieldsOf,
  type DirectorMailSettings,
  type PublicDirectorMailSettings,
} from '@email-profiles/core';
import { eq } from 'drizzle-orm';
import type { Vault } from '../secrets/vault.js';
import { now, parseStored, type Conn } from './database.js';
import { mailSettings } from './schema.js';
import { openSecrets, sealSecrets } from './sealed.js';

const ROW_ID = 1;
const CONTEXT = 'mail-settings';

/** The sealed fields, from core's `secret()` marks on every sending method. */
const secretKeys = [
  ...new Set(directorMailSettingsSchema.options.flatMap((option) => secretFieldsOf(option))),
];

export function saveMailSettings(db: Conn, vault: Vault, settings: DirectorMailSettings): void {
  const valid = directorMailSettingsSchema.parse(settings);
  const { publicFields, sealedSecrets } = sealSecrets(vault, valid, secretKeys, CONTEXT);
  const updatedAt = now();
  db.insert(mailSettings)
    .values({ id: ROW_ID, publicFields, sealedSecrets, updatedAt })
    .onConflictDoUpdate({
      target: mailSettings.id,
      set: { publicFields, sealedSecrets, updatedAt },
    })
    .run();
}

/**
 * What the browser may see: no secret; for SMTP whether a password is stored, for Gmail whether
 * the consent is done. Opens nothing.
 */
export function getPublicMailSettings(db: Conn): PublicDirectorMailSettings | undefined {
  const row = db.select().from(mailSettings).where(eq(mailSettings.id, ROW_ID)).get();
  if (!row) return undefined;
  const method = row.publicFields.method;
  return parseStored(publicDirectorMailSettingsSchema, 'mail settings', {
    ...row.publicFields,
    ...(method === 'smtp' ? { passwordSet: 'password' in row.sealedSecrets } : {}),
    ...(method === 'gmail' ? { consentGranted: 'refreshToken' in row.sealedSecrets } : {}),
  });
}

/** The settings with their secrets opened, for sending. */
export function loadMailSettings(db: Conn, vault: Vault): DirectorMailSettings | undefined {
  const row = db.select().from(mailSettings).where(eq(mailSettings.id, ROW_ID)).get();
  if (!row) return undefined;
  return parseStored(directorMailSettingsSchema, 'mail settings', {
    ...row.publicFields,
    ...openSecrets(vault, row.sealedSecrets, CONTEXT),
  });
}
