import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from './errors.js';
import { Headers } from 'undici';
import { httpRequest, httpWithRetry, retryAfterMs, withHttp } from './http.js';
import { activeHandles, closedPort, settledHandles } from './testing.js';

let server: Server;
let base = '';
let hits = 0;
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/json': (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
  '/broken-json': (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":'),
  '/huge': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('x'.repeat(2 * 1024 * 1024));
  },
  '/slow': () => undefined,
  '/echo': (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ method: req.method, type: req.headers['content-type'], body })),
    );
  },
  '/throttled': (_req, res) => {
    hits += 1;
    if (hits < 3) res.writeHead(429, { 'retry-after': '0' }).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"done":true}');
  },
  '/always-throttled': (_req, res) => res.writeHead(503, { 'retry-after': '3600' }).end(),
};

beforeAll(async () => {
  server = createServer((req, res) => {
    (routes[req.url ?? ''] ?? ((_, r) => r.writeHead(404).end()))(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const fail = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TransportError)) throw new Error('expected a TransportError');
  return error.failure;
};

describe('httpRequest', () => {
  it('parses JSON, and leaves a malformed body as text', async () => {
    expect(
      (await httpRequest({ url: `${base}/json`, timeoutMs: 2000 }, 'search', 'graph')).json,
    ).toEqual({ ok: true });
    const broken = await httpRequest(
      { url: `${base}/broken-json`, timeoutMs: 2000 },
      'search',
      'graph',
    );
    expect([broken.json, broken.text]).toEqual([undefined, '{"ok":']);
  });

  it('sends JSON and forms with their content types', async () => {
    const json = await httpRequest(
      { method: 'POST', url: `${base}/echo`, json: { a: 1 }, timeoutMs: 2000 },
      'send',
      'graph',
    );
    expect(json.json).toEqual({ method: 'POST', type: 'application/json', body: '{"a":1}' });
    const form = await httpRequest(
      {
        method: 'POST',
        url: `${base}/echo`,
        form: { grant_type: 'client_credentials', scope: 'a b' },
        timeoutMs: 2000,
      },
      'auth',
      'graph',
    );
    expect(form.json).toMatchObject({
      type: 'application/x-www-form-urlencoded',
      body: 'grant_type=client_credentials&scope=a+b',
    });
  });

  it('refuses a body larger than the bound', async () => {
    expect(
      await fail(
        httpRequest(
          { url: `${base}/huge`, timeoutMs: 5000, maxBytes: 1024 * 1024 },
          'search',
          'graph',
        ),
      ),
    ).toMatchObject({ signal: 'response-too-large' });
  });

  it('times out a response that never comes, and honours abort', async () => {
    expect(
      await fail(httpRequest({ url: `${base}/slow`, timeoutMs: 200 }, 'search', 'graph')),
    ).toMatchObject({ stage: 'search' });
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 50);
    expect(
      await fail(
        httpRequest(
          { url: `${base}/slow`, timeoutMs: 5000, signal: controller.signal },
          'search',
          'graph',
        ),
      ),
    ).toMatchObject({ signal: 'aborted' });
  });

  it('reports a refused connection at its stage', async () => {
    const port = await closedPort();
    expect(
      await fail(
        httpRequest({ url: `http://127.0.0.1:${port}/x`, timeoutMs: 2000 }, 'auth', 'graph'),
      ),
    ).toMatchObject({ stage: 'tcp', signal: 'tcp-refused' });
  });

  it('keeps connections for one operation only, leaving no socket or timer behind', async () => {
    const before = activeHandles();
    await withHttp(async (dispatcher) => {
      await httpRequest({ url: `${base}/json`, timeoutMs: 2000, dispatcher }, 'search', 'graph');
      await httpRequest({ url: `${base}/json`, timeoutMs: 2000, dispatcher }, 'search', 'graph');
      await httpRequest(
        { url: `${base}/slow`, timeoutMs: 100, dispatcher },
        'search',
        'graph',
      ).catch(() => undefined);
    });
    await httpRequest({ url: `${base}/json`, timeoutMs: 2000 }, 'search', 'graph');
    expect(await settledHandles(before)).toEqual({});
  });
});

describe('retries', () => {
  it('retries 429 as Retry-After says, a bounded number of times', async () => {
    hits = 0;
    const response = await httpWithRetry(
      { url: `${base}/throttled`, timeoutMs: 2000 },
      'search',
      'graph',
    );
    expect([response.status, hits]).toEqual([200, 3]);
  });

  it('does not wait for a Retry-After beyond the policy, and returns the throttled response', async () => {
    const started = Date.now();
    const response = await httpWithRetry(
      { url: `${base}/always-throttled`, timeoutMs: 2000 },
      'search',
      'graph',
    );
    expect(response.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '7' }))).toBe(7000);
    expect(
      retryAfterMs(
        new Headers({ 'retry-after': 'Thu, 26 Nov 2026 10:00:10 GMT' }),
        Date.parse('2026-11-26T10:00:00Z'),
      ),
    ).toBe(10_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});
