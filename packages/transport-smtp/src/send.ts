// Sending through nodemailer, over a session opened by `openSession`: the same DNS/TCP/TLS path,
// certificate checks (including pinning) and STARTTLS rule as the probe. nodemailer then logs in
// (PLAIN, LOGIN and CRAM-MD5 natively, NTLM through its custom auth) and sends the message.
import { createTransport } from 'nodemailer';
import {
  TransportError,
  asTransportError,
  chooseMechanism,
  mechanismWanted,
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

export async function sendSmtp(
  config: SmtpConfig,
  message: OutgoingMessage,
  options: OperationOptions & ConnectionOptions = {},
): Promise<SendResult> {
  try {
    return await withTimeout('send', SEND_TIMEOUT_MS, options.signal, (signal) =>
      send(config, message, { ...options, signal }),
    );
  } catch (error) {
    return {
      ok: false,
      failure: asTransportError(error, 'send', {
        protocol: 'smtp',
        host: config.host,
        port: config.port,
      }).failure,
    };
  }
}

async function send(
  config: SmtpConfig,
  message: OutgoingMessage,
  options: ConnectionOptions & { signal: AbortSignal },
): Promise<SendResult> {
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
  const transport = createTransport({
    host: config.host,
    port: config.port,
    secure: encrypted,
    ignoreTLS: !encrypted,
    getSocket: (_options, callback) => {
      callback(null, { connection: socket, secured: encrypted });
    },
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
    const info = await transport.sendMail({
      from: message.fromName ? { name: message.fromName, address: message.from } : message.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    return { ok: true, response: info.response, messageId: info.messageId };
  } catch (error) {
    throw fromNodemailer(error as NodemailerError);
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
