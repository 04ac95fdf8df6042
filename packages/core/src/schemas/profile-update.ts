// Applying an update to a stored profile: blank secrets keep the stored ones, where that still
// makes sense.
import type { z } from 'zod';
import type { EmailProfile, EmailProfileUpdate } from './profile.js';
import { emailProfileSchema, profileFieldSchemas } from './profile.js';
import { secretFieldsOf } from './secret.js';

export type FieldIssue = { path: (string | number)[]; message: string };

export type MergeResult = { ok: true; profile: EmailProfile } | { ok: false; issues: FieldIssue[] };

function isMailServer(type: EmailProfile['serverType']): boolean {
  return type === 'imap' || type === 'pop3';
}

function label(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
}

/**
 * Merges a validated update into the stored profile. A blank secret keeps the stored secret while
 * it belongs to the same kind of account (IMAP and POP3 share the account password); after any
 * other server type change it must be entered again. Gmail consent is
 * kept only while the client ID stays the same (a refresh token belongs to its client).
 */
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
  const sameCredentials =
    update.serverType === existing.serverType ||
    (isMailServer(update.serverType) && isMailServer(existing.serverType));
  const issues: FieldIssue[] = [];
  const merged: Record<string, unknown> = { ...update, manualCode: existing.manualCode };
  for (const key of secretFieldsOf(profileFieldSchemas[update.serverType])) {
    if (merged[key] !== undefined) continue;
    const stored = sameCredentials ? (existing as Record<string, unknown>)[key] : undefined;
    if (stored === undefined) {
      issues.push({
        path: [key],
        message: `Enter the ${label(key)}: the server type changed, so the stored one does not apply`,
      });
    } else merged[key] = stored;
  }
  if (
    existing.serverType === 'gmail' &&
    update.serverType === 'gmail' &&
    existing.clientId === update.clientId
  ) {
    merged.refreshToken = existing.refreshToken;
    merged.consentedAddress = existing.consentedAddress;
  }
  if (issues.length > 0) return { ok: false, issues };
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
