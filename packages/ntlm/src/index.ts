// @email-profiles/ntlm: NTLM authentication messages for SASL (IMAP, POP3, SMTP). Pure
// computation, no network I/O.
export { NtlmError, type NtlmErrorCode } from './errors.js';
export { splitNtlmUsername } from './username.js';
export {
  DEFAULT_NEGOTIATE_FLAGS,
  NtlmAvId,
  NtlmFlags,
  createAuthenticateMessage,
  createNegotiateMessage,
  encodeAuthenticateMessage,
  parseChallengeMessage,
  type AuthenticateMessageFields,
  type AuthenticateOptions,
  type NegotiateOptions,
  type NtlmAvPair,
  type NtlmChallenge,
  type NtlmCredentials,
  type NtlmVersion,
} from './messages.js';
export {
  desl,
  fileTimeNow,
  lmowfv1,
  md4Digest,
  ntlmV1Response,
  ntlmV2Response,
  ntowfv1,
  ntowfv2,
  type NtlmV1Result,
  type NtlmV2Result,
} from './crypto.js';
export { ntlmSaslClient, type NtlmSaslClient } from './sasl.js';
