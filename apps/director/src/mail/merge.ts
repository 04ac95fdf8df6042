// Applying a settings update to the stored settings: a blank secret keeps the stored one while the
// sending method stays the same; Gmail's consent is kept while it still applies.
import {
  directorMailSettingsSchema,
  mailSettingsFieldSchemas,
  secretFieldsOf,
  type DirectorMailSettings,
  type DirectorMailSettingsUpdate,
  type FieldIssue,
} from '@email-profiles/core';

export type MergedSettings =
  { ok: true; settings: DirectorMailSettings } | { ok: false; issues: FieldIssue[] };

const sameAddress = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export function mergeMailSettings(
  stored: DirectorMailSettings | undefined,
  update: DirectorMailSettingsUpdate,
): MergedSettings {
  const merged: Record<string, unknown> = { ...update };
  const same = stored?.method === update.method ? (stored as Record<string, unknown>) : undefined;
  for (const key of secretFieldsOf(mailSettingsFieldSchemas[update.method])) {
    if (merged[key] === undefined && same) merged[key] = same[key];
  }
  // Without authentication there is no password to keep.
  if (update.method === 'smtp' && !update.requiresAuth) delete merged.password;
  // A refresh token belongs to its OAuth client and to the account that consented.
  if (
    stored?.method === 'gmail' &&
    update.method === 'gmail' &&
    stored.clientId === update.clientId &&
    sameAddress(stored.fromAddress, update.fromAddress)
  ) {
    merged.refreshToken = stored.refreshToken;
    merged.consentedAddress = stored.consentedAddress;
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
