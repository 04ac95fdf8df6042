// Every procedure of the API, called without credentials, with an actor's token, and with an
// operator's session: only the few public ones answer an anonymous caller, operator procedures
// refuse actors, and the actor API refuses operators. New procedures are covered automatically.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../router.js';
import { ADMIN, browserTab, testDirector, type TestDirector } from './test-client.js';

const PUBLIC = new Set([
  'system.health',
  'auth.status',
  'auth.setup',
  'auth.login',
  'actorApi.enroll',
]);

const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>,
)
  .map(([path, procedure]) => ({ path, type: procedure._def.type }))
  .filter((procedure) => !PUBLIC.has(procedure.path));

let env: TestDirector;
let sessionCookie = '';
let actorToken = '';

beforeAll(async () => {
  env = await testDirector('authorization');
  const tab = browserTab(env.director.url);
  await tab.client.auth.setup.mutate(ADMIN);
  sessionCookie = [...tab.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const { id: zoneId } = await tab.client.zones.create.mutate({ name: 'Z' });
  const { token } = await tab.client.actors.createEnrollmentToken.mutate({ zoneId });
  actorToken = (
    await browserTab(env.director.url).client.actorApi.enroll.mutate({
      enrollmentToken: token,
      name: 'a',
    })
  ).token;
});
afterAll(async () => {
  await env.close();
});

/** The tRPC error code of one raw HTTP call (any input: authorisation comes first). */
async function codeOf(
  path: string,
  type: string,
  headers: Record<string, string>,
): Promise<string> {
  const url = `${env.director.url}/api/trpc/${path}`;
  const response =
    type === 'mutation'
      ? await fetch(url, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: '{}',
        })
      : await fetch(`${url}?input=${encodeURIComponent('{}')}`, {
          headers: type === 'subscription' ? { ...headers, accept: 'text/event-stream' } : headers,
          signal: AbortSignal.timeout(5_000),
        });
  const text = await response.text();
  return /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? `HTTP ${response.status}: ${text.slice(0, 200)}`;
}

describe('authorisation of every procedure', () => {
  it('covers the whole API', () => {
    expect(procedures.length).toBeGreaterThan(25);
  });

  it.each(procedures.filter((p) => !p.path.startsWith('actorApi.')))(
    'operator procedure $path refuses anonymous callers and actors',
    async ({ path, type }) => {
      expect(await codeOf(path, type, {})).toBe('UNAUTHORIZED');
      expect(await codeOf(path, type, { authorization: `Bearer ${actorToken}` })).toBe(
        'UNAUTHORIZED',
      );
    },
  );

  it.each(procedures.filter((p) => p.path.startsWith('actorApi.')))(
    'actor procedure $path refuses anonymous callers and operators',
    async ({ path, type }) => {
      expect(await codeOf(path, type, {})).toBe('UNAUTHORIZED');
      expect(await codeOf(path, type, { cookie: sessionCookie })).toBe('UNAUTHORIZED');
    },
  );
});
