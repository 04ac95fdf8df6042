// Applying an update to the Director's stored mail settings: a blank secret keeps the stored one
// only while everything it is sent to is unchanged (checkBlankSecrets over the fields marked
// `destination`); Gmail's consent is kept while its client and the consenting address are.
import type {
  DirectorMailSettings,
  DirectorMailSettingsUpdate,
  DirectorMailSettingsUpdateInput,
  PublicDirectorMailSettings,
} from './mail-settings.js';
import { directorMailSettingsSchema, mailSettingsFieldSchemas } from './mail-settings.js';
import type { FieldIssue, ProfileSecretCheck } from './profile-update.js';
import { checkBlankSecrets, secretFieldsOf } from './secret.js';
import { sameAddress } from '../validation/fields.js';

export type MailSettingsSecretCheck = ProfileSecretCheck;

export type MergedSettings =
  { ok: true; settings: DirectorMailSettings } | { ok: false; issues: FieldIssue[] };

/**
 * Which secrets of a settings update a blank keeps, and why the others must be entered again:
 * kept only while the method, server address, port, encryption, certificate trust, "requires
 * authentication", auth type, user name, tenant and client ID are unchanged. From the stored
 * settings or their public view (which says `passwordSet`), so the web form decides as the
 * Director does. Without authentication the SMTP password is not used, so nothing is asked.
 */
export function mailSettingsSecretCheck(
  stored: DirectorMailSettings | PublicDirectorMailSettings | null | undefined,
  update: DirectorMailSettingsUpdate | DirectorMailSettingsUpdateInput,
): MailSettingsSecretCheck {
  const storedSecrets = stored ? secretFieldsOf(mailSettingsFieldSchemas[stored.method]) : [];
  const hasStored = (key: string) => {
    if (!stored || !storedSecrets.includes(key)) return false;
    // Office 365 and Gmail always have their client secret; SMTP's password is optional.
    if (stored.method !== 'smtp') return true;
    return 'passwordSet' in stored ? stored.passwordSet : stored.password !== undefined;
  };
  const uses = (key: string) =>
    !(update.method === 'smtp' && key === 'password' && !update.requiresAuth);
  const check = checkBlankSecrets(
    mailSettingsFieldSchemas[update.method],
    stored ?? undefined,
    update,
    hasStored,
    uses,
  );
  return {
    ...check,
    keepConsent:
      stored?.method === 'gmail' &&
      update.method === 'gmail' &&
      check.changed.length === 0 &&
      sameAddress(stored.fromAddress, update.fromAddress),
  };
}

/** Merges a validated update into the stored settings (see mailSettingsSecretCheck). */
export function mergeMailSettings(
  stored: DirectorMailSettings | undefined,
  update: DirectorMailSettingsUpdate,
): MergedSettings {
  const check = mailSettingsSecretCheck(stored, update);
  if (check.issues.length > 0) return { ok: false, issues: check.issues };
  const before = (stored ?? {}) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...update };
  for (const key of check.keep) if (merged[key] === undefined) merged[key] = before[key];
  // Without authentication there is no password to keep.
  if (update.method === 'smtp' && !update.requiresAuth) delete merged.password;
  // A refresh token belongs to its OAuth client and to the account that consented.
  if (check.keepConsent) {
    merged.refreshToken = before.refreshToken;
    merged.consentedAddress = before.consentedAddress;
  }
  const parsed = directorMailSettingsSchema.safeParse(merged);
  if (parsed.success) return { ok: true, settings: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({
      path: issue.path as (string | number)[],
      message: issue.message,
    })),
  };
}
