// Test helpers for the transport packages: scripted (and hostile) servers on loopback, and a
// check that an operation leaves no handle behind. (Certificates: @email-profiles/mail-stack.)
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

export type ScriptedServer = { port: number; connections: number; close(): Promise<void> };

/**
 * Starts a TCP (or, with `tls`, TLS) server on 127.0.0.1 that runs `script` for every connection.
 * `close()` destroys every connection and waits for the server to stop.
 */
export async function scriptedServer(
  script: (socket: Socket | TLSSocket) => void | Promise<void>,
  tls?: { certPem: string; keyPem: string },
): Promise<ScriptedServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const onConnection = (socket: Socket | TLSSocket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    void Promise.resolve(script(socket)).catch(() => socket.destroy());
  };
  const server: Server = tls
    ? createTlsServer({ cert: tls.certPem, key: tls.keyPem }, onConnection)
    : createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (allocated, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Counts of the kinds of active handles (sockets, timers, servers) of this process. */
export function activeHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Waits until the process has no more handles of the watched kinds than `before` (or gives up). */
export async function settledHandles(
  before: Record<string, number>,
  waitMs = 2000,
): Promise<Record<string, number>> {
  const watched = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'TLSWrap'];
  const extra = (): Record<string, number> => {
    const now = activeHandles();
    const counts = watched.map((kind): [string, number] => [
      kind,
      (now[kind] ?? 0) - (before[kind] ?? 0),
    ]);
    return Object.fromEntries(counts.filter(([, n]) => n > 0));
  };
  const until = Date.now() + waitMs;
  while (Object.keys(extra()).length > 0 && Date.now() < until)
    await new Promise((resolve) => setImmediate(resolve));
  return extra();
}

export type LineServer = ScriptedServer & {
  received: string[];
  /** Every byte received, in order, exactly as it arrived (to check what went onto the wire). */
  raw: Buffer[];
};

/**
 * A scripted line-protocol server: sends `greeting` (if any), then answers each received line
 * with what `respond` returns: nothing, text to write, or `'close'` to hang up.
 */
export async function lineServer(
  greeting: string | undefined,
  respond: (line: string) => string | undefined,
): Promise<LineServer> {
  const received: string[] = [];
  const raw: Buffer[] = [];
  const server = await scriptedServer((socket) => {
    if (greeting !== undefined) socket.write(greeting);
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      raw.push(chunk);
      pending += chunk.toString('utf8');
      let end = pending.indexOf('\n');
      while (end !== -1) {
        const line = pending.slice(0, end).replace(/\r$/, '');
        pending = pending.slice(end + 1);
        received.push(line);
        const answer = respond(line);
        if (answer === 'close') {
          socket.destroy();
          return;
        }
        if (answer !== undefined) socket.write(answer);
        end = pending.indexOf('\n');
      }
    });
  });
  return Object.assign(server, { received, raw });
}

/** A server that trickles bytes (one every 50 ms) and never ends a line: a stalled greeting. */
export async function tricklingServer(): Promise<LineServer> {
  const server = await scriptedServer((socket) => {
    const timer = setInterval(() => socket.write('*'), 50);
    socket.on('close', () => {
      clearInterval(timer);
    });
  });
  return Object.assign(server, { received: [], raw: [] });
}

/** The part of a failure that must not depend on which operation met it. */
export function stageAndSignal(failure: { stage: string; signal?: string } | undefined) {
  return { stage: failure?.stage, signal: failure?.signal };
}

/** Servers that take the connection and never finish a greeting: greeting-timeout everywhere. */
export const stalledGreetings: readonly [string, () => Promise<LineServer>][] = [
  ['accepts and never greets', () => lineServer(undefined, () => undefined)],
  ['trickles a greeting that never ends', tricklingServer],
];
