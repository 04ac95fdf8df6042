// Editing something that holds secrets (a profile, the Director's mail settings), one rule for
// both and for the Director and the web form alike: a blank secret keeps the stored one only while
// everything it is sent to is unchanged (checkBlankSecrets), and a Google refresh token only while
// its OAuth client and the consenting account are; the merge copies exactly what the check kept.
import type { z } from 'zod';
import { checkBlankSecrets, type BlankSecretCheck } from './secret.js';
import { sameAddress } from '../validation/fields.js';

export type FieldIssue = { path: (string | number)[]; message: string };

export type SecretCheck = BlankSecretCheck & {
  /** Gmail: the refresh token (and the account that consented) still applies. */
  keepConsent: boolean;
};

export type SecretCheckInput = {
  /** The update's variant (its secrets and destinations marked). */
  schema: z.ZodObject;
  stored: object | undefined;
  update: object;
  hasStored: (key: string) => boolean;
  uses?: (key: string) => boolean;
  /** Both stored and update hold a Google consent, and the addresses consent is tied to. */
  consent?: { stored: string; update: string };
};

export function checkSecrets(input: SecretCheckInput): SecretCheck {
  const check = checkBlankSecrets(
    input.schema,
    input.stored,
    input.update,
    input.hasStored,
    input.uses,
  );
  return {
    ...check,
    keepConsent:
      input.consent !== undefined &&
      check.changed.length === 0 &&
      sameAddress(input.consent.stored, input.consent.update),
  };
}

export type Merged<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

const issuesOf = (error: z.ZodError): FieldIssue[] =>
  error.issues.map((issue) => ({
    path: issue.path as (string | number)[],
    message: issue.message,
  }));

/** The update with what the check keeps of the stored values, parsed as stored. */
export function mergeSecrets<T>(
  schema: z.ZodType<T>,
  stored: object | undefined,
  update: object,
  check: SecretCheck,
  extra: Record<string, unknown> = {},
): Merged<T> {
  if (check.issues.length > 0) return { ok: false, issues: check.issues };
  const before = (stored ?? {}) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...update, ...extra };
  for (const key of check.keep) if (merged[key] === undefined) merged[key] = before[key];
  // A refresh token belongs to its OAuth client and to the account that consented.
  if (check.keepConsent) {
    merged.refreshToken = before.refreshToken;
    merged.consentedAddress = before.consentedAddress;
  }
  const parsed = schema.safeParse(merged);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, issues: issuesOf(parsed.error) };
}

/**
 * An update schema refined with the secret check, for a form: the same issues the Director would
 * answer, on their fields, also while other fields are still invalid (every problem at once).
 */
export function withSecretCheck<S extends z.ZodType>(
  schema: S,
  check: (value: z.output<S>) => SecretCheck | undefined,
) {
  return schema.superRefine(
    (value, ctx) => {
      for (const issue of check(value)?.issues ?? []) {
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );
}
