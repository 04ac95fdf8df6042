// SASL client mechanisms the profiles use: Plain (PLAIN, or LOGIN where only that is offered)
// and NTLM. Messages are base64 strings, framed by each protocol's own AUTH command.
import { ntlmSaslClient } from '@email-profiles/ntlm';

export type SaslMechanism = 'PLAIN' | 'LOGIN' | 'NTLM';
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
    case 'NTLM':
      return ntlm(credentials);
  }
}

/**
 * The mechanism for a profile's auth type among those the server offers: Plain means PLAIN, or
 * LOGIN when only that is offered; NTLM means NTLM. Undefined when the server offers neither.
 */
export function chooseMechanism(
  authType: 'plain' | 'ntlm',
  offered: readonly string[],
): SaslMechanism | undefined {
  const upper = new Set(offered.map((mechanism) => mechanism.toUpperCase()));
  if (authType === 'ntlm') return upper.has('NTLM') ? 'NTLM' : undefined;
  if (upper.has('PLAIN')) return 'PLAIN';
  if (upper.has('LOGIN')) return 'LOGIN';
  return undefined;
}
