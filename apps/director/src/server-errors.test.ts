// No internals to callers: errors of every kind, provoked through the real HTTP server with
// NODE_ENV=development (tRPC's development mode would add stacks), carry no stack and no path
// of the Director's files; an internal error says "Internal error" and is logged in full.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RawResponse } from './http-test-support.js';

import type * as SupportModule from './http-test-support.js';
import type * as ClientsModule from './routers/test-client.js';

type Support = typeof SupportModule;
type Clients = typeof ClientsModule;

let support: Support;
let clients: Clients;
let env: Awaited<ReturnType<Clients['testDirector']>>;
let cookie = '';
let actorToken = '';
const logged: string[] = [];

beforeAll(async () => {
  vi.stubEnv('NODE_ENV', 'development');
  // Imported only now, so that tRPC is set up under NODE_ENV=development.
  support = await import('./http-test-support.js');
  clients = await import('./routers/test-client.js');
  const { pino } = await import('pino');
  const log = pino(
    { level: 'error' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString());
        done();
      },
    }),
  );
  env = await clients.testDirector('errors', { log });
  const tab = clients.browserTab(env.director.url);
  await tab.client.auth.setup.mutate(clients.ADMIN);
  cookie = [...tab.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const { id: zoneId } = await tab.client.zones.create.mutate({ name: 'Z' });
  actorToken = (await clients.enrollTestActor(env.director.url, tab.client, zoneId, 'a')).token;
});
afterAll(async () => {
  await env.close();
  vi.unstubAllEnvs();
});

function expectNoInternals(response: RawResponse): void {
  expect(response.body).not.toMatch(/"stack"/);
  expect(response.body).not.toContain('/work/');
  expect(response.body).not.toMatch(/\.ts:\d/);
  expect(response.body).not.toMatch(/\.ts\b/);
  expect(response.body).not.toContain('node_modules');
  expect(response.body).not.toMatch(/\bat [\w.<>]+ \(/); // a stack frame
}

describe('error responses', () => {
  it('carry no stack or file path, whatever the kind of error', async () => {
    const get = (path: string, headers: Record<string, string> = {}) =>
      support.rawRequest(env.director.url, { path, headers });
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      support.rawRequest(env.director.url, { path, body, headers });
    const responses: [string, RawResponse][] = [
      ['no such procedure', await get('/api/trpc/system.nothing')],
      ['not logged in', await get('/api/trpc/profiles.list')],
      ['actor API without a token', await post('/api/trpc/actorApi.heartbeat', '{}')],
      [
        'operator call with an actor token',
        await get('/api/trpc/profiles.list', { authorization: `Bearer ${actorToken}` }),
      ],
      ['malformed JSON', await post('/api/trpc/auth.login', '{"email": ')],
      ['malformed query input', await get('/api/trpc/verification.history?input=%7B', { cookie })],
      ['invalid input', await post('/api/trpc/auth.login', '{"email": 5}')],
      ['GET to a mutation', await get('/api/trpc/auth.login')],
      ['unknown profile', await post('/api/trpc/profiles.delete', '{"id":"nope"}', { cookie })],
      [
        'subscription without a session',
        await get('/api/trpc/verification.onStatus', { accept: 'text/event-stream' }),
      ],
      ['batched login', await post('/api/trpc/auth.login,auth.login?batch=1', '{}')],
      ['cross-site', await post('/api/trpc/auth.login', '{}', { origin: 'https://evil.example' })],
      ['unknown host', await get('/', { host: 'evil.example' })],
      ['unknown API path', await get('/api/nothing')],
      ['consent callback without state', await get('/api/gmail/callback')],
    ];
    for (const [kind, response] of responses) {
      // A subscription answers 200 and sends its error as an event.
      if (kind.startsWith('subscription')) expect(response.body).toContain('UNAUTHORIZED');
      else expect.soft(response.status, kind).toBeGreaterThanOrEqual(300);
      expect.soft(response.status, kind).toBeLessThan(500);
      expectNoInternals(response);
    }
  });

  it('says "Internal error" for an internal one, and logs it in full', async () => {
    // A stored row the public schema rejects: the list fails inside the Director.
    env.store.sqlite
      .prepare(
        `INSERT INTO zones (id, name, created_at) VALUES ('bad-zone', ?, '2024-01-01T00:00:00.000Z')`,
      )
      .run('\u202Ebidi override\u0000'.repeat(40));
    const response = await support.rawRequest(env.director.url, {
      path: '/api/trpc/zones.list',
      headers: { cookie },
    });
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body)).toMatchObject({
      error: { message: 'Internal error', data: { code: 'INTERNAL_SERVER_ERROR' } },
    });
    const parsed = JSON.parse(response.body) as { error: { data: Record<string, unknown> } };
    expect(parsed.error.data.fieldErrors).toBeUndefined();
    expectNoInternals(response);
    expect(logged.join('\n')).toContain('procedure failed');
    expect(logged.join('\n')).toContain('zones.list');
    env.store.sqlite.prepare(`DELETE FROM zones WHERE id = 'bad-zone'`).run();
  });
});
