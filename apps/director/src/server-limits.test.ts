// Request limits through the real HTTP server: bodies are bounded before they are read (a 300 MB
// body is refused, not swallowed), and one address holding hundreds of half-open connections and
// a slow-loris body does not stop /api/health from answering others.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from './config.js';
import { rawRequest } from './http-test-support.js';
import { ADMIN, browserTab, testDirector, type TestDirector } from './routers/test-client.js';

let env: TestDirector;
let port = 0;
beforeAll(async () => {
  env = await testDirector('limits');
  port = Number(new URL(env.director.url).port);
  await browserTab(env.director.url).client.auth.setup.mutate(ADMIN);
});
afterAll(async () => {
  await env.close();
});

type Streamed = { response: string; written: number; closedAfterMs: number };

/**
 * Sends `head`, then up to `total` bytes of body (framed as chunks when `chunked`), as fast as the
 * server takes them, until it closes the connection. What the server answered and how much of
 * the body it accepted.
 */
function streamBody(head: string, total: number, chunked: boolean): Promise<Streamed> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect({ host: '127.0.0.1', port });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const frame = chunked
      ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
      : chunk;
    let written = 0;
    let response = '';
    let closed = false;
    const pump = () => {
      while (!closed && written < total) {
        written += chunk.length;
        if (!socket.write(frame)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
    socket.on('data', (data: Buffer) => {
      response += data.toString('latin1');
    });
    // A reset after the answer is fine: the server stops reading.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      resolve({ response, written, closedAfterMs: Date.now() - started });
    });
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${written} bytes`));
    }, 20_000).unref();
  });
}

const MB = 1024 * 1024;

describe('request bodies', () => {
  it.each(['/api/trpc/auth.login', '/api/gmail/callback', '/api/trpc/actorApi.enroll', '/'])(
    'refuses a declared 300 MB body to %s up front, without reading it',
    async (path) => {
      const rssBefore = process.memoryUsage().rss;
      const result = await streamBody(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${300 * MB}\r\n\r\n`,
        300 * MB,
        false,
      );
      expect(result.response).toMatch(/^HTTP\/1\.1 413 /);
      expect(result.response).toContain('The request body is larger than 1024 KB');
      // What the kernel's buffers took before the server closed, not 300 MB.
      expect(result.written).toBeLessThan(64 * MB);
      expect(result.closedAfterMs).toBeLessThan(5_000);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * MB);
    },
  );

  it('cuts off a chunked body once it grows beyond 1 MB', async () => {
    const rssBefore = process.memoryUsage().rss;
    const result = await streamBody(
      `POST /api/trpc/auth.login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      300 * MB,
      true,
    );
    expect(result.response).toMatch(/^HTTP\/1\.1 413 /);
    expect(result.written).toBeLessThan(64 * MB);
    expect(result.closedAfterMs).toBeLessThan(5_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * MB);
  });

  it('reads a body within the limit', async () => {
    const response = await rawRequest(env.director.url, {
      path: '/api/trpc/auth.login',
      body: JSON.stringify({
        email: ADMIN.email,
        password: 'x'.repeat(DEFAULT_LIMITS.maxBodyBytes - 100),
      }),
    });
    expect(response.status).not.toBe(413);
    expect(response.status).toBeLessThan(500);
  });
});

/** Opens a connection (from `from`) and writes `data`; resolves once connected. */
function open(data: string, from = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: from });
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      socket.write(data);
      resolve(socket);
    });
  });
}

describe('connections', () => {
  it('answers /api/health from another address while one holds 500 half-open connections and a slow body', async () => {
    const sockets: Socket[] = [];
    try {
      // A slow-loris body: headers at once, then a byte every 100 ms.
      const loris = await open(
        `POST /api/trpc/auth.login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n`,
      );
      sockets.push(loris);
      const trickle = setInterval(() => loris.write('a'), 100);
      try {
        const opened = await Promise.all(
          Array.from({ length: 500 }, () => open('GET /api/health HTTP/1.1\r\nHost: 127')),
        );
        sockets.push(...opened);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const open_ = sockets.filter((socket) => !socket.destroyed);
        // Beyond its share the address's connections are closed at once.
        expect(open_.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxConnectionsPerAddress);
        const started = Date.now();
        const health = await rawRequest(env.director.url, {
          path: '/api/health',
          from: '127.0.0.2',
        });
        expect(health.status).toBe(200);
        expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
        expect(Date.now() - started).toBeLessThan(2_000);
      } finally {
        clearInterval(trickle);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    // Once they are gone, the address is welcome again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await rawRequest(env.director.url, { path: '/api/health' })).status).toBe(200);
  });

  it('keeps a cap on all connections too', async () => {
    const small = await testDirector('limits-global', {
      config: {
        limits: { ...DEFAULT_LIMITS, maxConnections: 20, maxConnectionsPerAddress: 1000 },
      },
    });
    const sockets: Socket[] = [];
    try {
      const smallPort = Number(new URL(small.director.url).port);
      for (let i = 0; i < 30; i += 1) {
        sockets.push(
          await new Promise<Socket>((resolve) => {
            const socket = connect({ host: '127.0.0.1', port: smallPort });
            socket.on('error', () => undefined);
            socket.on('connect', () => {
              resolve(socket);
            });
          }),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(sockets.filter((socket) => !socket.destroyed)).toHaveLength(20);
    } finally {
      for (const socket of sockets) socket.destroy();
      await small.close();
    }
  });
});
