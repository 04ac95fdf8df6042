// SASL client mechanisms: Plain (PLAIN, or LOGIN where only that is offered), Login, CRAM-MD5
// and NTLM. Messages are base64 strings, framed by each protocol's own AUTH command.
import { createHmac } from 'node:crypto';
import type { SmtpAuthMechanism } from '@email-profiles/core';
import { ntlmSaslClient } from '@email-profiles/ntlm';

export type SaslMechanism = 'PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'NTLM';
export type Credentials = { username: string; password: string };

export interface SaslClient {
  readonly mechanism: SaslMechanism;
  /** The initial response (RFC 4422 section 5), or undefined when the mechanism has none. */
  initialResponse(): string | undefined;
  /** The answer to a server challenge (base64 in, base64 out). */
  respond(challenge: string): string;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function plain({ username, password }: Credentials): SaslClient {
  const message = b64(`\u0000${username}\u0000${password}`);
  return {
    mechanism: 'PLAIN',
    initialResponse: () => message,
    // A server that does not take initial responses asks with an empty challenge.
    respond: () => message,
  };
}

function login({ username, password }: Credentials): SaslClient {
  let step = 0;
  return {
    mechanism: 'LOGIN',
    initialResponse: () => undefined,
    respond: (challenge) => {
      const prompt = Buffer.from(challenge, 'base64').toString('utf8').toLowerCase();
      step += 1;
      if (prompt.includes('password')) return b64(password);
      if (prompt.includes('user')) return b64(username);
      return b64(step === 1 ? username : password);
    },
  };
}

/** RFC 2195: the user name, a space, and the hex HMAC-MD5 of the server's challenge. */
function cramMd5({ username, password }: Credentials): SaslClient {
  return {
    mechanism: 'CRAM-MD5',
    initialResponse: () => undefined,
    respond: (challenge) => {
      const digest = createHmac('md5', Buffer.from(password, 'utf8'))
        .update(Buffer.from(challenge, 'base64'))
        .digest('hex');
      return b64(`${username} ${digest}`);
    },
  };
}

function ntlm(credentials: Credentials): SaslClient {
  // NTLMv2 even when the server's challenge has no target info (Cyrus): NTLMv1 is too weak to send.
  const client = ntlmSaslClient(credentials, { forceNtlmV2: true });
  return {
    mechanism: 'NTLM',
    initialResponse: () => client.initialResponse(),
    respond: (challenge) => client.respond(challenge),
  };
}

export function saslClient(mechanism: SaslMechanism, credentials: Credentials): SaslClient {
  switch (mechanism) {
    case 'PLAIN':
      return plain(credentials);
    case 'LOGIN':
      return login(credentials);
    case 'CRAM-MD5':
      return cramMd5(credentials);
    case 'NTLM':
      return ntlm(credentials);
  }
}

/** An auth type as chosen in a form: profiles offer Plain and NTLM, the Director's SMTP all four. */
export type AuthChoice = SmtpAuthMechanism;

const EXACT: Record<Exclude<AuthChoice, 'plain'>, SaslMechanism> = {
  login: 'LOGIN',
  'cram-md5': 'CRAM-MD5',
  ntlm: 'NTLM',
};

/**
 * The mechanism for an auth type among those the server offers: Plain means PLAIN, or LOGIN when
 * only that is offered; Login, CRAM-MD5 and NTLM mean exactly that mechanism. Undefined when the
 * server offers none of them.
 */
export function chooseMechanism(
  authType: AuthChoice,
  offered: readonly string[],
): SaslMechanism | undefined {
  const upper = new Set(offered.map((mechanism) => mechanism.toUpperCase()));
  if (authType !== 'plain') return upper.has(EXACT[authType]) ? EXACT[authType] : undefined;
  if (upper.has('PLAIN')) return 'PLAIN';
  if (upper.has('LOGIN')) return 'LOGIN';
  return undefined;
}

/** What an auth type needs the server to offer, for "mechanism not offered" failures. */
export function mechanismWanted(authType: AuthChoice): string {
  return authType === 'plain' ? 'PLAIN or LOGIN' : EXACT[authType];
}
