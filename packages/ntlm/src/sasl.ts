// The SASL NTLM mechanism as IMAP (AUTHENTICATE NTLM), POP3 (AUTH NTLM) and SMTP (AUTH NTLM) use
// it: the client sends a NEGOTIATE message, the server a CHALLENGE, the client an AUTHENTICATE;
// all three base64-encoded on the wire. NTLM has no SASL security layer.
import { NtlmError } from './errors.js';
import {
  createAuthenticateMessage,
  createNegotiateMessage,
  parseChallengeMessage,
  type AuthenticateOptions,
  type NtlmCredentials,
} from './messages.js';
import { splitNtlmUsername } from './username.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 (Buffer.from ignores junk, which would hide a garbled server reply). */
function decodeBase64(text: string): Buffer {
  const trimmed = text.trim();
  if (!BASE64.test(trimmed)) {
    throw new NtlmError(
      'NTLM_CHALLENGE_BAD_BASE64',
      "The server's NTLM challenge is not valid base64.",
    );
  }
  return Buffer.from(trimmed, 'base64');
}

export type NtlmSaslClient = {
  /**
   * Base64 of the NEGOTIATE message: the SASL initial response (`AUTHENTICATE NTLM <it>`,
   * `AUTH NTLM <it>`), or the answer to the server's first, empty, continuation.
   */
  initialResponse(): string;
  /**
   * Base64 of the AUTHENTICATE message answering the server's base64 CHALLENGE (the text after
   * `+ ` or `334 `). An empty challenge is the server asking for the initial response (RFC 4422
   * section 5, when it was not sent with the command): the answer is then the NEGOTIATE message.
   * Throws an NtlmError for a malformed challenge, and for any challenge after the AUTHENTICATE.
   */
  respond(serverChallengeBase64: string): string;
};

/**
 * A client for the SASL NTLM mechanism. The account name is checked at once (an NtlmError with
 * NTLM_BAD_USERNAME), before anything is sent.
 */
export function ntlmSaslClient(
  credentials: NtlmCredentials,
  options: AuthenticateOptions = {},
): NtlmSaslClient {
  splitNtlmUsername(credentials.username);
  const negotiate = createNegotiateMessage().toString('base64');
  let responded = false;
  return {
    initialResponse: () => negotiate,
    respond(serverChallengeBase64) {
      if (responded) {
        throw new NtlmError(
          'NTLM_BAD_STATE',
          'The server sent another NTLM challenge after the authenticate message.',
        );
      }
      if (serverChallengeBase64.trim() === '') return negotiate;
      const challenge = parseChallengeMessage(decodeBase64(serverChallengeBase64));
      responded = true;
      return createAuthenticateMessage(challenge, credentials, options).toString('base64');
    },
  };
}
