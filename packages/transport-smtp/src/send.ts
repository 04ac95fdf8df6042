// Sending through nodemailer, over a session opened by `openSession`: the same DNS/TCP/TLS path,
// certificate checks (including pinning) and STARTTLS rule as the probe. nodemailer then logs in
// (PLAIN, LOGIN and CRAM-MD5 natively, NTLM through its custom auth) and sends the message.
import { createTransport, type SMTPPoolOptions } from 'nodemailer';
import {
  TransportError,
  asTransportError,
  chooseMechanism,
  mechanismWanted,
  refuseUnsafeHeaders,
  saslClient,
  StepRecorder,
  withTimeout,
  type ConnectionOptions,
} from '@email-profiles/transport-net';
import {
  transportErrorCodes,
  type OperationOptions,
  type OutgoingMessage,
  type SendResult,
} from '@email-profiles/core';
import { openSession, type SmtpConfig } from './session.js';

type NodemailerError = Error & {
  code?: string;
  response?: string;
  responseCode?: number;
  command?: string;
};

/** The whole send, from DNS to the server's acceptance of the message. */
const SEND_TIMEOUT_MS = 60_000;
/** Each further message of a batch adds this much to the deadline. */
const PER_MESSAGE_MS = 5_000;

export async function sendSmtp(
  config: SmtpConfig,
  message: OutgoingMessage,
  options: OperationOptions & ConnectionOptions = {},
): Promise<SendResult> {
  const [result] = await sendSmtpMany(config, [message], options);
  if (!result) throw new Error('sendSmtpMany returned no result');
  return result;
}

/**
 * Sends several messages over one session (one connection, handshake and login), each with its
 * own result in order: a refused message does not stop the others; a session that cannot be
 * opened, or breaks, fails every message not yet accepted.
 */
export type SendManyOptions = OperationOptions &
  ConnectionOptions & {
    /** Called as each message is accepted or refused, before the batch ends. */
    onResult?: (index: number, result: SendResult) => void;
  };

export async function sendSmtpMany(
  config: SmtpConfig,
  messages: readonly OutgoingMessage[],
  options: SendManyOptions = {},
): Promise<SendResult[]> {
  if (messages.length === 0) return [];
  const results: SendResult[] = [];
  let settled = false;
  const record = (result: SendResult) => {
    // After a timeout or abort, a late answer of the abandoned session changes nothing.
    if (settled) return;
    results.push(result);
    options.onResult?.(results.length - 1, result);
  };
  const timeoutMs = SEND_TIMEOUT_MS + (messages.length - 1) * PER_MESSAGE_MS;
  try {
    await withTimeout('send', timeoutMs, options.signal, (signal) =>
      send(config, messages, record, { ...options, signal }),
    );
  } catch (error) {
    const failure = asTransportError(error, 'send', {
      protocol: 'smtp',
      host: config.host,
      port: config.port,
    }).failure;
    while (results.length < messages.length) record({ ok: false, failure });
  }
  settled = true;
  return results;
}

async function send(
  config: SmtpConfig,
  messages: readonly OutgoingMessage[],
  record: (result: SendResult) => void,
  options: ConnectionOptions & { signal: AbortSignal },
): Promise<void> {
  const session = await openSession(config, new StepRecorder(), options);
  const { auth } = config;
  const mechanism = auth
    ? chooseMechanism(auth.type, session.capabilities.authMechanisms)
    : undefined;
  if (auth && mechanism === undefined) {
    session.connection.close();
    throw new TransportError({
      stage: 'auth',
      protocol: 'smtp',
      errorCode: transportErrorCodes.mechanismNotOffered,
      mechanism: mechanismWanted(auth.type),
      offered: session.capabilities.authMechanisms,
    });
  }
  // nodemailer starts by reading a greeting; the real one was read already, so it gets it again.
  const { socket } = session.connection.handOver(
    `${session.banner.slice(session.banner.lastIndexOf('\n') + 1)}\r\n`,
  );
  const encrypted = session.connection.encrypted;
  let handedOver = false;
  // A pool of one connection, so that every message goes over the session opened above; a
  // second connection is never opened (the socket is given once).
  const getSocket: SMTPPoolOptions['getSocket'] = (_options, callback) => {
    if (handedOver) {
      callback(new Error('The SMTP connection was closed'));
      return;
    }
    handedOver = true;
    callback(null, { connection: socket, secured: encrypted });
  };
  const transport = createTransport({
    pool: true,
    maxConnections: 1,
    maxMessages: Infinity,
    host: config.host,
    port: config.port,
    secure: encrypted,
    ignoreTLS: !encrypted,
    getSocket,
    greetingTimeout: session.connection.timeouts.greetingMs,
    socketTimeout: session.connection.timeouts.commandMs,
    ...(auth && mechanism
      ? {
          authMethod: mechanism,
          auth: { user: auth.username, pass: auth.password },
          customAuth: {
            NTLM: async (context) => {
              const client = saslClient('NTLM', auth);
              const challenge = await context.sendCommand(
                `AUTH NTLM ${client.initialResponse() ?? ''}`,
              );
              if (challenge.status !== 334) throw new Error(challenge.response);
              const result = await context.sendCommand(client.respond(challenge.text));
              if (result.status !== 235) throw new Error(result.response);
            },
          },
        }
      : {}),
    logger: false,
    debug: false,
  });
  const onAbort = () => {
    transport.close();
    socket.destroy();
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (const message of messages) {
      try {
        // nodemailer writes the envelope (MAIL FROM, RCPT TO) and the headers itself: a message
        // with a line break in an address, the sender name or the subject is never handed to it.
        refuseUnsafeHeaders(message, 'smtp');
      } catch (error) {
        record({ ok: false, failure: (error as TransportError).failure });
        continue;
      }
      try {
        const info = await transport.sendMail({
          from: message.fromName ? { name: message.fromName, address: message.from } : message.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          disableFileAccess: true,
          disableUrlAccess: true,
        });
        record({ ok: true, response: info.response, messageId: info.messageId });
      } catch (error) {
        const failed = fromNodemailer(error as NodemailerError);
        // Login, a timeout or a lost connection: the session is gone for the rest too.
        if (failed.failure.stage !== 'send' || socket.destroyed) throw failed;
        record({ ok: false, failure: failed.failure });
      }
    }
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    transport.close();
    socket.destroy();
  }
}

function fromNodemailer(error: NodemailerError): TransportError {
  const stage = error.code === 'EAUTH' ? 'auth' : error.code === 'ETIMEDOUT' ? 'timeout' : 'send';
  return new TransportError(
    {
      stage,
      protocol: 'smtp',
      ...(error.response ? { serverText: error.response } : {}),
      ...(error.code === 'ETIMEDOUT' ? { errorCode: transportErrorCodes.stageTimeout } : {}),
      message: error.message,
    },
    { cause: error },
  );
}
