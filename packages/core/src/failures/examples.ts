// One representative observation per known signal: what a transport typically reports when the
// signal matches. The troubleshooting guide shows it under "What you see" and renders hints that
// depend on the observation with it; the tests check each one really selects its signal.
import { transportErrorCodes as codes, type FailureObservation } from './taxonomy.js';

const at = { host: 'mail.example.com', port: 993 } as const;

export const signalExamples: Readonly<Record<string, FailureObservation>> = {
  'dns-not-found': { stage: 'dns', errorCode: 'ENOTFOUND', host: 'mail.example.com' },
  'dns-temporary': { stage: 'dns', errorCode: 'EAI_AGAIN', host: 'mail.example.com' },
  'tcp-refused': { stage: 'tcp', errorCode: 'ECONNREFUSED', ...at },
  'tcp-timeout': { stage: 'tcp', errorCode: 'ETIMEDOUT', ...at },
  'tcp-unreachable': { stage: 'tcp', errorCode: 'EHOSTUNREACH', ...at },
  'tls-wrong-version': { stage: 'tls', errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER', ...at },
  'tls-fingerprint-mismatch': { stage: 'tls', errorCode: codes.fingerprintMismatch, ...at },
  'tls-expired': { stage: 'tls', errorCode: 'CERT_HAS_EXPIRED', ...at },
  'tls-not-yet-valid': { stage: 'tls', errorCode: 'CERT_NOT_YET_VALID', ...at },
  'tls-hostname-mismatch': { stage: 'tls', errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID', ...at },
  'tls-untrusted': { stage: 'tls', errorCode: 'SELF_SIGNED_CERT_IN_CHAIN', ...at },
  'tls-handshake-failure': {
    stage: 'tls',
    message: 'sslv3 alert handshake failure',
    ...at,
  },
  'starttls-not-offered': {
    stage: 'tls',
    protocol: 'imap',
    errorCode: codes.starttlsNotOffered,
    host: 'mail.example.com',
    port: 143,
  },
  'greeting-timeout': { stage: 'greeting', errorCode: codes.stageTimeout, ...at },
  'no-answer': { stage: 'auth', protocol: 'imap', errorCode: codes.stageTimeout, ...at },
  'connection-reset': { stage: 'greeting', errorCode: 'ECONNRESET', ...at },
  'smtp-535-5.7.139': {
    stage: 'auth',
    protocol: 'smtp',
    serverText:
      '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.',
  },
  'smtp-535-5.7.3': {
    stage: 'auth',
    protocol: 'smtp',
    serverText: '535 5.7.3 Authentication unsuccessful',
  },
  'smtp-535-5.7.8': {
    stage: 'auth',
    protocol: 'smtp',
    serverText: '535 5.7.8 Username and Password not accepted.',
  },
  'smtp-5.7.57': {
    stage: 'send',
    protocol: 'smtp',
    serverText: '530 5.7.57 Client not authenticated to send mail.',
  },
  'smtp-530': {
    stage: 'send',
    protocol: 'smtp',
    serverText: '530 5.7.0 Must issue a STARTTLS command first',
  },
  'smtp-535': {
    stage: 'auth',
    protocol: 'smtp',
    serverText: '535 Authentication failed',
  },
  'smtp-send-as-denied': {
    stage: 'send',
    protocol: 'smtp',
    serverText: '554 5.7.60 SMTP; Client does not have permissions to send as this sender',
  },
  'smtp-relay-denied': {
    stage: 'send',
    protocol: 'smtp',
    serverText: '554 5.7.1 <user@example.org>: Relay access denied',
  },
  'smtp-554': {
    stage: 'send',
    protocol: 'smtp',
    serverText: '554 5.7.0 Message rejected as spam',
  },
  'imap-privacy-required': {
    stage: 'auth',
    protocol: 'imap',
    serverText:
      'NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure connections.',
  },
  'imap-authentication-failed': {
    stage: 'auth',
    protocol: 'imap',
    serverText: 'NO [AUTHENTICATIONFAILED] Authentication failed.',
  },
  'imap-unavailable': {
    stage: 'auth',
    protocol: 'imap',
    serverText: 'NO [UNAVAILABLE] Temporary authentication failure',
  },
  'imap-no-permission': {
    stage: 'mailbox',
    protocol: 'imap',
    serverText: 'NO [NOPERM] Permission denied',
  },
  'imap-nonexistent': {
    stage: 'mailbox',
    protocol: 'imap',
    serverText: 'NO [NONEXISTENT] Mailbox does not exist',
  },
  'pop3-in-use': {
    stage: 'mailbox',
    protocol: 'pop3',
    serverText: '-ERR [IN-USE] Mailbox is locked by another POP3 session',
  },
  'pop3-auth': {
    stage: 'auth',
    protocol: 'pop3',
    serverText: '-ERR [AUTH] Authentication failed.',
  },
  'pop3-temporary': {
    stage: 'mailbox',
    protocol: 'pop3',
    serverText: '-ERR [SYS/TEMP] Temporary failure, try again later',
  },
  'auth-mechanism-not-offered': {
    stage: 'auth',
    protocol: 'smtp',
    errorCode: codes.mechanismNotOffered,
    mechanism: 'NTLM',
    offered: ['PLAIN', 'LOGIN'],
  },
  aadsts90002: {
    stage: 'auth',
    protocol: 'graph',
    httpStatus: 400,
    serverText: "invalid_request: AADSTS90002: Tenant 'contoso.example' not found.",
  },
  aadsts700016: {
    stage: 'auth',
    protocol: 'graph',
    httpStatus: 400,
    serverText: 'unauthorized_client: AADSTS700016: Application with identifier was not found.',
  },
  aadsts7000215: {
    stage: 'auth',
    protocol: 'graph',
    httpStatus: 401,
    serverText: 'invalid_client: AADSTS7000215: Invalid client secret provided.',
  },
  aadsts7000222: {
    stage: 'auth',
    protocol: 'graph',
    httpStatus: 401,
    serverText: 'invalid_client: AADSTS7000222: The provided client secret keys are expired.',
  },
  aadsts65001: {
    stage: 'auth',
    protocol: 'graph',
    httpStatus: 400,
    serverText: 'invalid_grant: AADSTS65001: The user or administrator has not consented.',
  },
  'graph-access-denied': {
    stage: 'permission',
    protocol: 'graph',
    httpStatus: 403,
    serverText: 'ErrorAccessDenied: Access is denied. Check credentials and try again.',
  },
  'graph-mailbox-not-found': {
    stage: 'mailbox',
    protocol: 'graph',
    httpStatus: 404,
    serverText: 'ErrorInvalidUser: The requested user is invalid.',
  },
  'google-invalid-grant': {
    stage: 'auth',
    protocol: 'gmail',
    httpStatus: 400,
    serverText: 'invalid_grant: Token has been expired or revoked.',
  },
  'google-insufficient-scope': {
    stage: 'mailbox',
    protocol: 'gmail',
    httpStatus: 403,
    serverText: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT: Request had insufficient authentication scopes.',
  },
  'google-api-disabled': {
    stage: 'mailbox',
    protocol: 'gmail',
    httpStatus: 403,
    serverText:
      'SERVICE_DISABLED: Gmail API has not been used in project 123 before or it is disabled.',
  },
  'google-invalid-client': {
    stage: 'auth',
    protocol: 'gmail',
    httpStatus: 401,
    serverText: 'invalid_client: The OAuth client was not found.',
  },
  'google-no-refresh-token': {
    stage: 'consent',
    protocol: 'gmail',
    errorCode: codes.noRefreshToken,
  },
  'google-account-mismatch': {
    stage: 'consent',
    protocol: 'gmail',
    errorCode: codes.accountMismatch,
  },
  'google-mailbox-not-found': {
    stage: 'mailbox',
    protocol: 'gmail',
    httpStatus: 400,
    serverText: 'failedPrecondition: Mail service not enabled',
  },
  throttled: {
    stage: 'search',
    protocol: 'graph',
    httpStatus: 429,
    serverText: 'ApplicationThrottled: Application is over its MailboxConcurrency limit.',
  },
  'code-not-found': { stage: 'timeout', errorCode: codes.codeNotFound },
  aborted: { stage: 'timeout', errorCode: codes.aborted },
  'response-too-large': { stage: 'greeting', errorCode: codes.responseTooLarge, ...at },
  'protocol-violation': { stage: 'greeting', errorCode: codes.protocolViolation, ...at },
  'unsafe-setting': { stage: 'auth', protocol: 'pop3', errorCode: codes.unsafeCommandLine, ...at },
};
