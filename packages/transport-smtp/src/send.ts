// Sending over a session opened by `openSession` (the probe's DNS/TCP/TLS path, certificate
// checks, STARTTLS rule) and logged in by `authenticate` (the probe's own login), so a failure
// has the same stage and signal in Verify, in the connectivity check and in Send test email.
// nodemailer only composes the message (MIME, encoded headers); the envelope is ours.
import MailComposer from 'nodemailer/lib/mail-composer';
import {
  TransportError,
  asTransportError,
  refuseUnsafeHeaders,
  StepRecorder,
  withTimeout,
  type ConnectionOptions,
  type MailConnection,
} from '@email-profiles/transport-net';
import type { OperationOptions, OutgoingMessage, SendResult } from '@email-profiles/core';
import {
  authenticate,
  command,
  openSession,
  quit,
  readReply,
  type Reply,
  type SmtpConfig,
} from './session.js';
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
  const { connection } = session;
  const onAbort = () => {
    connection.close();
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (config.auth) await authenticate(session, config.auth);
    for (const message of messages) {
      try {
        // A line break in an address, the sender name or the subject never reaches the wire.
        refuseUnsafeHeaders(message, 'smtp');
      } catch (error) {
        record({ ok: false, failure: (error as TransportError).failure });
        continue;
      }
      const composed = await compose(message);
      record(await transaction(connection, session.capabilities.pipelining, message, composed));
    }
    quit(connection);
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    connection.close();
  }
}

type Composed = { data: Buffer; messageId: string };

async function compose(message: OutgoingMessage): Promise<Composed> {
  const mail = new MailComposer({
    from: message.fromName ? { name: message.fromName, address: message.from } : message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile();
  return { data: await mail.build(), messageId: mail.messageId() };
}

/** The final reply can take a while (content filters); the whole send stays bounded. */
const DATA_REPLY_MS = 60_000;

/**
 * One mail transaction. The server refusing this message (a 4xx/5xx reply) is this message's
 * result and the session goes on after RSET; a broken or silent session throws.
 */
async function transaction(
  connection: MailConnection,
  pipelining: boolean,
  message: OutgoingMessage,
  { data, messageId }: Composed,
): Promise<SendResult> {
  const envelope: [string, (code: number) => boolean][] = [
    [`MAIL FROM:<${message.from}>`, (code) => code === 250],
    [`RCPT TO:<${message.to}>`, (code) => code === 250 || code === 251],
    ['DATA', (code) => code === 354],
  ];
  const refusal = pipelining
    ? await pipelinedEnvelope(connection, envelope)
    : await envelopeOneByOne(connection, envelope);
  if (refusal) return refused(refusal);
  connection.writeBytes(dotStuffed(data));
  const reply = await readReply(connection, 'send', DATA_REPLY_MS);
  return reply.code === 250 ? { ok: true, response: reply.text, messageId } : refused(reply);
}

type Envelope = [line: string, ok: (code: number) => boolean][];

/** MAIL, RCPT, DATA one after another; the first refusal (after RSET), if any. */
async function envelopeOneByOne(connection: MailConnection, envelope: Envelope) {
  for (const [line, ok] of envelope) {
    const reply = await command(connection, line, 'send');
    if (!ok(reply.code)) {
      await command(connection, 'RSET', 'send');
      return reply;
    }
  }
  return undefined;
}

/**
 * The same in one write (RFC 2920), every reply read in order. Should a server accept DATA after
 * refusing the sender or the recipient, the data is ended at once (it has nobody to deliver to)
 * before RSET.
 */
async function pipelinedEnvelope(connection: MailConnection, envelope: Envelope) {
  connection.writeLines(envelope.map(([line]) => line));
  const replies: Reply[] = [];
  for (let i = 0; i < envelope.length; i += 1) replies.push(await readReply(connection, 'send'));
  const refusal = replies.find((reply, i) => !envelope[i]?.[1](reply.code));
  if (!refusal) return undefined;
  if (replies.at(-1)?.code === 354) {
    connection.writeBytes(Buffer.from('.\r\n', 'latin1'));
    await readReply(connection, 'send', DATA_REPLY_MS);
  }
  await command(connection, 'RSET', 'send');
  return refusal;
}

function refused(reply: Reply): SendResult {
  return {
    ok: false,
    failure: new TransportError({ stage: 'send', protocol: 'smtp', serverText: reply.text })
      .failure,
  };
}

/** CRLF line endings, a dot doubled at the start of a line (RFC 5321 4.5.2), the final dot. */
function dotStuffed(data: Buffer): Buffer {
  const text = data.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  return Buffer.from(`${text}${text.endsWith('\r\n') ? '' : '\r\n'}.\r\n`, 'latin1');
}
