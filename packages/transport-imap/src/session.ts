// The unauthenticated part of an IMAP session (RFC 9051 / 3501): greeting, CAPABILITY, STARTTLS
// and login (AUTHENTICATE PLAIN / LOGIN / NTLM, or the LOGIN command). imapflow has no NTLM, and
// this part is where the diagnostics matter, so it is done here; the authenticated connection is
// then handed to imapflow (see mailbox.ts).
import {
  TransportError,
  chooseMechanism,
  openConnection,
  saslClient,
  starttlsStep,
  type ConnectionOptions,
  type LoginConfig,
  type MailConnection,
  type StepRecorder,
} from '@email-profiles/transport-net';
import { hasLineBreakOrNul, transportErrorCodes, type FailureStage } from '@email-profiles/core';

export type ImapConfig = LoginConfig;

type Tagged = { status: 'OK' | 'NO' | 'BAD'; text: string; line: string; untagged: string[] };

const MAX_UNTAGGED = 1000;
const CAPABILITY_CODE = /\[CAPABILITY ([^\]]*)\]/i;

export class ImapSession {
  private tagCount = 0;
  capabilities: string[] = [];

  constructor(readonly connection: MailConnection) {}

  has(capability: string): boolean {
    return this.capabilities.includes(capability.toUpperCase());
  }

  authMechanisms(): string[] {
    return this.capabilities.filter((c) => c.startsWith('AUTH=')).map((c) => c.slice(5));
  }

  /** Records capabilities from a CAPABILITY response or a [CAPABILITY ...] response code. */
  learn(line: string): void {
    const code = CAPABILITY_CODE.exec(line);
    const untagged = /^\* CAPABILITY (.*)$/i.exec(line);
    const list = code?.[1] ?? untagged?.[1];
    if (list !== undefined) this.capabilities = list.trim().toUpperCase().split(/\s+/);
  }

  private nextTag(): string {
    this.tagCount += 1;
    return `E${this.tagCount}`;
  }

  /**
   * Sends a command and reads to its tagged reply. `onContinue` answers `+` continuations (SASL);
   * without it a continuation is a protocol error.
   */
  async run(
    command: string | readonly string[],
    stage: FailureStage,
    onContinue?: (text: string) => string,
  ): Promise<Tagged> {
    const tag = this.nextTag();
    // A command with literals comes in segments: each after the first is sent when the server
    // says "+" to the `{n}` that ends the one before.
    const [first = '', ...rest] = typeof command === 'string' ? [command] : command;
    this.connection.write(`${tag} ${first}`);
    const untagged: string[] = [];
    for (;;) {
      const line = await this.connection.readLine(stage);
      if (line.startsWith(`${tag} `)) {
        const match = /^\S+ (OK|NO|BAD)\b ?(.*)$/i.exec(line);
        if (!match) throw violation(stage, line);
        this.learn(line);
        return {
          status: (match[1] ?? 'BAD').toUpperCase() as Tagged['status'],
          text: match[2] ?? '',
          line,
          untagged,
        };
      }
      if (line.startsWith('+')) {
        const segment = rest.shift();
        if (segment !== undefined) {
          this.connection.write(segment);
          continue;
        }
        if (!onContinue) throw violation(stage, line);
        this.connection.write(onContinue(line.slice(1).trim()));
        continue;
      }
      if (line.startsWith('* BYE'))
        throw new TransportError({ stage, protocol: 'imap', serverText: line });
      if (!line.startsWith('* ')) throw violation(stage, line);
      this.learn(line);
      untagged.push(line);
      if (untagged.length > MAX_UNTAGGED) {
        throw new TransportError({
          stage,
          protocol: 'imap',
          errorCode: transportErrorCodes.responseTooLarge,
          message: 'Endless IMAP response',
        });
      }
    }
  }

  /** Runs a command that must end in OK; NO/BAD become a failure of the stage with the server's words. */
  async ok(
    command: string | readonly string[],
    stage: FailureStage,
    onContinue?: (text: string) => string,
  ): Promise<Tagged> {
    const reply = await this.run(command, stage, onContinue);
    if (reply.status !== 'OK')
      throw new TransportError({ stage, protocol: 'imap', serverText: reply.line });
    return reply;
  }

  logout(): void {
    try {
      this.connection.write(`${this.nextTag()} LOGOUT`);
    } finally {
      this.connection.close();
    }
  }
}

function violation(stage: FailureStage, line: string): TransportError {
  return new TransportError({
    stage,
    protocol: 'imap',
    errorCode: transportErrorCodes.protocolViolation,
    serverText: line,
  });
}

/** DNS, TCP, TLS, greeting and capabilities, STARTTLS (when chosen: required), as recorded steps. */
export async function openImap(
  config: ImapConfig,
  recorder: StepRecorder,
  options: ConnectionOptions,
): Promise<ImapSession> {
  const connection = await openConnection(config, recorder, options);
  const session = new ImapSession(connection);
  try {
    await recorder.step(
      'greeting',
      async () => {
        const greeting = await connection.readLine('greeting', connection.timeouts.greetingMs);
        if (!/^\* (OK|PREAUTH)\b/i.test(greeting)) {
          throw new TransportError({
            stage: 'greeting',
            protocol: 'imap',
            serverText: greeting,
            ...(greeting.startsWith('* BYE')
              ? {}
              : { errorCode: transportErrorCodes.protocolViolation }),
          });
        }
        session.learn(greeting);
        if (session.capabilities.length === 0) await session.ok('CAPABILITY', 'greeting');
        return greeting;
      },
      (greeting) => ({
        summary: greeting,
        greeting: {
          banner: greeting,
          capabilities: session.capabilities,
          starttls: session.has('STARTTLS'),
          authMechanisms: session.authMechanisms(),
        },
      }),
    );
    await starttlsStep(
      recorder,
      connection,
      'imap',
      {
        offered: session.has('STARTTLS'),
        serverText: `* CAPABILITY ${session.capabilities.join(' ')}`,
      },
      async () => {
        await session.ok('STARTTLS', 'tls');
      },
      async () => {
        // Capabilities seen before TLS could have been forged: ask again (RFC 9051 section 6.2.1).
        session.capabilities = [];
        await session.ok('CAPABILITY', 'greeting');
      },
    );
    return session;
  } catch (error) {
    connection.close();
    throw error;
  }
}

// Any 7-bit character but NUL, CR and LF can go into a quoted string (RFC 9051 QUOTED-CHAR).
// eslint-disable-next-line no-control-regex
const QUOTABLE = /^[\u0001-\u0009\u000b\u000c\u000e-\u007f]*$/;

/**
 * The LOGIN command for a username and password, as the segments `run` sends: each value as a
 * quoted string (with `\` and `"` escaped), or as a synchronizing literal `{n}` when it holds
 * other characters (UTF-8). Undefined when a value holds CR, LF or NUL, which no IMAP string of
 * LOGIN can carry.
 */
export function loginCommand(username: string, password: string): string[] | undefined {
  const segments: string[] = [];
  let current = 'LOGIN';
  for (const value of [username, password]) {
    if (hasLineBreakOrNul(value)) return undefined;
    if (QUOTABLE.test(value)) {
      current += ` "${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    } else {
      segments.push(`${current} {${Buffer.byteLength(value, 'utf8')}}`);
      current = value;
    }
  }
  segments.push(current);
  return segments;
}

/**
 * Logs in with the profile's auth type: NTLM through AUTHENTICATE NTLM; Plain through AUTHENTICATE
 * PLAIN (or LOGIN) when offered, else the LOGIN command. Returns the method used.
 */
export async function loginImap(session: ImapSession, config: ImapConfig): Promise<string> {
  const credentials = { username: config.username, password: config.password };
  const mechanism = chooseMechanism(config.authType, session.authMechanisms());
  if (mechanism === undefined) {
    const loginDisabled = session.has('LOGINDISABLED');
    if (config.authType === 'ntlm' || loginDisabled) {
      throw new TransportError({
        stage: 'auth',
        protocol: 'imap',
        ...(loginDisabled && config.authType === 'plain'
          ? {
              serverText: `* CAPABILITY ${session.capabilities.join(' ')}`,
              message: 'LOGINDISABLED',
            }
          : {
              errorCode: transportErrorCodes.mechanismNotOffered,
              mechanism: 'NTLM',
              offered: session.authMechanisms(),
            }),
      });
    }
    const login = loginCommand(credentials.username, credentials.password);
    if (login === undefined) {
      throw new TransportError({
        stage: 'config',
        protocol: 'imap',
        errorCode: transportErrorCodes.unsafeCommandLine,
        message: 'The username or password contains a line break or NUL character',
      });
    }
    await session.ok(login, 'auth');
    return 'LOGIN';
  }
  const client = saslClient(mechanism, credentials);
  const initial = client.initialResponse();
  const withInitial = initial !== undefined && session.has('SASL-IR');
  let pendingInitial = initial !== undefined && !withInitial;
  await session.ok(
    withInitial ? `AUTHENTICATE ${mechanism} ${initial}` : `AUTHENTICATE ${mechanism}`,
    'auth',
    (challenge) => {
      if (pendingInitial && initial !== undefined) {
        pendingInitial = false;
        return initial;
      }
      return client.respond(challenge);
    },
  );
  return mechanism;
}
