// A POP3 client session (RFC 1939), with CAPA (RFC 2449), STLS (RFC 2595) and SASL AUTH
// (RFC 5034). Every reply is bounded: one line, or a dot-terminated block of limited size.
import {
  TransportError,
  chooseMechanism,
  openConnection,
  saslClient,
  starttlsStep,
  type ConnectionOptions,
  type LoginConfig,
  type Credentials,
  type MailConnection,
  type StepRecorder,
} from '@email-profiles/transport-net';
import { transportErrorCodes, type FailureStage } from '@email-profiles/core';

export type Pop3Config = LoginConfig;

/** The most a multi-line reply (CAPA, TOP headers) may hold. */
const MAX_BLOCK_BYTES = 1024 * 1024;

export class Pop3Session {
  capabilities: string[] | undefined;

  constructor(readonly connection: MailConnection) {}

  /** One command, one `+OK` line (the text after +OK), or a TransportError carrying the -ERR. */
  async command(line: string, stage: FailureStage): Promise<string> {
    this.connection.write(line);
    return this.status(stage);
  }

  async status(stage: FailureStage, timeoutMs?: number): Promise<string> {
    const reply = await this.connection.readLine(stage, timeoutMs);
    if (reply.startsWith('+OK')) return reply.slice(3).trim();
    throw new TransportError({
      stage,
      protocol: 'pop3',
      serverText: reply,
      ...(reply.startsWith('-ERR') ? {} : { errorCode: transportErrorCodes.protocolViolation }),
    });
  }

  /** The lines of a dot-terminated block, dot-unstuffed. */
  async block(stage: FailureStage): Promise<string[]> {
    const lines: string[] = [];
    let bytes = 0;
    for (;;) {
      const line = await this.connection.readLine(stage);
      if (line === '.') return lines;
      bytes += line.length + 2;
      if (bytes > MAX_BLOCK_BYTES) {
        this.connection.close();
        throw new TransportError({
          stage,
          protocol: 'pop3',
          errorCode: transportErrorCodes.responseTooLarge,
          message: `A reply longer than ${MAX_BLOCK_BYTES} bytes`,
        });
      }
      lines.push(line.startsWith('.') ? line.slice(1) : line);
    }
  }

  async capa(stage: FailureStage): Promise<string[] | undefined> {
    try {
      await this.command('CAPA', stage);
    } catch (error) {
      // Servers without RFC 2449 answer -ERR: capabilities are then unknown, not absent.
      if (error instanceof TransportError && error.observation.serverText?.startsWith('-ERR'))
        return undefined;
      throw error;
    }
    this.capabilities = (await this.block(stage)).map((line) => line.trim());
    return this.capabilities;
  }

  has(capability: string): boolean | undefined {
    return this.capabilities?.some((line) => line.toUpperCase().split(/\s+/)[0] === capability);
  }

  saslMechanisms(): string[] {
    const sasl = this.capabilities?.find((line) => /^SASL\b/i.test(line));
    return sasl
      ? sasl
          .split(/\s+/)
          .slice(1)
          .map((m) => m.toUpperCase())
      : [];
  }

  quit(): void {
    try {
      this.connection.write('QUIT');
    } finally {
      this.connection.close();
    }
  }
}

/** DNS, TCP, TLS, greeting and CAPA, STLS (when chosen: required), each a recorded step. */
export async function openPop3(
  config: Pop3Config,
  recorder: StepRecorder,
  options: ConnectionOptions,
): Promise<Pop3Session> {
  const connection = await openConnection(config, recorder, options);
  const session = new Pop3Session(connection);
  try {
    const { capabilities } = await recorder.step(
      'greeting',
      async () => ({
        banner: await session.status('greeting', connection.timeouts.greetingMs),
        capabilities: await session.capa('greeting'),
      }),
      ({ banner, capabilities }) => ({
        summary: `+OK ${banner}`,
        greeting: {
          banner: `+OK ${banner}`,
          capabilities: capabilities ?? [],
          starttls: session.has('STLS') ?? false,
          authMechanisms: session.saslMechanisms(),
        },
      }),
    );
    await starttlsStep(
      recorder,
      connection,
      'pop3',
      {
        offered: capabilities === undefined ? undefined : session.has('STLS') === true,
        serverText: capabilities?.join('\n') ?? '',
      },
      async () => {
        await session.command('STLS', 'tls');
      },
      async () => {
        await session.capa('greeting');
      },
    );
    return session;
  } catch (error) {
    connection.close();
    throw error;
  }
}

/**
 * Logs in: NTLM through AUTH NTLM; Plain through AUTH PLAIN or LOGIN when offered, else the
 * classic USER/PASS. Returns the method used.
 */
export async function loginPop3(session: Pop3Session, config: Pop3Config): Promise<string> {
  const credentials: Credentials = { username: config.username, password: config.password };
  const offered = session.saslMechanisms();
  const mechanism = chooseMechanism(config.authType, offered);
  if (mechanism === undefined && config.authType === 'ntlm') {
    throw new TransportError({
      stage: 'auth',
      protocol: 'pop3',
      errorCode: transportErrorCodes.mechanismNotOffered,
      mechanism: 'NTLM',
      offered: offered.length > 0 ? offered : ['USER/PASS'],
    });
  }
  if (mechanism === undefined) {
    await session.command(`USER ${credentials.username}`, 'auth');
    await session.command(`PASS ${credentials.password}`, 'auth');
    return 'USER/PASS';
  }
  const client = saslClient(mechanism, credentials);
  const initial = client.initialResponse();
  const { connection } = session;
  connection.write(initial === undefined ? `AUTH ${mechanism}` : `AUTH ${mechanism} ${initial}`);
  for (let round = 0; round < 6; round += 1) {
    const line = await connection.readLine('auth');
    if (line.startsWith('+OK')) return mechanism;
    if (!line.startsWith('+'))
      throw new TransportError({ stage: 'auth', protocol: 'pop3', serverText: line });
    connection.write(client.respond(line.slice(1).trim()));
  }
  throw new TransportError({
    stage: 'auth',
    protocol: 'pop3',
    errorCode: transportErrorCodes.protocolViolation,
    message: 'Endless SASL exchange',
  });
}

/** STAT: message count and mailbox size. */
export async function stat(session: Pop3Session): Promise<{ count: number; octets: number }> {
  const text = await session.command('STAT', 'mailbox');
  const match = /^(\d+)\s+(\d+)/.exec(text);
  if (!match) {
    throw new TransportError({
      stage: 'mailbox',
      protocol: 'pop3',
      errorCode: transportErrorCodes.protocolViolation,
      serverText: `+OK ${text}`,
    });
  }
  return { count: Number(match[1]), octets: Number(match[2]) };
}
