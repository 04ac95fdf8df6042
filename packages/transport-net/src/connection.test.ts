import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTls, type StackTls } from '@email-profiles/mail-stack';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { withTimeout, sleep } from './deadline.js';
import { TransportError } from './errors.js';
import { openConnection, type Endpoint } from './connection.js';
import { StepRecorder, runProbe } from './probe.js';
import {
  activeHandles,
  closedPort,
  lineServer,
  scriptedServer,
  settledHandles,
} from './testing.js';

let certs: StackTls;
const certDir = mkdtempSync(join(tmpdir(), 'transport-net-tls-'));
beforeAll(async () => {
  certs = await createTls(certDir);
});
afterAll(() => {
  rmSync(certDir, { recursive: true, force: true });
});

const endpoint = (port: number, overrides: Partial<Endpoint> = {}): Endpoint => ({
  host: '127.0.0.1',
  port,
  encryption: 'off',
  tlsTrust: { mode: 'system' },
  ...overrides,
});

async function failureOf(promise: Promise<unknown>) {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TransportError))
    throw new Error(`expected a TransportError, got ${String(error)}`);
  return error.failure;
}

describe('openConnection and the line reader', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });
  const serve = async (
    script: Parameters<typeof scriptedServer>[0],
    tls?: { certPem: string; keyPem: string },
  ) => {
    const server = await scriptedServer(script, tls);
    servers.push(server);
    return server;
  };

  it('reads CRLF and LF lines and records dns and tcp steps', async () => {
    const server = await serve((socket) => {
      socket.write('+OK ready\r\nsecond\nthird\r\n');
    });
    const recorder = new StepRecorder();
    const connection = await openConnection(endpoint(server.port), recorder);
    expect(await connection.readLine('greeting')).toBe('+OK ready');
    expect(await connection.readLine('greeting')).toBe('second');
    expect(await connection.readLine('greeting')).toBe('third');
    connection.close();
    const report = recorder.report();
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['dns', 'ok'],
      ['tcp', 'ok'],
      ['tls', 'skipped'],
    ]);
    expect(report.steps[0]?.dns?.addresses).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });

  it.each([
    ['CR LF', 'PASS secret\r\nDELE 1'],
    ['lone CR', 'PASS secret\rDELE 1'],
    ['lone LF', 'PASS secret\nDELE 1'],
    ['NUL', 'PASS secret\u0000DELE 1'],
  ])('never writes a line holding a %s: closes and reports an unsafe setting', async (_, line) => {
    const server = await lineServer('+OK ready\r\n', () => '+OK\r\n');
    servers.push(server);
    const connection = await openConnection(endpoint(server.port), new StepRecorder());
    await connection.readLine('greeting');
    connection.write('USER someone');
    await connection.readLine('auth');
    let thrown: unknown;
    try {
      connection.write(line);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TransportError);
    expect((thrown as TransportError).failure).toMatchObject({
      stage: 'config',
      signal: 'unsafe-setting',
    });
    // The connection is closed: nothing else can go out on it.
    connection.write('QUIT');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Buffer.concat(server.raw).toString('utf8')).toBe('USER someone\r\n');
  });

  it('writes pipelined lines together, and none of them when one holds a line break', async () => {
    const server = await lineServer('220 ready\r\n', () => '250 ok\r\n');
    servers.push(server);
    const connection = await openConnection(endpoint(server.port), new StepRecorder());
    await connection.readLine('greeting');
    connection.writeLines(['MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>']);
    await connection.readLine('send');
    await connection.readLine('send');
    expect(() => {
      connection.writeLines(['MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>\r\nDATA']);
    }).toThrow(TransportError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Buffer.concat(server.raw).toString('utf8')).toBe(
      'MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\n',
    );
  });

  it('reports a closed port at the tcp stage', async () => {
    const port = await closedPort();
    const report = await runProbe(undefined, async (recorder) => {
      await openConnection(endpoint(port), recorder);
    });
    expect(report.ok).toBe(false);
    expect(report.failure).toMatchObject({ stage: 'tcp', signal: 'tcp-refused' });
    expect(report.steps.at(-1)).toMatchObject({ name: 'tcp', status: 'failed' });
  });

  it('gives up on a greeting that never comes, within the timeout', async () => {
    const server = await serve(() => undefined);
    const connection = await openConnection(endpoint(server.port), new StepRecorder(), {
      timeouts: { greetingMs: 200 },
    });
    const started = Date.now();
    const failure = await failureOf(connection.readLine('greeting', 200));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(failure).toMatchObject({ stage: 'greeting', signal: 'greeting-timeout' });
    connection.close();
  });

  it('stops a server that trickles one byte at a time at the command timeout', async () => {
    const server = await serve(async (socket) => {
      for (let i = 0; i < 50 && !socket.destroyed; i += 1) {
        socket.write('x');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    const connection = await openConnection(endpoint(server.port), new StepRecorder());
    const failure = await failureOf(connection.readLine('greeting', 300));
    expect(failure.stage).toBe('greeting');
    connection.close();
  });

  it('refuses a 10 MB line quickly and without holding it in memory', async () => {
    const server = await serve((socket) => {
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      for (let i = 0; i < 10; i += 1) socket.write(chunk);
    });
    const connection = await openConnection(endpoint(server.port), new StepRecorder(), {
      maxLine: 64 * 1024,
    });
    const failure = await failureOf(connection.readLine('greeting', 5000));
    expect(failure).toMatchObject({ stage: 'greeting', signal: 'response-too-large' });
    connection.close();
  });

  it('reports a connection closed in the middle of a line', async () => {
    const server = await serve((socket) => {
      socket.end('* OK half a li');
    });
    const connection = await openConnection(endpoint(server.port), new StepRecorder());
    const failure = await failureOf(connection.readLine('greeting', 2000));
    expect(failure).toMatchObject({ stage: 'greeting', signal: 'connection-reset' });
    connection.close();
  });

  it('stops promptly when the caller aborts', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    const connection = await openConnection(endpoint(server.port), new StepRecorder(), {
      signal: controller.signal,
    });
    setTimeout(() => {
      controller.abort(new Error('user cancelled'));
    }, 50);
    const failure = await failureOf(connection.readLine('greeting', 10_000));
    expect(failure).toMatchObject({ signal: 'aborted', serverText: 'user cancelled' });
    connection.close();
  });

  it('leaves no socket or timer behind after all of that', async () => {
    const before = activeHandles();
    const server = await scriptedServer((socket) => {
      socket.end('+OK bye\r\n');
    });
    const connection = await openConnection(endpoint(server.port), new StepRecorder());
    await connection.readLine('greeting');
    connection.close();
    await server.close();
    expect(await settledHandles(before)).toEqual({});
  });
});

describe('TLS', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });
  const greeter = async (tls?: { certPem: string; keyPem: string }) => {
    const server = await scriptedServer((socket) => {
      socket.write('* OK IMAP ready\r\n');
    }, tls);
    servers.push(server);
    return server.port;
  };

  it('connects with a custom CA and reports protocol, cipher and certificate', async () => {
    const port = await greeter(certs);
    const recorder = new StepRecorder();
    const connection = await openConnection(
      endpoint(port, { encryption: 'ssl', tlsTrust: { mode: 'ca', pem: certs.caPem } }),
      recorder,
    );
    expect(await connection.readLine('greeting')).toBe('* OK IMAP ready');
    connection.close();
    const tls = recorder.report().steps.find((s) => s.name === 'tls');
    expect(tls?.status).toBe('ok');
    expect(tls?.tls).toMatchObject({
      chainTrusted: true,
      hostnameMatches: true,
      protocol: expect.stringMatching(/^TLSv1\.[23]$/),
    });
    expect(tls?.tls?.certificate).toMatchObject({
      subjectAltNames: ['DNS:localhost', 'IP Address:127.0.0.1'],
      fingerprintSha256: certs.fingerprintSha256,
      issuer: expect.stringMatching(/^CN=Email Profiles mail-stack test CA/),
    });
  });

  it('does not trust a private CA by default, and still shows the certificate', async () => {
    const port = await greeter(certs);
    const report = await runProbe(undefined, async (recorder) => {
      await openConnection(endpoint(port, { encryption: 'ssl' }), recorder);
    });
    expect(report.failure).toMatchObject({ stage: 'tls', signal: 'tls-untrusted' });
    const tls = report.steps.find((s) => s.name === 'tls');
    expect(tls?.tls).toMatchObject({
      chainTrusted: false,
      authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(tls?.tls?.certificate?.fingerprintSha256).toBe(certs.fingerprintSha256);
  });

  it('refuses a certificate for another host name', async () => {
    const port = await greeter(certs.wrongHost);
    const report = await runProbe(undefined, async (recorder) => {
      await openConnection(
        endpoint(port, { encryption: 'ssl', tlsTrust: { mode: 'ca', pem: certs.caPem } }),
        recorder,
      );
    });
    expect(report.failure).toMatchObject({ stage: 'tls', signal: 'tls-hostname-mismatch' });
    expect(report.failure?.serverText).toContain('DNS:wrong.example.test');
  });

  it('accepts a pinned certificate without a trusted chain, and refuses another one', async () => {
    const port = await greeter(certs);
    const pinned = await runProbe(undefined, async (recorder) => {
      const connection = await openConnection(
        endpoint(port, {
          encryption: 'ssl',
          tlsTrust: { mode: 'fingerprint', sha256: certs.fingerprintSha256 },
        }),
        recorder,
      );
      connection.close();
    });
    expect(pinned.ok).toBe(true);
    const other = await runProbe(undefined, async (recorder) => {
      await openConnection(
        endpoint(port, {
          encryption: 'ssl',
          tlsTrust: { mode: 'fingerprint', sha256: 'ab'.repeat(32) },
        }),
        recorder,
      );
    });
    expect(other.failure).toMatchObject({ stage: 'tls', signal: 'tls-fingerprint-mismatch' });
  });

  it('explains SSL/TLS chosen against a plain-text port', async () => {
    const port = await greeter();
    const report = await runProbe(undefined, async (recorder) => {
      await openConnection(endpoint(port, { encryption: 'ssl' }), recorder);
    });
    expect(report.failure).toMatchObject({ stage: 'tls', signal: 'tls-wrong-version' });
  });

  it('upgrades with STARTTLS, and refuses bytes injected before the handshake', async () => {
    const upgrade = (inject: boolean) => (socket: Socket) => {
      socket.write('220 ready\r\n');
      socket.once('data', () => {
        socket.write(inject ? '220 go ahead\r\n250 injected\r\n' : '220 go ahead\r\n');
        new TLSSocket(socket, {
          isServer: true,
          cert: certs.certPem,
          key: certs.keyPem,
        });
      });
    };
    for (const inject of [false, true]) {
      const server = await scriptedServer(upgrade(inject));
      servers.push(server);
      const connection = await openConnection(
        endpoint(server.port, {
          encryption: 'starttls',
          tlsTrust: { mode: 'ca', pem: certs.caPem },
        }),
        new StepRecorder(),
      );
      await connection.readLine('greeting');
      connection.write('STARTTLS');
      await connection.readLine('tls');
      if (inject) {
        expect((await failureOf(connection.upgrade())).signal).toBe('protocol-violation');
      } else {
        expect((await connection.upgrade()).chainTrusted).toBe(true);
        expect(connection.encrypted).toBe(true);
      }
      connection.close();
    }
  });
});

describe('deadlines', () => {
  it('leaves no timer behind whichever way withTimeout ends', async () => {
    const before = activeHandles();
    await withTimeout('search', 10_000, undefined, () => Promise.resolve(1));
    await withTimeout('search', 10_000, undefined, () => Promise.reject(new Error('x'))).catch(
      () => undefined,
    );
    await withTimeout('search', 10, undefined, () => new Promise(() => undefined)).catch(
      () => undefined,
    );
    const controller = new AbortController();
    const pending = withTimeout(
      'search',
      10_000,
      controller.signal,
      () => new Promise(() => undefined),
    ).catch((e: unknown) => e);
    controller.abort();
    expect(((await pending) as TransportError).failure.signal).toBe('aborted');
    await expect(sleep(10_000, AbortSignal.abort())).rejects.toBeInstanceOf(TransportError);
    await sleep(1);
    expect(await settledHandles(before)).toEqual({});
  });

  it('refuses to start when already aborted', async () => {
    await expect(
      withTimeout('tcp', 1000, AbortSignal.abort(), () => Promise.resolve(1)),
    ).rejects.toMatchObject({
      observation: { stage: 'tcp', errorCode: 'ABORTED' },
    });
  });
});
