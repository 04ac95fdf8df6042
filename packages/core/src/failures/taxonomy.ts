// The failure taxonomy: every failure has a stage, the server's own words where there are any,
// and a hint a user can act on. Transports report what they observed; `explainFailure` turns it
// into a Failure using the table of known signals below.
import { z } from 'zod';
import { inertText, reportedTextSchema } from '../validation/text.js';

export const failureStageSchema = z.enum([
  'config',
  'dns',
  'tcp',
  'tls',
  'greeting',
  'auth',
  'mailbox',
  'search',
  'send',
  'timeout',
  'consent',
  'permission',
  'throttled',
]);
export type FailureStage = z.infer<typeof failureStageSchema>;

export const failureStageLabels: Record<FailureStage, string> = {
  config: 'Configuration',
  dns: 'DNS lookup',
  tcp: 'TCP connection',
  tls: 'TLS handshake',
  greeting: 'Server greeting',
  auth: 'Login',
  mailbox: 'Mailbox',
  search: 'Search',
  send: 'Sending',
  timeout: 'Timed out',
  consent: 'Consent',
  permission: 'Permission',
  throttled: 'Throttled',
};

/**
 * Where in the chain a failure happened: the Director sending the coded email, the actor reading
 * the mailbox, or the mail between them (sent and accepted, but not found in time).
 */
export const failureOriginSchema = z.enum(['director', 'actor', 'delivery']);
export type FailureOrigin = z.infer<typeof failureOriginSchema>;

export const failureOriginLabels: Record<FailureOrigin, string> = {
  director: 'The Director sending the coded email',
  actor: 'The actor reading the mailbox',
  delivery: 'The mail between them',
};

export const SERVER_TEXT_LIMIT = 1000;

export const failureSchema = z.object({
  stage: failureStageSchema,
  /** Failures stored before origins existed were all the actor's. */
  origin: failureOriginSchema.default('actor'),
  /** Id of the known signal that matched, e.g. `smtp-535-5.7.139`; absent for unknown failures. */
  signal: reportedTextSchema(64).optional(),
  /** What happened, in one plain sentence. */
  summary: reportedTextSchema(500),
  /**
   * The server's own words (response line, error body), trimmed and bounded. Like every text an
   * actor reports, stored inert: control characters removed, cut at the limit rather than refused.
   */
  serverText: reportedTextSchema(SERVER_TEXT_LIMIT).optional(),
  /** What to check or change. */
  hint: reportedTextSchema(1000),
  /**
   * What else is known around it, from another link of the chain: e.g. for an email not found,
   * that the Director's server accepted it (its reply) and which folders the actor searched.
   */
  detail: reportedTextSchema(1000).optional(),
  /** Whether trying again later may succeed without any change (throttling, temporary errors). */
  transient: z.boolean(),
});
export type Failure = z.infer<typeof failureSchema>;

export type ObservedProtocol = 'smtp' | 'imap' | 'pop3' | 'graph' | 'gmail';

/** What a transport saw when an operation failed; everything but `stage` is optional. */
export type FailureObservation = {
  stage: FailureStage;
  /** Who was doing the operation; the actor when absent. Hints are worded for it. */
  origin?: 'director' | 'actor';
  protocol?: ObservedProtocol;
  /** A Node error code (ECONNREFUSED), an OpenSSL/TLS code (CERT_HAS_EXPIRED) or one of ours. */
  errorCode?: string;
  /** The server's response or error body. */
  serverText?: string;
  httpStatus?: number;
  /** The raw error message, used when there is no server text. */
  message?: string;
  host?: string;
  port?: number;
  /** For AUTH_MECHANISM_NOT_OFFERED: what was wanted and what the server offers. */
  mechanism?: string;
  offered?: string[];
};

/** Error codes the transports raise themselves (not from Node or a server). */
export const transportErrorCodes = {
  starttlsNotOffered: 'STARTTLS_NOT_OFFERED',
  mechanismNotOffered: 'AUTH_MECHANISM_NOT_OFFERED',
  fingerprintMismatch: 'CERT_FINGERPRINT_MISMATCH',
  codeNotFound: 'CODE_NOT_FOUND',
  aborted: 'ABORTED',
  stageTimeout: 'STAGE_TIMEOUT',
  responseTooLarge: 'RESPONSE_TOO_LARGE',
  protocolViolation: 'PROTOCOL_VIOLATION',
  /** A command line would have carried a CR, LF or NUL from a setting: it was not sent. */
  unsafeCommandLine: 'UNSAFE_COMMAND_LINE',
  accountMismatch: 'ACCOUNT_MISMATCH',
  noRefreshToken: 'NO_REFRESH_TOKEN',
  /** Raised by the Director: the actor was not connected when the task was to start. */
  actorOffline: 'ACTOR_OFFLINE',
  /** Raised by the Director: the actor stopped renewing the lease of a running task. */
  actorLost: 'ACTOR_LOST',
} as const;

type KnownSignal = {
  id: string;
  /** The stage to report, when the signal says more than where the transport was. */
  stage?: FailureStage;
  /** The origin to report, when the signal says more than who observed it. */
  origin?: FailureOrigin;
  transient?: boolean;
  matches: (o: FailureObservation) => boolean;
  summary: string;
  hint: string | ((o: FailureObservation) => string);
};

const code =
  (...codes: string[]) =>
  (o: FailureObservation) =>
    o.errorCode !== undefined && codes.includes(o.errorCode);
const text = (pattern: RegExp) => (o: FailureObservation) =>
  pattern.test(o.serverText ?? '') || pattern.test(o.message ?? '');
const protocolText = (protocol: ObservedProtocol, pattern: RegExp) => (o: FailureObservation) =>
  o.protocol === protocol && text(pattern)(o);
const aadsts = (number: string) => text(new RegExp(`\\bAADSTS${number}\\b`));

/** The words for who was doing the operation, so a hint fits where it is shown. */
type Side = {
  /** "this actor" / "the Director" */
  who: string;
  /** "the actor's host" / "the Director's host" */
  host: string;
  /** Where the settings are changed: "the profile" / "the Director's Email Settings". */
  settings: string;
};

export function sideOf(o: Pick<FailureObservation, 'origin'>): Side {
  return o.origin === 'director'
    ? {
        who: 'the Director',
        host: "the Director's host",
        settings: "the Director's Email Settings",
      }
    : { who: 'this actor', host: "the actor's host", settings: 'the profile' };
}

function where(o: FailureObservation): string {
  if (o.host === undefined) return 'the server';
  return o.port === undefined ? o.host : `${o.host}:${o.port}`;
}

/**
 * The seed's network advice, for an actor that cannot reach a server: actors whose interfaces are
 * on one subnet and set up by DHCP can send traffic the wrong way (not the Director's problem).
 */
const actorInterfaces = (o: FailureObservation) =>
  o.origin === 'director'
    ? ''
    : " If the actor's host has several network interfaces on one subnet set up by DHCP, traffic can leave by the wrong one: keep one interface on that subnet, or give them static addresses and routes.";

const CHECK_PORTS =
  'Usual ports: IMAP 993 (SSL/TLS) or 143 (STARTTLS), POP3 995 or 110, SMTP 587 (STARTTLS), 465 (SSL/TLS) or 25.';

/** Known signals, most specific first: the first match wins. */
export const knownSignals: readonly KnownSignal[] = [
  // --- Network -----------------------------------------------------------------------------
  {
    id: 'dns-not-found',
    stage: 'dns',
    matches: code('ENOTFOUND', 'EAI_NONAME', 'EAI_NODATA'),
    summary: 'The server name does not resolve.',
    hint: (o) =>
      `The DNS of ${sideOf(o).host} has no address for ${o.host ?? 'the server'}. Check the spelling, and that its DNS servers know the name (run nslookup ${o.host ?? '<server>'} on ${sideOf(o).host}).${actorInterfaces(o)}`,
  },
  {
    id: 'dns-temporary',
    stage: 'dns',
    transient: true,
    matches: code('EAI_AGAIN'),
    summary: 'The DNS server did not answer.',
    hint: (o) =>
      `Check the DNS configuration of ${sideOf(o).host} and that its DNS servers are reachable, then try again.${actorInterfaces(o)}`,
  },
  {
    id: 'tcp-refused',
    stage: 'tcp',
    matches: code('ECONNREFUSED'),
    summary: 'The connection was refused.',
    hint: (o) =>
      `Nothing accepts connections on ${where(o)} (or a firewall rejects them). Check the port number and that the mail service is running. ${CHECK_PORTS}`,
  },
  {
    id: 'tcp-timeout',
    stage: 'tcp',
    transient: true,
    matches: (o) => o.stage === 'tcp' && code('ETIMEDOUT', transportErrorCodes.stageTimeout)(o),
    summary: 'The server did not answer the connection attempt.',
    hint: (o) =>
      o.origin === 'director'
        ? `No answer from ${where(o)}: a firewall is probably dropping traffic between the Director and its mail server. Check firewall rules and routes from the Director's host.`
        : `No answer from ${where(o)}: a firewall is probably dropping traffic between this actor and the server. Check firewall rules and routes from the actor's host.${actorInterfaces(o)}`,
  },
  {
    id: 'tcp-unreachable',
    stage: 'tcp',
    matches: code('EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'),
    summary: 'The server address is unreachable.',
    hint: (o) =>
      `${capitalised(sideOf(o).host)} has no route to the server. Check its network configuration, default gateway and VPN.${actorInterfaces(o)}`,
  },
  // --- TLS ---------------------------------------------------------------------------------
  {
    id: 'tls-wrong-version',
    stage: 'tls',
    matches: (o) =>
      code('ERR_SSL_WRONG_VERSION_NUMBER')(o) ||
      text(/wrong version number|packet length too long/i)(o),
    summary: 'The server did not answer with TLS.',
    hint: `SSL/TLS was chosen, but the server on this port starts in plain text. Choose STARTTLS for this port, or use the server's SSL/TLS port. ${CHECK_PORTS}`,
  },
  {
    id: 'tls-fingerprint-mismatch',
    stage: 'tls',
    matches: code(transportErrorCodes.fingerprintMismatch),
    summary: "The server's certificate does not match the pinned fingerprint.",
    hint: (o) =>
      `The server presented a different certificate than the one pinned in ${sideOf(o).settings} (renewed, or a device intercepting TLS). Check the new certificate and pin its SHA-256 fingerprint.`,
  },
  {
    id: 'tls-expired',
    stage: 'tls',
    matches: code('CERT_HAS_EXPIRED'),
    summary: "The server's certificate has expired.",
    hint: 'Renew the certificate on the mail server. Pinning the expired certificate is possible, but renewing is the real fix.',
  },
  {
    id: 'tls-not-yet-valid',
    stage: 'tls',
    matches: code('CERT_NOT_YET_VALID'),
    summary: "The server's certificate is not valid yet.",
    hint: (o) =>
      `Check the clock on ${sideOf(o).host} and on the mail server: one of them is wrong.`,
  },
  {
    id: 'tls-hostname-mismatch',
    stage: 'tls',
    matches: code('ERR_TLS_CERT_ALTNAME_INVALID'),
    summary: "The server's certificate is for a different name.",
    hint: 'Use the server address exactly as it appears in the certificate (see the certificate names in the connectivity check), or pin the certificate fingerprint.',
  },
  {
    id: 'tls-untrusted',
    stage: 'tls',
    matches: code(
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'UNABLE_TO_GET_ISSUER_CERT',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'CERT_UNTRUSTED',
    ),
    summary: "The server's certificate is not signed by a trusted authority.",
    hint: (o) =>
      `The certificate is self-signed or from a private CA ${sideOf(o).who} does not trust. In the TLS trust settings of ${sideOf(o).settings}, add your CA or pin the certificate's SHA-256 fingerprint; do not turn verification off.`,
  },
  {
    id: 'tls-handshake-failure',
    stage: 'tls',
    matches: text(
      /handshake failure|no shared cipher|unsupported protocol|no protocols available/i,
    ),
    summary: 'TLS negotiation failed.',
    hint: 'The client and server have no TLS version or cipher in common; the server may only offer TLS 1.0/1.1. Update the server to TLS 1.2 or later.',
  },
  {
    id: 'starttls-not-offered',
    stage: 'tls',
    matches: code(transportErrorCodes.starttlsNotOffered),
    summary: 'The server does not offer STARTTLS.',
    hint: 'STARTTLS was chosen but the server does not offer it on this port, so the password is not sent. Use the SSL/TLS port (993, 995, 465) with SSL/TLS, or enable STARTTLS on the server. Choose encryption Off only on a trusted network.',
  },
  {
    id: 'greeting-timeout',
    stage: 'greeting',
    matches: (o) => o.stage === 'greeting' && code(transportErrorCodes.stageTimeout)(o),
    summary: 'The server accepted the connection but sent no greeting.',
    hint: (o) =>
      `Nothing came back from ${where(o)}. If this port expects TLS from the first byte (993, 995, 465), choose SSL/TLS; otherwise the server may be overloaded, or something other than a mail server is listening.`,
  },
  {
    id: 'no-answer',
    transient: true,
    // The 'timeout' stage (an API request that got no answer) has its own generic words.
    matches: (o) => o.stage !== 'timeout' && code(transportErrorCodes.stageTimeout)(o),
    summary: 'The server stopped answering.',
    hint: (o) =>
      `${where(o)} took the connection but did not answer this step (${failureStageLabels[o.stage]}) in time. The server may be overloaded, or a firewall or IPS holds the connection open; try again, and check the server's logs.`,
  },
  {
    id: 'connection-reset',
    matches: code('ECONNRESET', 'EPIPE'),
    transient: true,
    summary: 'The server closed the connection unexpectedly.',
    hint: 'If this happens right after connecting, the encryption may not match the port (STARTTLS or Off on an SSL/TLS port), or a firewall/IPS cut the connection.',
  },
  // --- SMTP --------------------------------------------------------------------------------
  {
    id: 'smtp-535-5.7.139',
    stage: 'auth',
    matches: protocolText('smtp', /5\.7\.139/),
    summary: 'Microsoft 365 refused SMTP authentication: basic authentication is disabled.',
    hint: 'SMTP AUTH (basic authentication) is disabled for this tenant or mailbox. Enable "Authenticated SMTP" for the mailbox in the Microsoft 365 admin center (and check Security Defaults), or use the Microsoft Office 365 Graph API server type instead.',
  },
  {
    id: 'smtp-535-5.7.3',
    stage: 'auth',
    matches: protocolText('smtp', /^535[ -]5\.7\.3\b/m),
    summary: 'The SMTP server rejected the login.',
    hint: 'Exchange/Microsoft 365: wrong username or password, or SMTP AUTH is not allowed for this mailbox. Check the credentials (the username is usually the full address); with multi-factor authentication use an app password.',
  },
  {
    id: 'smtp-535-5.7.8',
    stage: 'auth',
    matches: protocolText('smtp', /^535[ -]5\.7\.8\b/m),
    summary: 'The SMTP server did not accept the username and password.',
    hint: 'Check the username and password. Google accounts with 2-Step Verification need an app password; some providers also require SMTP access to be enabled for the account.',
  },
  {
    id: 'smtp-5.7.57',
    stage: 'auth',
    matches: protocolText('smtp', /5\.7\.57/),
    summary: 'The SMTP server requires authentication to send.',
    hint: 'Tick "requires authentication" for the outgoing server and choose the authentication type.',
  },
  {
    id: 'smtp-530',
    stage: 'auth',
    matches: protocolText('smtp', /^530\b/m),
    summary: 'The SMTP server requires authentication (or encryption) before sending.',
    hint: 'If the server says to issue STARTTLS first, choose STARTTLS; otherwise tick "requires authentication" and choose the authentication type.',
  },
  {
    id: 'smtp-535',
    stage: 'auth',
    matches: protocolText('smtp', /^535\b/m),
    summary: 'The SMTP server rejected the login.',
    hint: 'Check the username and password, and that the account may send through this server. With multi-factor authentication, use an app password.',
  },
  {
    id: 'smtp-send-as-denied',
    stage: 'send',
    matches: protocolText('smtp', /5\.7\.60|SendAsDenied/i),
    summary: 'The account may not send as the From address.',
    hint: 'Grant the account "Send As" permission for the From address, or send from the account\'s own address.',
  },
  {
    id: 'smtp-relay-denied',
    stage: 'send',
    matches: protocolText(
      'smtp',
      /relay (access )?denied|relaying denied|not permitted to relay|^55[04][ -]5\.7\.1\b/im,
    ),
    summary: 'The SMTP server refused to relay the message.',
    hint: 'The server does not accept mail for this recipient from this sender without authentication. Enable "requires authentication", or allow the sending host\'s address to relay on the server.',
  },
  {
    id: 'smtp-554',
    stage: 'send',
    matches: protocolText('smtp', /^554\b/m),
    summary: 'The SMTP server rejected the message.',
    hint: "The message was refused by policy (sender not allowed, content or reputation filtering). The server text names the reason; check the server's or gateway's rejection logs.",
  },
  // --- IMAP --------------------------------------------------------------------------------
  {
    id: 'imap-privacy-required',
    stage: 'auth',
    matches: (o) =>
      o.protocol === 'imap' &&
      text(/\[PRIVACYREQUIRED\]|LOGINDISABLED|plaintext authentication disallowed/i)(o),
    summary: 'The IMAP server refuses passwords over an unencrypted connection.',
    hint: 'Choose SSL/TLS (port 993) or STARTTLS (port 143) for the incoming server.',
  },
  {
    id: 'imap-authentication-failed',
    stage: 'auth',
    matches: protocolText('imap', /\[AUTHENTICATIONFAILED\]/i),
    summary: 'The IMAP server rejected the username or password.',
    hint: 'Check the account username (user@domain or DOMAIN\\user) and password. Microsoft 365 also rejects logins when IMAP is disabled for the mailbox; Google accounts need an app password.',
  },
  {
    id: 'imap-unavailable',
    stage: 'auth',
    transient: true,
    matches: protocolText('imap', /\[UNAVAILABLE\]/i),
    summary: 'The IMAP server cannot log in this account right now.',
    hint: 'The server reports a temporary problem on its side. Try again later; if it persists, check the mail server.',
  },
  {
    id: 'imap-no-permission',
    stage: 'permission',
    matches: protocolText('imap', /\[NOPERM\]/i),
    summary: 'The account may not open the mailbox.',
    hint: 'Give the account read access to its INBOX on the mail server.',
  },
  {
    id: 'imap-nonexistent',
    stage: 'mailbox',
    matches: protocolText('imap', /\[NONEXISTENT\]/i),
    summary: 'The mailbox does not exist.',
    hint: 'The account has no INBOX on this server; check that the account is a mailbox on this server.',
  },
  // --- POP3 --------------------------------------------------------------------------------
  {
    id: 'pop3-in-use',
    stage: 'mailbox',
    transient: true,
    matches: protocolText('pop3', /\[IN-USE\]/i),
    summary: 'Another client holds the POP3 mailbox lock.',
    hint: 'Another POP3 session is open on this mailbox (a mail client, or a second actor). Close it or wait for it to finish, then verify again.',
  },
  {
    id: 'pop3-auth',
    stage: 'auth',
    matches: protocolText('pop3', /^-ERR \[AUTH\]/im),
    summary: 'The POP3 server rejected the username or password.',
    hint: 'Check the account username (user@domain or DOMAIN\\user) and password, and that POP3 access is enabled for the account.',
  },
  {
    id: 'pop3-temporary',
    transient: true,
    matches: protocolText('pop3', /\[SYS\/TEMP\]/i),
    summary: 'The POP3 server reports a temporary problem.',
    hint: 'Try again later; if it persists, check the mail server.',
  },
  {
    id: 'auth-mechanism-not-offered',
    stage: 'auth',
    matches: code(transportErrorCodes.mechanismNotOffered),
    summary: 'The server does not offer the chosen authentication type.',
    hint: (o) =>
      `The server does not offer ${o.mechanism ?? 'this mechanism'}${
        o.offered && o.offered.length > 0 ? `; it offers ${o.offered.join(', ')}` : ''
      }. Choose an authentication type the server supports (some servers offer more after STARTTLS).`,
  },
  // --- Microsoft Entra ID / Graph ----------------------------------------------------------
  {
    id: 'aadsts90002',
    stage: 'config',
    matches: aadsts('90002'),
    summary: 'The Azure tenant was not found.',
    hint: 'Check the Tenant ID: it is the Directory (tenant) ID from Entra ID > Overview, or the tenant domain. Also check that the right Microsoft cloud is chosen.',
  },
  {
    id: 'aadsts700016',
    stage: 'config',
    matches: aadsts('700016'),
    summary: 'The application was not found in the tenant.',
    hint: 'Check the Client ID (Application ID of the app registration) and that the app is registered in this tenant. A new app can take a few minutes to appear.',
  },
  {
    id: 'aadsts7000215',
    stage: 'auth',
    matches: aadsts('7000215'),
    summary: 'The client secret is invalid.',
    hint: "Enter the secret's Value (not its Secret ID). If the value was lost, create a new client secret in the app registration.",
  },
  {
    id: 'aadsts7000222',
    stage: 'auth',
    matches: aadsts('7000222'),
    summary: 'The client secret has expired.',
    hint: (o) =>
      `Create a new client secret under App registrations > Certificates & secrets, and enter its Value in ${sideOf(o).settings}.`,
  },
  {
    id: 'aadsts65001',
    stage: 'consent',
    matches: aadsts('65001'),
    summary: 'Admin consent has not been granted to the application.',
    hint: 'In the app registration, open API permissions and click "Grant admin consent" for the Mail.Read and Mail.Send application permissions.',
  },
  {
    id: 'graph-access-denied',
    stage: 'permission',
    matches: (o) =>
      o.protocol === 'graph' &&
      (o.httpStatus === 403 ||
        text(/ErrorAccessDenied|Authorization_RequestDenied|AccessDenied/)(o)),
    summary: 'The application may not access this mailbox.',
    hint: 'Grant the application permissions Mail.Read and Mail.Send (application type, with admin consent). If an Exchange application access policy is in place, include this mailbox in it.',
  },
  {
    id: 'graph-mailbox-not-found',
    stage: 'mailbox',
    matches: (o) =>
      o.protocol === 'graph' &&
      (o.httpStatus === 404 ||
        text(/ErrorInvalidUser|MailboxNotEnabledForRESTAPI|ResourceNotFound/)(o)),
    summary: 'The mailbox was not found in the tenant.',
    hint: 'Check the email address: it must be a licensed Exchange Online mailbox in this tenant (not an on-premises or unlicensed account).',
  },
  // --- Google ------------------------------------------------------------------------------
  {
    id: 'google-invalid-grant',
    stage: 'consent',
    matches: (o) => o.protocol === 'gmail' && text(/invalid_grant/)(o),
    summary: 'Google no longer accepts the stored authorisation.',
    hint: (o) =>
      `The consent was revoked, expired (apps in "Testing" lose consent after 7 days) or the password changed. Click "Authorise with Google" in ${sideOf(o).settings} again.`,
  },
  {
    id: 'google-insufficient-scope',
    stage: 'consent',
    matches: (o) =>
      o.protocol === 'gmail' &&
      text(
        /ACCESS_TOKEN_SCOPE_INSUFFICIENT|insufficientPermissions|insufficient authentication scopes/i,
      )(o),
    summary: 'The Google authorisation lacks a required permission.',
    hint: 'Authorise with Google again and allow every requested permission (reading and sending mail).',
  },
  {
    id: 'google-api-disabled',
    stage: 'config',
    matches: (o) =>
      o.protocol === 'gmail' &&
      text(/accessNotConfigured|SERVICE_DISABLED|has not been used in project/i)(o),
    summary: 'The Gmail API is not enabled for the Google Cloud project.',
    hint: 'Enable the Gmail API in the Google Cloud console (APIs & Services > Library) for the project of this client ID, wait a few minutes, and try again.',
  },
  {
    id: 'google-invalid-client',
    stage: 'auth',
    matches: (o) => o.protocol === 'gmail' && text(/invalid_client|unauthorized_client/)(o),
    summary: 'Google rejected the client ID or secret.',
    hint: 'Check the client ID and secret in Google Cloud console > Credentials; the secret may have been reset.',
  },
  {
    id: 'google-no-refresh-token',
    stage: 'consent',
    matches: (o) => o.protocol === 'gmail' && code(transportErrorCodes.noRefreshToken)(o),
    summary: 'Google did not return a refresh token.',
    hint: 'Google gives a refresh token only when it asks for consent. In the Google account of the mailbox, open Security > Third-party apps & services (myaccount.google.com/connections), remove this app\'s access, then click "Authorise with Google" again.',
  },
  {
    id: 'google-account-mismatch',
    stage: 'consent',
    matches: (o) => o.protocol === 'gmail' && code(transportErrorCodes.accountMismatch)(o),
    summary: 'The Google authorisation is for a different account than the configured address.',
    hint: (o) =>
      `Consent was given while signed in to another Google account. Click "Authorise with Google" again and choose the account of the email address in ${sideOf(o).settings} (its primary address, not an alias), or correct that address.`,
  },
  {
    id: 'google-mailbox-not-found',
    stage: 'mailbox',
    matches: (o) =>
      o.protocol === 'gmail' &&
      ((o.stage === 'mailbox' && o.httpStatus === 404) || text(/Mail service not enabled/i)(o)),
    summary: 'The Google account has no Gmail mailbox.',
    hint: 'Gmail is not turned on for this account (Google Admin console > Apps > Google Workspace > Gmail), or it is a Google account without Gmail. Check the email address and that the account can open Gmail.',
  },
  // --- Throttling and verification --------------------------------------------------------
  {
    id: 'throttled',
    stage: 'throttled',
    transient: true,
    matches: (o) =>
      o.httpStatus === 429 ||
      ((o.protocol === 'graph' || o.protocol === 'gmail') && o.httpStatus === 503) ||
      text(/rateLimitExceeded|userRateLimitExceeded|ApplicationThrottled|TooManyRequests/)(o),
    summary: 'The service is throttling requests.',
    hint: 'The provider limits how fast a mailbox may be accessed. The request was already retried; wait a few minutes before trying again, and avoid many verifications through one mailbox at once.',
  },
  {
    id: 'code-not-found',
    origin: 'delivery',
    matches: code(transportErrorCodes.codeNotFound),
    summary: 'The verification email did not arrive in the inbox in time.',
    hint: "Look for the email in the Spam/Junk folder and check mail rules that move or delete messages; delivery may also be delayed (try again), or the profile's email address is wrong or does not belong to this account.",
  },
  {
    id: 'aborted',
    matches: code(transportErrorCodes.aborted),
    transient: true,
    summary: 'The operation was cancelled.',
    hint: (o) =>
      `It was stopped before it finished (cancelled, or ${sideOf(o).who} shut down). Try again.`,
  },
  {
    id: 'actor-offline',
    matches: code(transportErrorCodes.actorOffline),
    stage: 'timeout',
    transient: true,
    summary: 'The actor is offline, so it could not check the mailbox.',
    hint: 'Start the actor agent on its host (email-profiles-actor run) and check that it can reach the Director: the Actors page shows it online once it connects. Then verify again.',
  },
  {
    id: 'actor-lost',
    matches: code(transportErrorCodes.actorLost),
    stage: 'timeout',
    transient: true,
    summary: 'The actor went offline during the check.',
    hint: 'The actor stopped reporting to the Director while it worked on this task (stopped, crashed, or lost its network). Check the actor agent on its host and its connection to the Director, then verify again.',
  },
  {
    id: 'response-too-large',
    matches: code(transportErrorCodes.responseTooLarge),
    summary: 'The server sent more data than expected.',
    hint: 'The server answered with an oversized response and the connection was closed for safety. Check that the address and port point at a mail server.',
  },
  {
    id: 'unsafe-setting',
    stage: 'config',
    matches: code(transportErrorCodes.unsafeCommandLine),
    summary: 'A setting holds a line break or NUL character, so nothing was sent.',
    hint: 'A username, password, address or other setting contains a line break or NUL character, which would have changed the commands sent to the server. Type the value again without it.',
  },
  {
    id: 'protocol-violation',
    matches: code(transportErrorCodes.protocolViolation),
    summary: 'The server answered in an unexpected way.',
    hint: 'Check that the address and port point at the right kind of server (IMAP, POP3 or SMTP) and the encryption matches the port.',
  },
];

const GENERIC_HINTS: Record<FailureStage, string | ((o: FailureObservation) => string)> = {
  config: (o) => `Check the settings in ${sideOf(o).settings}.`,
  dns: (o) =>
    `Check the server name and the DNS settings of ${sideOf(o).host}.${actorInterfaces(o)}`,
  tcp: (o) =>
    `Check the server address and port, and firewalls between ${sideOf(o).who} and the server. ${CHECK_PORTS}${actorInterfaces(o)}`,
  tls: 'Check the encryption choice for this port and the server certificate (see the connectivity check for details).',
  greeting: 'Check that the address and port point at the right kind of mail server.',
  auth: 'Check the username, password and authentication type.',
  mailbox: 'Check that the account has an INBOX and may open it.',
  search:
    'The server could not search the mailbox; try again, and check the server logs if it persists.',
  send: 'Check the outgoing server settings and the server text for the reason.',
  timeout:
    'The step did not finish in time; check the network path and the server load, then try again.',
  consent: 'Authorise the application again.',
  permission: 'Grant the application or account the permissions it needs on this mailbox.',
  throttled: 'Wait a few minutes, then try again.',
};

const GENERIC_SUMMARIES: Record<FailureStage, string> = {
  config: 'The settings are not usable.',
  dns: 'The server name could not be resolved.',
  tcp: 'Could not connect to the server.',
  tls: 'The TLS connection failed.',
  greeting: 'The server did not greet as expected.',
  auth: 'Login failed.',
  mailbox: 'The mailbox could not be opened.',
  search: 'Searching the mailbox failed.',
  send: 'Sending the email failed.',
  timeout: 'The operation timed out.',
  consent: 'Authorisation is missing or no longer valid.',
  permission: 'Access to the mailbox was denied.',
  throttled: 'The service is throttling requests.',
};

/** Removes control characters and bounds the length, so hostile server text stays harmless. */
export function cleanServerText(raw: string): string {
  return inertText(raw.replace(/\t/g, ' ').trim(), SERVER_TEXT_LIMIT).trim();
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Turns what a transport observed into a Failure with stage, origin, server text and a hint
 * worded for who was doing the operation.
 */
export function explainFailure(observation: FailureObservation): Failure {
  const signal = knownSignals.find((candidate) => candidate.matches(observation));
  const stage = signal?.stage ?? observation.stage;
  const rawText = observation.serverText ?? observation.message;
  const serverText =
    rawText === undefined || rawText.trim() === '' ? undefined : cleanServerText(rawText);
  const hint = signal?.hint ?? GENERIC_HINTS[stage];
  const failure: Failure = {
    stage,
    origin: signal?.origin ?? observation.origin ?? 'actor',
    summary: signal?.summary ?? GENERIC_SUMMARIES[stage],
    hint: typeof hint === 'function' ? hint(observation) : hint,
    transient: signal?.transient ?? false,
  };
  if (signal) failure.signal = signal.id;
  if (serverText !== undefined) failure.serverText = serverText;
  return failure;
}
