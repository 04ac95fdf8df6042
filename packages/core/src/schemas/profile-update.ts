// Applying an update to a stored profile: a blank secret keeps the stored one only while
// everything it is sent to is unchanged (checkBlankSecrets over the fields marked `destination`).
import type { z } from 'zod';
import type {
  EmailProfile,
  EmailProfileUpdate,
  EmailProfileUpdateInput,
  PublicEmailProfile,
} from './profile.js';
import { emailProfileSchema, profileFieldSchemas } from './profile.js';
import { checkBlankSecrets, secretFieldsOf, type BlankSecretCheck } from './secret.js';
import { sameAddress } from '../validation/fields.js';

export type FieldIssue = { path: (string | number)[]; message: string };

export type MergeResult = { ok: true; profile: EmailProfile } | { ok: false; issues: FieldIssue[] };

export type ProfileSecretCheck = BlankSecretCheck & {
  /**
   * Gmail: the refresh token (and the account that consented) still applies: the client ID and
   * the mailbox address are the ones consent was given for.
   */
  keepConsent: boolean;
};

/**
 * Which secrets of a profile update a blank keeps, and why the others must be entered again: a
 * stored secret is kept only while the server type, servers, ports, encryption, certificate
 * trust, auth type, account username, tenant and client ID it is sent to are unchanged (for
 * IMAP/POP3 the one account password goes to both the incoming and the outgoing server). Works
 * from the public view of the stored profile, so the web form decides exactly as the Director
 * does; the update may be the form's input or the parsed update. Gmail's consent is kept while
 * its destination (the client ID) and the address are.
 */
export function profileSecretCheck(
  stored: EmailProfile | PublicEmailProfile,
  update: EmailProfileUpdate | EmailProfileUpdateInput,
): ProfileSecretCheck {
  const type = update.serverType;
  // Every secret a server type has is required, so the stored profile has each of its type's.
  const storedSecrets = secretFieldsOf(profileFieldSchemas[stored.serverType]);
  const check = checkBlankSecrets(profileFieldSchemas[type], stored, update, (key) =>
    storedSecrets.includes(key),
  );
  return {
    ...check,
    keepConsent:
      stored.serverType === 'gmail' &&
      type === 'gmail' &&
      check.changed.length === 0 &&
      sameAddress(stored.emailAddress, update.emailAddress),
  };
}

/** Merges a validated update into the stored profile (see profileSecretCheck). */
export function mergeProfileUpdate(
  existing: EmailProfile,
  update: EmailProfileUpdate,
): MergeResult {
  if (update.id !== existing.id) {
    return {
      ok: false,
      issues: [{ path: ['id'], message: 'The update is for a different profile' }],
    };
  }
  const check = profileSecretCheck(existing, update);
  if (check.issues.length > 0) return { ok: false, issues: check.issues };
  const stored = existing as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...update, manualCode: existing.manualCode };
  for (const key of check.keep) if (merged[key] === undefined) merged[key] = stored[key];
  if (check.keepConsent) {
    merged.refreshToken = stored.refreshToken;
    merged.consentedAddress = stored.consentedAddress;
  }
  const parsed = emailProfileSchema.safeParse(merged);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i: z.core.$ZodIssue) => ({
        path: i.path as (string | number)[],
        message: i.message,
      })),
    };
  }
  return { ok: true, profile: parsed.data };
}
