import { describe, expect, it } from 'vitest';
import {
  healthSettingsSchema,
  healthSettingsUpdateSchema,
  mergeHealthSettings,
  webhookSecretProblem,
  webhookUrlSchema,
  type HealthSettings,
} from './health.js';
import { mailboxAccessSchema, worstAccess } from '../transport/delivery.js';
import { oldestVerifiedAt } from './profile-list.js';
import { historySummary, type HistoryEntry } from './verification-api.js';

const SECRET = 'a-signing-secret-of-32-characters!';
const URL_A = 'https://alerts.example.test/hook';

describe('webhook URLs', () => {
  it.each([URL_A, 'http://127.0.0.1:9000/hook', 'http://localhost/x', 'http://[::1]:8080/'])(
    'accepts %s',
    (url) => {
      expect(webhookUrlSchema.safeParse(url).success).toBe(true);
    },
  );

  it.each([
    ['not a URL', 'alerts.example.test/hook', /full URL/],
    ['plain HTTP elsewhere', 'http://alerts.example.test/hook', /https:\/\//],
    ['credentials in it', 'https://user:pw@alerts.example.test/', /credentials/],
    ['another scheme', 'ftp://alerts.example.test/', /https:\/\//],
  ])('refuses %s', (_, url, message) => {
    const result = webhookUrlSchema.safeParse(url);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(message);
  });
});

describe('health settings', () => {
  it('defaults to no schedule and no alerts', () => {
    expect(healthSettingsSchema.parse({})).toEqual({ defaultSchedule: 'off', alertEmails: [] });
  });

  it('refuses an address listed twice, a bad address, and a secret without its URL', () => {
    expect(
      healthSettingsSchema.safeParse({ alertEmails: ['a@example.test', 'a@example.test'] }).success,
    ).toBe(false);
    expect(healthSettingsSchema.safeParse({ alertEmails: ['nope'] }).success).toBe(false);
    const orphan = healthSettingsUpdateSchema.safeParse({ webhookSecret: SECRET });
    expect(orphan.error?.issues[0]).toMatchObject({ path: ['webhookUrl'] });
    expect(
      healthSettingsUpdateSchema.safeParse({ webhookUrl: URL_A, webhookSecret: 'short' }).success,
    ).toBe(false);
  });

  const stored: HealthSettings = healthSettingsSchema.parse({
    webhookUrl: URL_A,
    webhookSecret: SECRET,
  });
  const update = (input: object) => healthSettingsUpdateSchema.parse(input);

  it('keeps the stored signing secret while the URL is the same, and only then', () => {
    expect(mergeHealthSettings(stored, update({ webhookUrl: URL_A, webhookSecret: '' }))).toEqual({
      ok: true,
      value: { ...stored },
    });
    expect(mergeHealthSettings(stored, update({ webhookUrl: `${URL_A}/other` }))).toEqual({
      ok: false,
      issues: [
        {
          path: ['webhookSecret'],
          message: 'The webhook URL changed: enter the signing secret again',
        },
      ],
    });
    expect(mergeHealthSettings(undefined, update({ webhookUrl: URL_A }))).toMatchObject({
      ok: false,
      issues: [{ message: 'Enter the signing secret' }],
    });
    const moved = mergeHealthSettings(
      stored,
      update({ webhookUrl: `${URL_A}/other`, webhookSecret: `${SECRET}-new` }),
    );
    expect(moved).toEqual({
      ok: true,
      value: { ...stored, webhookUrl: `${URL_A}/other`, webhookSecret: `${SECRET}-new` },
    });
  });

  it('drops the webhook and its secret when the URL is removed', () => {
    expect(mergeHealthSettings(stored, update({ defaultSchedule: 'daily' }))).toEqual({
      ok: true,
      value: { defaultSchedule: 'daily', alertEmails: [] },
    });
  });

  it('decides from the public view as the Director does', () => {
    const view = { webhookUrl: URL_A, hasSecret: true };
    expect(webhookSecretProblem(view, { webhookUrl: URL_A })).toBeUndefined();
    expect(
      webhookSecretProblem(view, { webhookUrl: URL_A, webhookSecret: SECRET }),
    ).toBeUndefined();
    expect(webhookSecretProblem(view, {})).toBeUndefined();
    expect(webhookSecretProblem({ hasSecret: false }, { webhookUrl: URL_A })).toBe(
      'Enter the signing secret',
    );
  });
});

describe('oldestVerifiedAt', () => {
  it('is the oldest last success, or null while an actor has none', () => {
    const at = { a: '2026-12-02T00:00:00.000Z', b: '2026-12-01T00:00:00.000Z' };
    expect(oldestVerifiedAt(['a', 'b'], at)).toBe('2026-12-01T00:00:00.000Z');
    expect(oldestVerifiedAt(['a', 'c'], at)).toBeNull();
    expect(oldestVerifiedAt([], at)).toBeNull();
  });
});

describe('historySummary', () => {
  let n = 0;
  const entry = (outcome: HistoryEntry['outcome'], day: number, stage?: 'auth'): HistoryEntry => ({
    attemptId: `a${(n += 1)}`,
    requestedAt: `2026-11-${String(day).padStart(2, '0')}T03:00:00.000Z`,
    outcome,
    ...(stage
      ? {
          failure: { stage, origin: 'actor', summary: 'Login failed.', transient: false },
        }
      : {}),
  });

  it('reads a record off the attempts, newest first', () => {
    expect(historySummary([])).toBe('Never verified');
    expect(historySummary([entry('in_progress', 5)])).toBe('Verifying now');
    expect(historySummary([entry('verified', 2)])).toBe('Verified once since 2026-11-02 03:00 UTC');
    const days = Array.from({ length: 30 }, (_, i) => entry('verified', 30 - i));
    expect(historySummary(days)).toBe('Verified 30 times since 2026-11-01 03:00 UTC');
    const failing = [entry('failed', 30, 'auth'), entry('failed', 29, 'auth'), ...days.slice(2)];
    expect(historySummary(failing)).toBe(
      'Verified 28 times since 2026-11-01 03:00 UTC; failing since 2026-11-29 03:00 UTC at auth (2 attempts)',
    );
    expect(historySummary([entry('in_progress', 30), entry('failed', 29)])).toBe(
      'Never verified; failing since 2026-11-29 03:00 UTC (once)',
    );
  });
});

describe('worstAccess', () => {
  it('keeps what the most exposed actor saw, and a checked canary over an unchecked one', () => {
    const denied = { tenantWideRoles: ['Mail.Read'], canary: 'denied' as const };
    const readable = { tenantWideRoles: [], canary: 'readable' as const };
    const unchecked = { tenantWideRoles: [], canary: 'not_checked' as const };
    expect(worstAccess([denied, readable])).toBe(readable);
    expect(worstAccess([unchecked, denied])).toBe(denied);
    expect(worstAccess([])).toBeUndefined();
  });

  it('accepts only permission names as roles', () => {
    expect(
      mailboxAccessSchema.safeParse({ tenantWideRoles: ['Mail.Read'], canary: 'denied' }).success,
    ).toBe(true);
    expect(
      mailboxAccessSchema.safeParse({
        tenantWideRoles: ['Mail.Read\nOpen: https://x'],
        canary: 'denied',
      }).success,
    ).toBe(false);
  });
});
