// Mailbox health: how often a profile is verified again on its own, when its secrets expire, and
// what is wrong with it now. Pure: the Director's scheduler and alerts, and the web app's health
// summary, read the same rules from here.
import { z } from 'zod';
import { emailAddressSchema } from '../validation/fields.js';
import { lineSafe } from '../validation/text.js';
import { destination, publicObject, secret, updateObject } from './secret.js';
import type { FieldIssue } from './secret-update.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A moment as health messages write it, to the minute: "2026-12-01 03:00 UTC". */
export const utcMinute = (at: number | string) =>
  `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The intervals a profile can be verified again at, declared once (the form's choices). */
export const SCHEDULES = {
  off: { label: 'Off', hours: null },
  '6h': { label: 'Every 6 hours', hours: 6 },
  '12h': { label: 'Every 12 hours', hours: 12 },
  daily: { label: 'Daily', hours: 24 },
  weekly: { label: 'Weekly', hours: 168 },
} as const satisfies Record<string, { label: string; hours: number | null }>;

export type Schedule = keyof typeof SCHEDULES;
export const SCHEDULE_NAMES = Object.keys(SCHEDULES) as [Schedule, ...Schedule[]];
export const scheduleSchema = z.enum(SCHEDULE_NAMES, { error: 'Choose how often to verify' });
export const scheduleLabels = Object.fromEntries(
  SCHEDULE_NAMES.map((name) => [name, SCHEDULES[name].label]),
) as Record<Schedule, string>;

/** A profile's own choice: `default` follows the Director-wide default (Settings › Health). */
export const profileScheduleSchema = z.enum(['default', ...SCHEDULE_NAMES], {
  error: 'Choose how often to verify',
});
export type ProfileSchedule = z.infer<typeof profileScheduleSchema>;

/** The interval a profile is verified again at, in hours, or null when it is not. */
export function scheduleHours(own: ProfileSchedule, directorDefault: Schedule): number | null {
  return SCHEDULES[own === 'default' ? directorDefault : own].hours;
}

/**
 * When a scheduled verification runs next: one interval after the last, less a random part of
 * its spread (a tenth of the interval, at most an hour), so that profiles saved or verified
 * together drift apart instead of verifying at once. `random` is in [0, 1).
 */
export function nextScheduledRun(lastRunAt: number, hours: number, random: number): number {
  const interval = hours * HOUR_MS;
  return lastRunAt + interval - random * Math.min(interval / 10, HOUR_MS);
}

/**
 * Stale: a scheduled profile whose oldest actor success is older than its interval and a quarter
 * (the spread and a verification's own time fit well inside that).
 */
export function isStale(oldestVerifiedAt: string | null, hours: number | null, now: number) {
  if (hours === null || oldestVerifiedAt === null) return false;
  return now - Date.parse(oldestVerifiedAt) > hours * HOUR_MS * 1.25;
}

/** An expiry date as Entra ID shows it ("Expires"): a calendar date, YYYY-MM-DD. */
export const expiryDateSchema = z
  .string({ error: 'Enter the date as YYYY-MM-DD' })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date as YYYY-MM-DD, as Entra ID shows it')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, 'That is not a date of the calendar')
  .refine((value) => value >= '2000-01-01' && value <= '2099-12-31', 'Enter a date this century');

/** Days before an expiry that warn (and, at the second, urgently). */
export const EXPIRY_WARNING_DAYS = [30, 7] as const;

/** Whole days from `now` until the end of the expiry date (UTC); negative once it has passed. */
export function daysUntil(expiryDate: string, now: number): number {
  return Math.floor((Date.parse(`${expiryDate}T23:59:59.999Z`) - now) / DAY_MS);
}

/** Google ends a refresh token 7 days after consent when the app's publishing status is Testing. */
export const TESTING_CONSENT_DAYS = 7;

/**
 * An alert webhook: HTTPS (HTTP only to a loopback address, for a receiver on the Director's own
 * host), no credentials in the URL (the signing secret is how a receiver trusts the call).
 */
export const webhookUrlSchema = z
  .string({ error: 'Enter the webhook URL' })
  .trim()
  .max(2048, 'A URL can be at most 2048 characters')
  .superRefine((value, ctx) => {
    const problem = webhookUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

function webhookUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter a full URL, like https://alerts.example.com/email-profiles';
  }
  if (url.username !== '' || url.password !== '') {
    return 'Leave credentials out of the URL: receivers check the signature instead';
  }
  const loopback = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/.test(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return undefined;
  return 'Use an https:// URL (http:// only to this host itself)';
}

const webhookSecretSchema = secret(
  z
    .string({ error: 'Enter the signing secret' })
    .min(16, 'Use a signing secret of at least 16 characters')
    .max(256, 'A signing secret can be at most 256 characters')
    .refine(...lineSafe('signing secret')),
);

/** Director-wide health settings: the default schedule and where alerts go. */
export const healthSettingsSchema = z.object({
  defaultSchedule: scheduleSchema.default('off'),
  /** Addresses alerted by email, through the Director's own Email Settings. */
  alertEmails: z
    .array(emailAddressSchema)
    .max(20, 'At most 20 addresses')
    .refine((list) => new Set(list).size === list.length, 'An address is listed twice')
    .default([]),
  webhookUrl: destination(webhookUrlSchema, 'the webhook URL').optional(),
  /** Signs each webhook call (HMAC-SHA256), write-only like every secret. */
  webhookSecret: webhookSecretSchema.optional(),
});
export type HealthSettings = z.infer<typeof healthSettingsSchema>;

/** What the browser sees: no secret, whether one is stored. */
export const publicHealthSettingsSchema = publicObject(healthSettingsSchema).extend({
  webhookSecretSet: z.boolean(),
});
export type PublicHealthSettings = z.infer<typeof publicHealthSettingsSchema>;

/** An update: a blank signing secret keeps the stored one while the webhook URL is unchanged. */
export const healthSettingsUpdateSchema = updateObject(healthSettingsSchema).superRefine(
  (value, ctx) => {
    if (value.webhookSecret !== undefined && value.webhookUrl === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['webhookUrl'],
        message: 'Enter the webhook URL the secret signs for',
      });
    }
  },
);
export type HealthSettingsUpdate = z.infer<typeof healthSettingsUpdateSchema>;
export type HealthSettingsUpdateInput = z.input<typeof healthSettingsUpdateSchema>;

/**
 * Why an update's signing secret must be typed (undefined: it is given, or the stored one is
 * kept): a blank keeps the stored secret only while the webhook URL is the one it was entered
 * for, since a secret is never sent to a destination other than its own. From the stored
 * settings or their public view, so the form decides as the Director does.
 */
export function webhookSecretProblem(
  stored: { webhookUrl?: string | undefined; hasSecret: boolean } | undefined,
  update: { webhookUrl?: string | undefined; webhookSecret?: string | undefined },
): string | undefined {
  if (update.webhookUrl === undefined || (update.webhookSecret ?? '') !== '') return undefined;
  if (stored?.hasSecret && stored.webhookUrl === update.webhookUrl) return undefined;
  return stored?.hasSecret
    ? 'The webhook URL changed: enter the signing secret again'
    : 'Enter the signing secret';
}

/** The stored settings after an update, or why not (see webhookSecretProblem). */
export function mergeHealthSettings(
  stored: HealthSettings | undefined,
  update: HealthSettingsUpdate,
): { ok: true; value: HealthSettings } | { ok: false; issues: FieldIssue[] } {
  const { webhookSecret, ...rest } = update;
  const problem = webhookSecretProblem(
    stored && { webhookUrl: stored.webhookUrl, hasSecret: stored.webhookSecret !== undefined },
    update,
  );
  if (problem) return { ok: false, issues: [{ path: ['webhookSecret'], message: problem }] };
  if (rest.webhookUrl === undefined) return { ok: true, value: healthSettingsSchema.parse(rest) };
  return {
    ok: true,
    value: healthSettingsSchema.parse({
      ...rest,
      webhookSecret: webhookSecret ?? stored?.webhookSecret,
    }),
  };
}

/** The header a webhook receiver checks: `sha256=` and the HMAC of `${timestamp}.${body}`. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-email-profiles-signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'x-email-profiles-timestamp';
