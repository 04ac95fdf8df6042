// What is wrong with a profile now, or soon: the health summary of the profiles page, each
// profile's own, and the Director's alerts all read it from here. Pure; `now` is given.
import { z } from 'zod';
import { readsOtherMailboxes } from '../transport/delivery.js';
import type { ProfileListItem } from './profile-list.js';
import {
  daysUntil,
  EXPIRY_WARNING_DAYS,
  isStale,
  scheduleHours,
  SCHEDULES,
  TESTING_CONSENT_DAYS,
  utcMinute,
  type Schedule,
} from './health.js';

export const HEALTH_KINDS = [
  'failing',
  'unverified',
  'stale',
  'secret_expired',
  'secret_expiring',
  'consent_expired',
  'consent_expiring',
  'overprivileged',
] as const;
export const healthKindSchema = z.enum(HEALTH_KINDS);
export type HealthKind = z.infer<typeof healthKindSchema>;

export const healthIssueSchema = z.object({
  kind: healthKindSchema,
  severity: z.enum(['warning', 'critical']),
  /** One sentence, for the profile's row, its health panel and the alert. */
  message: z.string(),
});
export type HealthIssue = z.infer<typeof healthIssueSchema>;

const DAY_MS = 86_400_000;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "in 5 days", "today", "2 days ago" */
function inDays(days: number): string {
  if (days === 0) return 'today';
  return days > 0 ? `in ${plural(days, 'day')}` : `${plural(-days, 'day')} ago`;
}

/** The issues of an expiry date: expired, or within the warning days (the nearer, critical). */
function expiryIssues(expiresOn: string | undefined, what: string, now: number): HealthIssue[] {
  if (expiresOn === undefined) return [];
  const days = daysUntil(expiresOn, now);
  if (days < 0) {
    return [
      { kind: 'secret_expired', severity: 'critical', message: `${what} expired on ${expiresOn}` },
    ];
  }
  const [warn, urgent] = EXPIRY_WARNING_DAYS;
  if (days > warn) return [];
  return [
    {
      kind: 'secret_expiring',
      severity: days <= urgent ? 'critical' : 'warning',
      message: `${what} expires on ${expiresOn} (${inDays(days)})`,
    },
  ];
}

/** Consent of a Google app in Testing: Google ends it 7 days after it was given. */
function testingConsentIssues(
  inTesting: boolean | undefined,
  consentedAt: string | undefined,
  now: number,
): HealthIssue[] {
  if (!inTesting || consentedAt === undefined) return [];
  const given = Date.parse(consentedAt);
  if (now - given < (TESTING_CONSENT_DAYS - 1) * DAY_MS) return []; // warn from day 6
  const endsAt = given + TESTING_CONSENT_DAYS * DAY_MS;
  if (endsAt <= now) {
    const message =
      'Google has ended the consent (the app is in Testing, which allows 7 days): authorise again, or publish the app';
    return [{ kind: 'consent_expired', severity: 'critical', message }];
  }
  const message = `Google ends the consent on ${utcMinute(endsAt)} (the app is in Testing, which allows 7 days): publish the app to keep it`;
  return [{ kind: 'consent_expiring', severity: 'critical', message }];
}

/** Everything wrong with one profile at `now`, most serious first. */
export function profileHealth(
  item: ProfileListItem,
  directorDefault: Schedule,
  now: number,
): HealthIssue[] {
  const { profile, actors } = item;
  const issues: HealthIssue[] = [];
  const failed = actors.filter((actor) => actor.failure !== undefined);
  const signals = new Set(failed.map((actor) => actor.failure?.signal));
  const expired = failed.find((actor) => actor.failure?.signal === 'aadsts7000222')?.failure;
  if (expired) {
    // The Director's own sender (its Email Settings), or the profile's app.
    const where = expired.origin === 'director' ? 'Email Settings' : 'the profile';
    issues.push({
      kind: 'secret_expired',
      severity: 'critical',
      message: `The client secret has expired (AADSTS7000222): create a new one under App registrations › Certificates & secrets and enter its Value in ${where}`,
    });
  } else {
    issues.push(...expiryIssues(profile.clientSecretExpiresOn, 'The client secret', now));
  }
  if (signals.has('google-invalid-grant')) {
    issues.push({
      kind: 'consent_expired',
      severity: 'critical',
      message:
        'Google no longer accepts the consent (invalid_grant): click "Authorise with Google" on the profile again',
    });
  } else {
    issues.push(...testingConsentIssues(profile.googleAppInTesting, profile.consentedAt, now));
  }
  if (failed.length > 0) {
    const first = failed[0]?.failure;
    issues.push({
      kind: 'failing',
      severity: 'critical',
      message: `${plural(failed.length, 'actor')} of ${actors.length} failed${first ? ` at ${first.stage}: ${first.summary}` : ''}`,
    });
  }
  const unverified = actors.filter((actor) => actor.status === 'unverified' && !actor.failure);
  if (unverified.length > 0) {
    issues.push({
      kind: 'unverified',
      severity: 'warning',
      message: `${plural(unverified.length, 'actor')} of ${actors.length} not verified`,
    });
  }
  const hours = profile.sendVerificationManually
    ? null
    : scheduleHours(profile.schedule, directorDefault);
  if (isStale(item.oldestVerifiedAt, hours, now) && item.oldestVerifiedAt !== null) {
    const schedule = profile.schedule === 'default' ? directorDefault : profile.schedule;
    const days = Math.floor((now - Date.parse(item.oldestVerifiedAt)) / DAY_MS);
    issues.push({
      kind: 'stale',
      severity: 'warning',
      message: `Not verified by every actor since ${utcMinute(item.oldestVerifiedAt)} (${days > 0 ? inDays(-days) : 'today'}), scheduled ${SCHEDULES[schedule].label.toLowerCase()}`,
    });
  }
  if (item.access && readsOtherMailboxes(item.access)) {
    issues.push({
      kind: 'overprivileged',
      severity: 'warning',
      message:
        item.access.canary === 'readable'
          ? 'The app read the canary mailbox: it can read other mailboxes of the tenant'
          : 'The app has tenant-wide mail permissions: it can read every mailbox of the tenant unless Exchange scopes it',
    });
  }
  return issues.sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1,
  );
}

/** The issues of the Director's own sender (Email Settings): its secret and its consent. */
export function senderHealth(
  settings: {
    method: string;
    clientSecretExpiresOn?: string | undefined;
    googleAppInTesting?: boolean | undefined;
    consentedAt?: string | undefined;
  },
  now: number,
): HealthIssue[] {
  return [
    ...expiryIssues(settings.clientSecretExpiresOn, "Email Settings' client secret", now),
    ...testingConsentIssues(settings.googleAppInTesting, settings.consentedAt, now),
  ];
}

/** A PowerShell single-quoted string: nothing in it is interpolated; a quote is doubled. */
const psQuoted = (value: string) => `'${value.replaceAll("'", "''")}'`;

/**
 * The PowerShell that scopes a Graph app to the profile's mailbox with Exchange Online's RBAC
 * for Applications, then removes the tenant-wide Entra grant (the two add up) and confirms with
 * Test-ServicePrincipalAuthorization. The service principal is looked up from the profile's own
 * client ID inside the script (never taken from what an actor reported), and every value is
 * quoted for PowerShell, so an address (which may hold ' $ or `) is only ever data.
 */
export function scopingCommands(input: {
  clientId: string;
  emailAddress: string;
  canaryAddress?: string | undefined;
}): string {
  const scope = psQuoted(`Email Profiles: ${input.emailAddress}`);
  // The OPATH filter is itself a string with a quoted value: quoted once for OPATH, once for PS.
  const filter = psQuoted(
    `EmailAddresses -eq '${`SMTP:${input.emailAddress}`.replaceAll("'", "''")}'`,
  );
  return [
    '# As an administrator, in PowerShell with the Microsoft Graph and Exchange Online modules.',
    "Connect-MgGraph -Scopes 'Application.Read.All', 'AppRoleAssignment.ReadWrite.All'",
    `$sp = Get-MgServicePrincipal -Filter ${psQuoted(`appId eq '${input.clientId.replaceAll("'", "''")}'`)}`,
    'Connect-ExchangeOnline',
    '',
    "# 1. The app in Exchange (its enterprise application's object ID, not the registration's)",
    `New-ServicePrincipal -AppId $sp.AppId -ObjectId $sp.Id -DisplayName ${psQuoted(`Email Profiles (${input.emailAddress})`)}`,
    '',
    "# 2. A scope holding only the profile's mailbox",
    `New-ManagementScope -Name ${scope} -RecipientRestrictionFilter ${filter}`,
    '',
    '# 3. Read and send in that mailbox only',
    `New-ManagementRoleAssignment -App $sp.Id -Role 'Application Mail.Read' -CustomResourceScope ${scope}`,
    `New-ManagementRoleAssignment -App $sp.Id -Role 'Application Mail.Send' -CustomResourceScope ${scope}`,
    '',
    '# 4. Remove the tenant-wide Mail.* grant: Entra and Exchange grants add up, so it would still',
    '#    reach every mailbox (or: Enterprise applications › the app › Permissions › Revoke).',
    '$graph = Get-MgServicePrincipal -Filter "appId eq \'00000003-0000-0000-c000-000000000000\'"',
    "$mail = $graph.AppRoles | Where-Object { $_.Value -like 'Mail.*' } | ForEach-Object { $_.Id }",
    'Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $sp.Id | Where-Object { $mail -contains $_.AppRoleId } | ForEach-Object { Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $sp.Id -AppRoleAssignmentId $_.Id }',
    '',
    '# 5. Confirm (this bypasses the permission cache, which takes 30 minutes to 2 hours)',
    `Test-ServicePrincipalAuthorization -Identity $sp.Id -Resource ${psQuoted(input.emailAddress)}  # InScope: True`,
    ...(input.canaryAddress
      ? [
          `Test-ServicePrincipalAuthorization -Identity $sp.Id -Resource ${psQuoted(input.canaryAddress)}  # InScope: False`,
        ]
      : []),
  ].join('\n');
}
