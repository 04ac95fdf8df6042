// What the Microsoft Graph transport says when it knows more than core's signals: which
// permission is missing, that an access policy keeps the app out, that the network path is
// HTTPS to Microsoft. Kept here, beside the taxonomy, so docs/troubleshooting.md lists them too.
import { sideOf, type Failure, type FailureObservation } from './taxonomy.js';

/** Mail.Read for reading, Mail.Send for sending, Mail.ReadWrite for the optional clean-up. */
export type MailPermission = 'Mail.Read' | 'Mail.Send' | 'Mail.ReadWrite';

export type GraphExplanation = Partial<Pick<Failure, 'summary' | 'hint'>>;

export function listPermissions(names: readonly string[]): string {
  return names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}

const CONSENT_STEPS =
  'In Entra ID > App registrations > (the app) > API permissions, add it under Microsoft Graph > Application permissions (not Delegated), then click "Grant admin consent".';

export function grantHint(names: readonly MailPermission[]): string {
  const plural = names.length > 1;
  return `Grant the application the Microsoft Graph application permission${plural ? 's' : ''} ${listPermissions(names)}. ${CONSENT_STEPS.replace('add it', plural ? 'add them' : 'add it')}`;
}

const POLICY_NOTE =
  'If an Exchange application access policy restricts the app, add this mailbox to the policy’s group.';

/** Every summary and hint the Graph transport puts over core's, by situation. */
export const graphExplanations = {
  /** Graph answered 403 (or 401 access denied) naming an application access policy. */
  accessPolicy: {
    summary: 'An Exchange application access policy keeps the application out of this mailbox.',
    hint: 'Add this mailbox to the mail-enabled security group the policy names (Exchange Online PowerShell: Get-ApplicationAccessPolicy, then Test-ApplicationAccessPolicy -Identity <mailbox> -AppId <client ID>). Changes can take up to an hour to apply.',
  },
  /** Graph denied a request that needs `need`. */
  denied: (need: MailPermission): GraphExplanation => ({
    summary: `The application may not use this mailbox: Microsoft Graph denied ${need}.`,
    hint: `${grantHint([need])} ${POLICY_NOTE}`,
  }),
  /** The token's roles lack permissions the actor needs (found by the probe). */
  missingPermissions: (missing: readonly MailPermission[]): GraphExplanation => ({
    summary: `The application has not been granted ${listPermissions(missing)}.`,
    hint: `${grantHint(missing)} A Delegated permission of the same name does not count: every request is made as the application itself.`,
  }),
  /** Graph answered 401 to a request with a fresh token. */
  tokenRejected: {
    summary: 'Microsoft Graph did not accept the access token.',
    hint: 'Try again: a new token is requested. If it persists, check that the chosen Microsoft cloud is the tenant’s cloud.',
  },
  /** The token endpoint refused without an AADSTS code core knows. */
  tokenNotIssued: {
    summary: 'Microsoft Entra ID did not issue an access token.',
    hint: 'Check the Directory (tenant) ID, the Application (client) ID, the client secret Value and the chosen Microsoft cloud.',
  },
  /** A 2xx answer that is not what the API documents. */
  unexpectedAnswer: {
    hint: 'The answer did not come from Microsoft Graph or Entra ID as documented. If custom endpoints (a proxy) are configured, check that they forward to Microsoft unchanged.',
  },
  /** The HTTPS connection to `host` failed certificate or TLS checks. */
  httpsTls: (host: string, origin?: FailureObservation['origin']): GraphExplanation => ({
    hint: `The HTTPS connection to ${host} failed its certificate or TLS checks (see the server text). If a device on the network inspects HTTPS, ${sideOf({ origin }).who} must trust its CA (for Node: NODE_EXTRA_CA_CERTS); do not turn verification off.`,
  }),
  /** DNS or TCP to `host` failed. */
  httpsUnreachable: (host: string, origin?: FailureObservation['origin']): GraphExplanation => ({
    hint: `${host} could not be reached over HTTPS. Check the DNS, firewall and outbound proxy rules of ${sideOf({ origin }).host} for ${host} (port 443), and that the right Microsoft cloud is chosen.`,
  }),
} as const;
