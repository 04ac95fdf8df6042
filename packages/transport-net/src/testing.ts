// Test helpers for the transport packages: scripted (and hostile) servers on loopback,
// certificates made per run, and a check that an operation leaves no handle behind.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

export type TestCertificates = {
  caPem: string;
  /** For DNS:localhost and IP:127.0.0.1, signed by the CA. */
  server: { certPem: string; keyPem: string; fingerprintSha256: string };
  /** Signed by the CA, for DNS:wrong.example.test only. */
  wrongHost: { certPem: string; keyPem: string };
};

/** Makes a CA and two server certificates with the openssl command line (2048-bit RSA). */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'transport-certs-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    run(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=Email Profiles Test CA',
    );
    const leaf = (name: string, san: string) => {
      writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
      run(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${name}`,
      );
      run(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
      );
      return {
        certPem: readFileSync(join(dir, `${name}.pem`), 'utf8'),
        keyPem: readFileSync(join(dir, `${name}.key`), 'utf8'),
      };
    };
    const server = leaf('localhost', 'DNS:localhost,IP:127.0.0.1');
    const fingerprint = run(
      'x509',
      '-in',
      'localhost.pem',
      '-noout',
      '-fingerprint',
      '-sha256',
    ).toString();
    return {
      caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
      server: {
        ...server,
        fingerprintSha256: fingerprint.split('=')[1]?.trim().replace(/:/g, '').toLowerCase() ?? '',
      },
      wrongHost: leaf('wrong', 'DNS:wrong.example.test'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

export type LineServer = ScriptedServer & { received: string[] };

/**
 * A scripted line-protocol server: sends `greeting` (if any), then answers each received line
 * with what `respond` returns: nothing, text to write, or `'close'` to hang up.
 */
export async function lineServer(
  greeting: string | undefined,
  respond: (line: string) => string | undefined,
): Promise<LineServer> {
  const received: string[] = [];
  const server = await scriptedServer((socket) => {
    if (greeting !== undefined) socket.write(greeting);
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
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
  return Object.assign(server, { received });
}
