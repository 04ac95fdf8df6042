import { describe, expect, it } from 'vitest';
import { explainFailure } from '../failures/taxonomy.js';
import { daysUntil, expiryDateSchema, isStale, nextScheduledRun, scheduleHours } from './health.js';
import { listedFailure, type ProfileListItem } from './profile-list.js';
import { profileHealth, scopingCommands, senderHealth } from './profile-health.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const item = (over: Partial<ProfileListItem> = {}, profile = {}): ProfileListItem => ({
  profile: {
    id: 'p1',
    serverType: 'graph',
    emailAddress: 'box@example.test',
    sendVerificationManually: false,
    zoneId: null,
    schedule: 'daily',
    ...profile,
  },
  actors: [
    { actorId: 'a1', status: 'verified' },
    { actorId: 'a2', status: 'verified' },
  ],
  oldestVerifiedAt: new Date(NOW - HOUR).toISOString(),
  ...over,
});
const kinds = (issues: { kind: string }[]) => issues.map((issue) => issue.kind);

describe('schedules', () => {
  it('follows the Director-wide default unless the profile chooses', () => {
    expect(scheduleHours('default', 'off')).toBeNull();
    expect(scheduleHours('default', 'daily')).toBe(24);
    expect(scheduleHours('weekly', 'daily')).toBe(168);
    expect(scheduleHours('off', 'daily')).toBeNull();
  });

  it('spreads runs over a tenth of the interval, at most an hour, never later than due', () => {
    expect(nextScheduledRun(0, 24, 0)).toBe(24 * HOUR);
    expect(nextScheduledRun(0, 24, 0.5)).toBe(24 * HOUR - HOUR / 2);
    expect(nextScheduledRun(0, 6, 0.999)).toBeGreaterThan(6 * HOUR - 0.6 * HOUR);
  });

  it('calls a profile stale past its interval and a quarter, never an unscheduled one', () => {
    const at = (hoursAgo: number) => new Date(NOW - hoursAgo * HOUR).toISOString();
    expect(isStale(at(29), 24, NOW)).toBe(false);
    expect(isStale(at(31), 24, NOW)).toBe(true);
    expect(isStale(at(1000), null, NOW)).toBe(false);
    expect(isStale(null, 24, NOW)).toBe(false);
  });
});

describe('expiry dates', () => {
  it.each(['2026-02-30', '2026-13-01', '26-01-01', '2026-1-1', '1999-12-31'])(
    'refuses %j',
    (value) => {
      expect(expiryDateSchema.safeParse(value).success).toBe(false);
    },
  );

  it('counts whole days to the end of the date', () => {
    expect(daysUntil('2026-12-04', NOW)).toBe(0);
    expect(daysUntil('2026-12-11', NOW)).toBe(7);
    expect(daysUntil('2026-12-03', NOW)).toBe(-1);
  });
});

describe('profileHealth', () => {
  it('finds nothing wrong with a profile every actor verified within its schedule', () => {
    expect(profileHealth(item(), 'off', NOW)).toEqual([]);
  });

  it('warns 30 days before the client secret expires, critically from 7, and after', () => {
    const on = (days: number) => new Date(NOW + days * DAY).toISOString().slice(0, 10);
    expect(profileHealth(item({}, { clientSecretExpiresOn: on(31) }), 'off', NOW)).toEqual([]);
    expect(profileHealth(item({}, { clientSecretExpiresOn: on(30) }), 'off', NOW)).toEqual([
      {
        kind: 'secret_expiring',
        severity: 'warning',
        message: `The client secret expires on ${on(30)} (in 30 days)`,
      },
    ]);
    expect(profileHealth(item({}, { clientSecretExpiresOn: on(7) }), 'off', NOW)[0]).toMatchObject({
      kind: 'secret_expiring',
      severity: 'critical',
    });
    expect(profileHealth(item({}, { clientSecretExpiresOn: on(-1) }), 'off', NOW)[0]).toMatchObject(
      { kind: 'secret_expired', severity: 'critical' },
    );
  });

  it('says "secret expired" with the renewal steps on AADSTS7000222, and "re-consent" on invalid_grant', () => {
    const failed = (signalOf: Parameters<typeof explainFailure>[0]) => {
      const failure = listedFailure(explainFailure(signalOf));
      return item({ actors: [{ actorId: 'a1', status: 'unverified', failure }] });
    };
    const expired = profileHealth(
      failed({
        stage: 'auth',
        protocol: 'graph',
        httpStatus: 401,
        serverText: 'invalid_client: AADSTS7000222: The provided client secret keys are expired.',
      }),
      'off',
      NOW,
    );
    expect(kinds(expired)).toEqual(['secret_expired', 'failing']);
    expect(expired[0]?.message).toMatch(
      /App registrations › Certificates & secrets and enter its Value in the profile$/,
    );
    const director = profileHealth(
      failed({
        stage: 'auth',
        protocol: 'graph',
        origin: 'director',
        httpStatus: 401,
        serverText: 'invalid_client: AADSTS7000222: The provided client secret keys are expired.',
      }),
      'off',
      NOW,
    );
    expect(director[0]?.message).toMatch(/enter its Value in Email Settings$/);
    const revoked = profileHealth(
      failed({
        stage: 'auth',
        protocol: 'gmail',
        serverText: 'invalid_grant: Token has been expired or revoked.',
      }),
      'off',
      NOW,
    );
    expect(kinds(revoked)).toEqual(['consent_expired', 'failing']);
    expect(revoked[0]?.message).toMatch(/Authorise with Google/);
  });

  it('warns from day 6 of a consent to a Google app in Testing', () => {
    const consented = (daysAgo: number) =>
      item(
        {},
        {
          serverType: 'gmail',
          googleAppInTesting: true,
          consentedAt: new Date(NOW - daysAgo * DAY).toISOString(),
        },
      );
    expect(profileHealth(consented(5), 'off', NOW)).toEqual([]);
    expect(profileHealth(consented(6.2), 'off', NOW)[0]?.message).toMatch(/in Testing/);
    expect(profileHealth(consented(8), 'off', NOW)[0]?.message).toMatch(/has ended the consent/);
  });

  it('is stale past its schedule (the profile’s own or the Director’s default), not in manual mode', () => {
    const old = { oldestVerifiedAt: new Date(NOW - 3 * DAY).toISOString() };
    expect(kinds(profileHealth(item(old), 'off', NOW))).toEqual(['stale']);
    expect(profileHealth(item(old), 'off', NOW)[0]?.message).toMatch(
      /since 2026-12-01 12:00 UTC \(3 days ago\), scheduled daily/,
    );
    expect(kinds(profileHealth(item(old, { schedule: 'default' }), 'weekly', NOW))).toEqual([]);
    expect(kinds(profileHealth(item(old, { schedule: 'default' }), 'daily', NOW))).toEqual([
      'stale',
    ]);
    expect(kinds(profileHealth(item(old, { sendVerificationManually: true }), 'off', NOW))).toEqual(
      [],
    );
  });

  it('warns of an app that can read other mailboxes', () => {
    const access = (canary: 'denied' | 'readable' | 'absent' | 'not_checked', roles: string[]) =>
      kinds(profileHealth(item({ access: { tenantWideRoles: roles, canary } }), 'off', NOW));
    expect(access('readable', [])).toEqual(['overprivileged']);
    expect(access('not_checked', ['Mail.Read', 'Mail.Send'])).toEqual(['overprivileged']);
    expect(access('absent', ['Mail.ReadWrite'])).toEqual(['overprivileged']);
    expect(access('denied', ['Mail.Read'])).toEqual([]); // scoped in Exchange
    expect(access('not_checked', ['Mail.Send'])).toEqual([]); // RBAC for Applications grants reading
  });
});

describe('senderHealth', () => {
  it("warns of the Director's own expiring secret", () => {
    expect(senderHealth({ method: 'graph', clientSecretExpiresOn: '2026-12-10' }, NOW)).toEqual([
      {
        kind: 'secret_expiring',
        severity: 'critical',
        message: "Email Settings' client secret expires on 2026-12-10 (in 6 days)",
      },
    ]);
  });
});

describe('scopingCommands', () => {
  it("looks the service principal up from the profile's own client ID, and confirms on both mailboxes", () => {
    const script = scopingCommands({
      clientId: '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b',
      emailAddress: 'box@contoso.example',
      canaryAddress: 'ceo@contoso.example',
    });
    expect(script).toContain(
      "$sp = Get-MgServicePrincipal -Filter 'appId eq ''0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b'''",
    );
    expect(script).toContain('New-ServicePrincipal -AppId $sp.AppId -ObjectId $sp.Id');
    expect(script).toContain(
      "New-ManagementScope -Name 'Email Profiles: box@contoso.example' -RecipientRestrictionFilter 'EmailAddresses -eq ''SMTP:box@contoso.example'''",
    );
    expect(script).toContain(`-Role 'Application Mail.Read' -CustomResourceScope`);
    expect(script).toContain(
      "Test-ServicePrincipalAuthorization -Identity $sp.Id -Resource 'ceo@contoso.example'  # InScope: False",
    );
  });

  it("keeps an address's ' $ and ` as data (PowerShell single quotes, doubled)", () => {
    const script = scopingCommands({
      clientId: 'c',
      emailAddress: "o'brien$(calc)`@contoso.example",
    });
    expect(script).toContain("-Resource 'o''brien$(calc)`@contoso.example'");
    // Every single quote of the address is doubled wherever it appears.
    expect(script).not.toMatch(/[^']'brien/);
  });
});
