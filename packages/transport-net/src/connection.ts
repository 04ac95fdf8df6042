// A line-oriented mail connection (SMTP, IMAP, POP3): opened stage by stage, upgraded with
// STARTTLS, and closed without leaving a socket or listener behind.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  hasLineBreakOrNul,
  transportErrorCodes,
  type AuthType,
  type Encryption,
  type FailureStage,
  type ObservedProtocol,
  type ProbeStep,
  type TlsTrust,
} from '@email-profiles/core';
import { connectTcp, resolveHost, startTls, type TlsDetails } from './connect.js';
import { defaultTimeouts, type Timeouts } from './deadline.js';
import { TransportError } from './errors.js';
import { LineReader } from './line-reader.js';
import type { StepRecorder } from './probe.js';

export type Endpoint = {
  host: string;
  port: number;
  encryption: Encryption;
  tlsTrust: TlsTrust;
};

/** A mailbox server and the account that logs in to it (IMAP, POP3). */
export type LoginConfig = Endpoint & { authType: AuthType; username: string; password: string };

export type ConnectionOptions = {
  timeouts?: Partial<Timeouts>;
  signal?: AbortSignal;
  /** Longest line accepted from the server. */
  maxLine?: number;
};

export class MailConnection {
  private reader: LineReader;
  /** Set once the connection is encrypted (SSL/TLS from the start, or after STARTTLS). */
  tls: TlsDetails | undefined;
  readonly timeouts: Timeouts;

  constructor(
    private socket: Socket,
    readonly endpoint: Endpoint,
    readonly options: ConnectionOptions,
    tls?: TlsDetails,
  ) {
    this.timeouts = { ...defaultTimeouts, ...options.timeouts };
    this.reader = new LineReader(socket, options.maxLine);
    this.tls = tls;
    guard(socket);
  }

  get encrypted(): boolean {
    return this.tls !== undefined;
  }

  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  readLine(stage: FailureStage, timeoutMs = this.timeouts.commandMs): Promise<string> {
    return this.reader.readLine(stage, timeoutMs, this.options.signal);
  }

  /**
   * Writes one command line; a connection the server already closed is reported by the next read.
   * A line holding a CR, LF or NUL (from a username, password or other value that slipped past
   * validation) would let that value end the command and inject another: it is never written,
   * the connection is closed so nothing more goes out, and a config failure is thrown.
   */
  write(line: string): void {
    this.writeLines([line]);
  }

  /**
   * Writes several command lines at once (SMTP PIPELINING, RFC 2920): one socket write, one TLS
   * record. Each line is checked as `write` checks it; none is sent if one is unsafe.
   */
  writeLines(lines: readonly string[]): void {
    if (lines.some(hasLineBreakOrNul)) {
      this.close();
      throw new TransportError({
        stage: 'config',
        errorCode: transportErrorCodes.unsafeCommandLine,
        host: this.endpoint.host,
        port: this.endpoint.port,
        message: 'A command would have carried a line break or NUL character; it was not sent',
      });
    }
    if (this.socket.writable) this.socket.write(lines.map((line) => `${line}\r\n`).join(''));
  }

  /** Writes bytes as they are: an SMTP message's data, dot-stuffed and terminated by the caller. */
  writeBytes(bytes: Buffer): void {
    if (this.socket.writable) this.socket.write(bytes);
  }

  /** Upgrades the connection in place (after the server agreed to STARTTLS / STLS). */
  async upgrade(): Promise<TlsDetails> {
    this.reader.detach();
    const leftover = this.reader.takeBuffered();
    const { socket, details } = await startTls(this.socket, {
      host: this.endpoint.host,
      port: this.endpoint.port,
      trust: this.endpoint.tlsTrust,
      timeoutMs: this.timeouts.connectMs,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    if (leftover.length > 0) {
      // Bytes sent before the handshake could have been injected by anyone on the path
      // (the STARTTLS command injection class of bugs): refuse them.
      socket.destroy();
      throw new TransportError({
        stage: 'tls',
        errorCode: transportErrorCodes.protocolViolation,
        message: 'The server sent data after agreeing to start TLS',
      });
    }
    this.socket = socket;
    guard(socket);
    this.reader = new LineReader(socket, this.options.maxLine);
    this.tls = details;
    return details;
  }

  /**
   * Hands the socket to another client (nodemailer, imapflow): `replay` and any bytes received
   * but not read yet are put back in front of the stream, which stays paused until the new owner
   * starts reading, so nothing is lost in between.
   */
  handOver(replay = ''): { socket: Socket | TLSSocket } {
    this.reader.detach();
    const buffered = this.reader.takeBuffered();
    const socket = this.socket;
    socket.pause();
    const bytes = Buffer.concat([Buffer.from(replay, 'utf8'), buffered]);
    if (bytes.length > 0) socket.unshift(bytes);
    const onListener = (event: string | symbol) => {
      if (event !== 'data') return;
      socket.off('newListener', onListener);
      // 'newListener' fires before the listener is added.
      setImmediate(() => socket.resume());
    };
    socket.on('newListener', onListener);
    return { socket };
  }

  close(): void {
    this.reader.detach();
    this.socket.destroy();
  }
}

// Errors are reported through the reader while it listens; after that (a late EPIPE while
// closing) they must not crash the process.
function guard(socket: Socket): void {
  socket.on('error', () => undefined);
}

/** Opens the connection: DNS, TCP and, for SSL/TLS, the TLS handshake, each as a recorded step. */
export async function openConnection(
  endpoint: Endpoint,
  recorder: StepRecorder,
  options: ConnectionOptions = {},
): Promise<MailConnection> {
  const timeouts = { ...defaultTimeouts, ...options.timeouts };
  const { signal } = options;
  const { host, port } = endpoint;
  const addresses = await recorder.step(
    'dns',
    () => resolveHost(host, timeouts.connectMs, signal),
    (found) => ({
      summary: `${host} resolves to ${found.map((a) => a.address).join(', ')}`,
      dns: { addresses: found },
    }),
  );
  const socket = await recorder.step(
    'tcp',
    () => connectTcp(addresses, port, timeouts.connectMs, signal, host),
    (connected) => ({ summary: `Connected to ${connected.remoteAddress ?? host}:${port}` }),
  );
  if (endpoint.encryption !== 'ssl') {
    recorder.note(
      'tls',
      'skipped',
      endpoint.encryption === 'starttls'
        ? 'TLS starts after the greeting (STARTTLS)'
        : 'Encryption is off',
    );
    return new MailConnection(socket, endpoint, options);
  }
  try {
    const { socket: secure, details } = await recorder.step(
      'tls',
      () =>
        startTls(socket, {
          host,
          port,
          trust: endpoint.tlsTrust,
          timeoutMs: timeouts.connectMs,
          ...(signal ? { signal } : {}),
        }),
      (result) => ({ summary: tlsSummary(result.details), tls: result.details }),
    );
    return new MailConnection(secure, endpoint, options, details);
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

export function tlsSummary(details: TlsDetails): string {
  const cert = details.certificate;
  const who = cert
    ? ` certificate for ${cert.subjectAltNames.join(', ') || cert.subject}, valid until ${cert.validTo.slice(0, 10)}`
    : '';
  return `${details.protocol} ${details.cipher};${who}`;
}

/**
 * The STARTTLS step shared by SMTP, IMAP and POP3. With STARTTLS chosen it is required: when the
 * server does not offer it (`offered` false) the connection stops here, before any credential is
 * sent; otherwise `command` asks the server to start TLS, the connection is upgraded, and `after`
 * runs on the encrypted connection (capabilities must be asked again). Other encryptions are
 * noted as skipped.
 */
export async function starttlsStep<T>(
  recorder: StepRecorder,
  connection: MailConnection,
  protocol: ObservedProtocol,
  offer: { offered: boolean | undefined; serverText: string },
  command: () => Promise<void>,
  after: () => Promise<T>,
  facts?: (result: T) => ProbeStep['facts'],
): Promise<T | undefined> {
  const { encryption, host, port } = connection.endpoint;
  if (encryption !== 'starttls') {
    recorder.note(
      'starttls',
      'skipped',
      encryption === 'ssl' ? 'Encrypted from the start (SSL/TLS)' : 'Encryption is off',
    );
    return undefined;
  }
  const notOffered = (serverText = offer.serverText) =>
    new TransportError({
      stage: 'tls',
      protocol,
      errorCode: transportErrorCodes.starttlsNotOffered,
      host,
      port,
      serverText,
    });
  const { result } = await recorder.step(
    'starttls',
    async () => {
      if (offer.offered === false) throw notOffered();
      try {
        await command();
      } catch (error) {
        // A server that did not list its capabilities may still refuse: that is "not offered".
        const refusal = error instanceof TransportError ? error.observation.serverText : undefined;
        if (offer.offered === undefined && refusal !== undefined) throw notOffered(refusal);
        throw error;
      }
      const details = await connection.upgrade();
      return { details, result: await after() };
    },
    ({ details, result: value }) => ({
      summary: tlsSummary(details),
      tls: details,
      ...(facts ? { facts: facts(value) } : {}),
    }),
  );
  return result;
}
