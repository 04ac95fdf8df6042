// Gzip for large operator answers, through real HTTP: the profiles table of a real Director
// arrives gzipped and decodes to the same JSON; small answers, the actor API and auth (answers
// that may hold a secret) and streams never are; a client that refuses gzip gets plain JSON.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPRESS_MIN_BYTES, acceptsGzip, compressAnswer } from './http-compression.js';
import { rawRequest } from './http-test-support.js';
import { ADMIN, browserTab, enrollTestActor, testDirector } from './routers/test-client.js';

describe('acceptsGzip', () => {
  it.each([
    ['gzip, deflate, br', true],
    ['br;q=1.0, GZIP;q=0.5', true],
    ['*', true],
    ['gzip;q=0', false],
    ['deflate, br', false],
    ['', false],
    [undefined, false],
  ])('%j → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

describe('compressAnswer on a real HTTP server', () => {
  const big = JSON.stringify({
    rows: Array.from({ length: 2000 }, (_, i) => ({ id: `row-${i}` })),
  });
  let server: Server;
  let url = '';
  beforeAll(async () => {
    expect(big.length).toBeGreaterThan(COMPRESS_MIN_BYTES);
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
      compressAnswer(req, res, path.split(','));
      if (path === 'stream') {
        res.setHeader('content-type', 'text/event-stream');
        res.write('data: first\n\n');
        setTimeout(() => res.end('data: last\n\n'), 50);
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.write(path === 'small' ? '{"ok":' : big.slice(0, 100));
      res.end(path === 'small' ? 'true}' : big.slice(100));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  const get = (path: string, encoding = 'gzip, deflate, br') =>
    rawRequest(url, { path, headers: { 'accept-encoding': encoding } });

  it('gzips a large JSON answer, written in parts, to the same bytes', async () => {
    const answer = await get('/profiles.list,actors.list');
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(answer.headers.vary).toBe('accept-encoding');
    expect(Number(answer.headers['content-length'])).toBe(answer.raw.length);
    expect(answer.raw.length).toBeLessThan(big.length / 5);
    expect(gunzipSync(answer.raw).toString()).toBe(big);
  });

  it('sends it plain to a client without gzip, and small answers plain to everyone', async () => {
    for (const answer of [await get('/profiles.list', 'gzip;q=0'), await get('/small')]) {
      expect(answer.headers['content-encoding']).toBeUndefined();
    }
    expect((await get('/profiles.list', 'identity')).body).toBe(big);
    expect((await get('/small')).body).toBe('{"ok":true}');
  });

  it('never compresses the actor API or auth, even batched with another procedure', async () => {
    for (const path of ['/actorApi.nextTasks', '/auth.me', '/profiles.list,actorApi.heartbeat']) {
      const answer = await get(path);
      expect(answer.headers['content-encoding'], path).toBeUndefined();
      expect(answer.body).toBe(big);
    }
  });

  it('passes a stream through as it is written', async () => {
    const answer = await get('/stream');
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.body).toBe('data: first\n\ndata: last\n\n');
  });
});

describe("the Director's profiles table", () => {
  let env: Awaited<ReturnType<typeof testDirector>>;
  let cookie = '';
  beforeAll(async () => {
    env = await testDirector('compression');
    const tab = browserTab(env.director.url);
    await tab.client.auth.setup.mutate(ADMIN);
    cookie = [...tab.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const { id: zoneId } = await tab.client.zones.create.mutate({ name: 'Z' });
    const actor = await enrollTestActor(env.director.url, tab.client, zoneId, 'a');
    for (let i = 0; i < 120; i += 1) {
      await tab.client.profiles.create.mutate({
        serverType: 'pop3',
        emailAddress: `user${i}@example.test`,
        sendVerificationManually: true,
        actorIds: [actor.id],
        username: `user${i}@example.test`,
        password: 'a password',
        incoming: { host: 'pop.example.test', port: 995, encryption: 'ssl', authType: 'plain' },
        outgoing: {
          host: 'smtp.example.test',
          port: 587,
          encryption: 'starttls',
          requiresAuth: false,
        },
      });
    }
  });
  afterAll(async () => {
    await env.close();
  });

  it('arrives gzipped to a browser, and decodes to what a client without gzip gets', async () => {
    const list = (encoding: string) =>
      rawRequest(env.director.url, {
        path: '/api/trpc/profiles.list',
        headers: { cookie, 'accept-encoding': encoding },
      });
    const zipped = await list('gzip, deflate, br');
    const plain = await list('identity');
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(COMPRESS_MIN_BYTES);
    expect(gunzipSync(zipped.raw).toString()).toBe(plain.body);
    // The security headers stay.
    expect(zipped.headers['x-content-type-options']).toBe('nosniff');
  });
});
