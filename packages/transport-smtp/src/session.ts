// The opening of an SMTP session, shared by the probe and by sending: greeting, EHLO, STARTTLS,
// and AUTH. Replies are read with bounds on line length and line count.
import {
  TransportError,
  chooseMechanism,
  mechanismWanted,
  openConnection,
  saslClient,
  starttlsStep,
  type ConnectionOptions,
  type Endpoint,
  type MailConnection,
  type StepRecorder,
} from '@email-profiles/transport-net';
import {
  transportErrorCodes,
  type FailureStage,
  type SmtpAuthMechanism,
} from '@email-profiles/core';

/** Profiles log in with Plain or NTLM; the Director's own SMTP also with Login or CRAM-MD5. */
export type SmtpAuth = { type: SmtpAuthMechanism; username: string; password: string };

/** Where and how to reach an SMTP server: a profile's outgoing server or the Director's own. */
export type SmtpConfig = Endpoint & {
  /** Absent when the server does not require authentication. */
  auth?: SmtpAuth;
};

export type Reply = { code: number; lines: string[]; text: string };

const MAX_REPLY_LINES = 200;
const REPLY_LINE = /^(\d{3})([ -])(.*)$/;

export async function readReply(
  connection: MailConnection,
  stage: FailureStage,
  timeoutMs?: number,
): Promise<Reply> {
  const lines: string[] = [];
  for (;;) {
    const line = await connection.readLine(stage, timeoutMs);
    const match = REPLY_LINE.exec(line);
    if (!match) {
      throw new TransportError({
        stage,
        protocol: 'smtp',
        errorCode: transportErrorCodes.protocolViolation,
        serverText: line,
        message: 'Not an SMTP reply',
      });
    }
    lines.push(line);
    if (lines.length > MAX_REPLY_LINES) {
      throw new TransportError({
        stage,
        protocol: 'smtp',
        errorCode: transportErrorCodes.responseTooLarge,
        message: 'Endless SMTP reply',
      });
    }
    if (match[2] === ' ') return { code: Number(match[1]), lines, text: lines.join('\n') };
  }
}

export async function command(
  connection: MailConnection,
  line: string,
  stage: FailureStage,
): Promise<Reply> {
  connection.write(line);
  return readReply(connection, stage);
}

function expect(reply: Reply, ok: (code: number) => boolean, stage: FailureStage): Reply {
  if (!ok(reply.code))
    throw new TransportError({ stage, protocol: 'smtp', serverText: reply.text });
  return reply;
}

export type Capabilities = {
  starttls: boolean;
  authMechanisms: string[];
  /** RFC 2920: MAIL, RCPT and DATA may go in one write, their replies read in order. */
  pipelining: boolean;
  all: string[];
};

export function parseEhlo(reply: Reply): Capabilities {
  const all = reply.lines.slice(1).map((line) => line.slice(4).trim());
  const auth = all.find((cap) => /^AUTH[ =]/i.test(cap));
  return {
    starttls: all.some((cap) => cap.toUpperCase() === 'STARTTLS'),
    pipelining: all.some((cap) => cap.toUpperCase() === 'PIPELINING'),
    authMechanisms: auth
      ? auth
          .slice(5)
          .trim()
          .split(/\s+/)
          .map((m) => m.toUpperCase())
      : [],
    all,
  };
}

export type OpenSession = {
  connection: MailConnection;
  banner: string;
  capabilities: Capabilities;
};

function ehloName(connection: MailConnection): string {
  const local = connection.localAddress;
  if (!local) return 'localhost';
  return local.includes(':') ? `[IPv6:${local}]` : `[${local}]`;
}

/** DNS, TCP, TLS, greeting, EHLO and STARTTLS (when chosen: required, never skipped). */
export async function openSession(
  config: SmtpConfig,
  recorder: StepRecorder,
  options: ConnectionOptions,
): Promise<OpenSession> {
  const connection = await openConnection(config, recorder, options);
  try {
    const { banner, capabilities } = await recorder.step(
      'greeting',
      async () => {
        const greeting = expect(
          await readReply(connection, 'greeting', connection.timeouts.greetingMs),
          (c) => c === 220,
          'greeting',
        );
        const ehlo = expect(
          await command(connection, `EHLO ${ehloName(connection)}`, 'greeting'),
          (c) => c === 250,
          'greeting',
        );
        return { banner: greeting.text, capabilities: parseEhlo(ehlo) };
      },
      ({ banner, capabilities }) => ({
        summary: banner,
        greeting: {
          banner,
          capabilities: capabilities.all,
          starttls: capabilities.starttls,
          authMechanisms: capabilities.authMechanisms,
        },
      }),
    );
    const upgraded = await starttlsStep(
      recorder,
      connection,
      'smtp',
      { offered: capabilities.starttls, serverText: capabilities.all.join('\n') },
      async () => {
        expect(await command(connection, 'STARTTLS', 'tls'), (c) => c === 220, 'tls');
      },
      async () => {
        const ehlo = await command(connection, `EHLO ${ehloName(connection)}`, 'greeting');
        return parseEhlo(expect(ehlo, (c) => c === 250, 'greeting'));
      },
      (after) => ({ authAfterTls: after.authMechanisms.join(' ') }),
    );
    return { connection, banner, capabilities: upgraded ?? capabilities };
  } catch (error) {
    connection.close();
    throw error;
  }
}

/** AUTH with the configured type: the one login of the probe and of sending. */
export async function authenticate(session: OpenSession, auth: SmtpAuth): Promise<string> {
  const { connection, capabilities } = session;
  const mechanism = chooseMechanism(auth.type, capabilities.authMechanisms);
  if (mechanism === undefined) {
    throw new TransportError({
      stage: 'auth',
      protocol: 'smtp',
      errorCode: transportErrorCodes.mechanismNotOffered,
      mechanism: mechanismWanted(auth.type),
      offered: capabilities.authMechanisms,
    });
  }
  const client = saslClient(mechanism, auth);
  const initial = client.initialResponse();
  let reply = await command(
    connection,
    initial === undefined ? `AUTH ${mechanism}` : `AUTH ${mechanism} ${initial}`,
    'auth',
  );
  for (let round = 0; reply.code === 334 && round < 5; round += 1) {
    reply = await command(connection, client.respond(reply.text.slice(4).trim()), 'auth');
  }
  if (reply.code !== 235)
    throw new TransportError({ stage: 'auth', protocol: 'smtp', serverText: reply.text });
  return mechanism;
}

export function quit(connection: MailConnection): void {
  try {
    connection.write('QUIT');
  } finally {
    connection.close();
  }
}
