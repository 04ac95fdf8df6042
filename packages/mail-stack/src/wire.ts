// A tiny line-oriented client for SMTP/LMTP/IMAP/POP3 over node:net and node:tls: enough for the
// harness (greetings, LMTP delivery, Cyrus mailbox creation) and for its tests. Every read has a
// time limit and close() always releases the socket.
import net from 'node:net';
import tls from 'node:tls';

export type TlsOptions = { ca: string; servername?: string; rejectUnauthorized?: boolean };

export type ConnectOptions = {
  host?: string;
  port: number;
  /** Implicit TLS (IMAPS, POP3S, SMTPS). */
  tls?: TlsOptions;
  timeoutMs?: number;
};

type Waiter = { resolve: (line: string) => void; reject: (error: Error) => void };

export class Wire {
  private socket: net.Socket;
  private buffer = '';
  private readonly lines: string[] = [];
  private readonly waiters: Waiter[] = [];
  private failure: Error | undefined;
  readonly timeoutMs: number;

  private constructor(socket: net.Socket, timeoutMs: number) {
    this.socket = socket;
    this.timeoutMs = timeoutMs;
    this.attach(socket);
  }

  /** Connects (and completes the TLS handshake for implicit TLS). */
  static connect(options: ConnectOptions): Promise<Wire> {
    const { host = '127.0.0.1', port, timeoutMs = 5_000 } = options;
    return new Promise((resolve, reject) => {
      const socket =
        options.tls === undefined
          ? net.connect({ host, port })
          : tls.connect({
              host,
              port,
              ca: options.tls.ca,
              servername: options.tls.servername ?? 'localhost',
              rejectUnauthorized: options.tls.rejectUnauthorized ?? true,
            });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port}: timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.once('error', onError);
      socket.once(options.tls === undefined ? 'connect' : 'secureConnect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new Wire(socket, timeoutMs));
      });
    });
  }

  private attach(socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private detach(socket: net.Socket) {
    socket.off('data', this.onData);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
  }

  private readonly onData = (chunk: string) => {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n'); end >= 0; end = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, end).replace(/\r$/, '');
      this.buffer = this.buffer.slice(end + 1);
      const waiter = this.waiters.shift();
      if (waiter === undefined) this.lines.push(line);
      else waiter.resolve(line);
    }
  };

  private readonly onError = (error: Error) => {
    this.fail(error);
  };

  private readonly onClose = () => {
    this.fail(new Error('connection closed by the server'));
  };

  private fail(error: Error) {
    this.failure ??= error;
    for (let waiter = this.waiters.shift(); waiter; waiter = this.waiters.shift()) {
      waiter.reject(this.failure);
    }
  }

  /** The peer certificate of a TLS connection. */
  get peerCertificate(): tls.PeerCertificate | undefined {
    return this.socket instanceof tls.TLSSocket ? this.socket.getPeerCertificate() : undefined;
  }

  get encrypted(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  readLine(timeoutMs = this.timeoutMs): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Reads lines until `last(line)` is true; returns all of them. */
  async readUntil(last: (line: string) => boolean): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.readLine();
      lines.push(line);
      if (last(line)) return lines;
    }
  }

  /** An SMTP/LMTP reply: "250-…" lines up to the "250 …" one. */
  readReply(): Promise<string[]> {
    return this.readUntil((line) => !/^\d{3}-/.test(line));
  }

  /** An IMAP command's untagged lines and its tagged completion (last element). */
  readTagged(tag: string): Promise<string[]> {
    return this.readUntil((line) => line.startsWith(`${tag} `));
  }

  write(data: string): void {
    this.socket.write(data);
  }

  /** Sends a line (CRLF appended). */
  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** Upgrades the connection after a STARTTLS/STLS command was accepted. */
  startTls(options: TlsOptions): Promise<void> {
    const plain = this.socket;
    this.detach(plain);
    return new Promise((resolve, reject) => {
      const secure = tls.connect({
        socket: plain,
        ca: options.ca,
        servername: options.servername ?? 'localhost',
        rejectUnauthorized: options.rejectUnauthorized ?? true,
      });
      const timer = setTimeout(() => {
        secure.destroy();
        reject(new Error(`TLS handshake: timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      secure.once('error', (error: Error) => {
        clearTimeout(timer);
        secure.destroy();
        reject(error);
      });
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        secure.removeAllListeners('error');
        this.socket = secure;
        this.attach(secure);
        resolve();
      });
    });
  }

  close(): void {
    this.detach(this.socket);
    this.socket.on('error', () => undefined);
    this.socket.destroy();
    this.fail(new Error('connection closed'));
  }
}

/** True if something accepts TCP connections on 127.0.0.1:port. */
export function accepts(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      done(false);
    }, timeoutMs);
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}
