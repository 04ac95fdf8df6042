// Login throttling through the real HTTP server: batches and concurrent attempts count, the
// limits are per account and address and per address, a device cookie lets the administrator's
// own browser in while others' guessing locks the account, and X-Forwarded-For counts only
// through a configured trusted proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesOf, rawRequest, trpcCode, type RawResponse } from '../http-test-support.js';
import { ADMIN, browserTab, testDirector, type TestDirector } from './test-client.js';
import { LIMITS } from './auth.js';

const WRONG = { email: ADMIN.email, password: 'not the password' };

type Attempt = { password?: string; email?: string; from?: string; xff?: string; cookie?: string };

function login(env: TestDirector, attempt: Attempt = {}): Promise<RawResponse> {
  return rawRequest(env.director.url, {
    path: '/api/trpc/auth.login',
    body: JSON.stringify({
      email: attempt.email ?? ADMIN.email,
      password: attempt.password ?? ADMIN.password,
    }),
    headers: {
      ...(attempt.xff === undefined ? {} : { 'x-forwarded-for': attempt.xff }),
      ...(attempt.cookie === undefined ? {} : { cookie: attempt.cookie }),
    },
    ...(attempt.from === undefined ? {} : { from: attempt.from }),
  });
}

const sessionOf = (response: RawResponse) =>
  cookiesOf(response).find((cookie) => /^ep_session=./.test(cookie));
const deviceOf = (response: RawResponse) =>
  cookiesOf(response).find((cookie) => /^ep_device=./.test(cookie)) ?? '';

async function directorWithAdmin(name: string, env?: Record<string, string>) {
  const director = await testDirector(name, env ? { env } : {});
  const tab = browserTab(director.director.url);
  await tab.client.auth.setup.mutate(ADMIN);
  return director;
}

describe('login throttling: batches and concurrency', { timeout: 180_000 }, () => {
  let env: TestDirector;
  beforeAll(async () => {
    env = await directorWithAdmin('throttle');
  });
  afterAll(async () => {
    await env.close();
  });

  it('refuses a batch of logins as a whole, evaluating none (40 wrong and the right one)', async () => {
    const attempts = [...Array<typeof WRONG>(40).fill(WRONG), ADMIN];
    const response = await rawRequest(env.director.url, {
      path: `/api/trpc/${attempts.map(() => 'auth.login').join(',')}?batch=1`,
      body: JSON.stringify(Object.fromEntries(attempts.map((attempt, i) => [i, attempt]))),
    });
    expect(response.status).toBe(400);
    expect(sessionOf(response)).toBeUndefined();
    // Over the batch cap it fails already; within it, auth calls are refused in any batch.
    const small = await rawRequest(env.director.url, {
      path: '/api/trpc/auth.login,auth.login?batch=1',
      body: JSON.stringify({ 0: WRONG, 1: ADMIN }),
    });
    expect(small.status).toBe(400);
    expect(small.body).toContain('auth procedures cannot be batched');
    expect(sessionOf(small)).toBeUndefined();
    const mixed = await rawRequest(env.director.url, {
      path: `/api/trpc/system.health,auth.status?batch=1&input=${encodeURIComponent('{}')}`,
    });
    expect(mixed.status).toBe(400);
    // Nothing was counted: the right password still logs in, as a batch of one.
    const single = await rawRequest(env.director.url, {
      path: '/api/trpc/auth.login?batch=1',
      body: JSON.stringify({ 0: ADMIN }),
    });
    expect(single.status).toBe(200);
    expect(sessionOf(single)).toBeDefined();
  });

  it('caps batches at 10 calls', async () => {
    const paths = (n: number) => Array<string>(n).fill('system.health').join(',');
    const ok = await rawRequest(env.director.url, { path: `/api/trpc/${paths(10)}?batch=1` });
    expect(ok.status).toBe(200);
    const tooMany = await rawRequest(env.director.url, { path: `/api/trpc/${paths(11)}?batch=1` });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toContain('Batch call exceeds maximum size');
  });

  it('counts concurrent attempts before checking them: of 30 at once, 5 are evaluated', async () => {
    const responses = await Promise.all(
      Array.from({ length: 30 }, () =>
        login(env, { password: 'wrong at once', from: '127.0.0.3' }),
      ),
    );
    const codes = responses.map(trpcCode);
    expect(codes.filter((code) => code === 'UNAUTHORIZED')).toHaveLength(LIMITS.accountAtAddress);
    expect(codes.filter((code) => code === 'TOO_MANY_REQUESTS')).toHaveLength(
      30 - LIMITS.accountAtAddress,
    );
    const limited = await login(env, { from: '127.0.0.3' });
    expect(trpcCode(limited)).toBe('TOO_MANY_REQUESTS');
    expect(JSON.parse(limited.body)).toMatchObject({
      error: { message: 'Too many failed logins: try again in 15 minutes' },
    });
    expect(sessionOf(limited)).toBeUndefined();
    // Another address is not affected.
    expect(sessionOf(await login(env, { from: '127.0.0.4' }))).toBeDefined();
  });

  it('limits one address across accounts', async () => {
    for (let i = 0; i < LIMITS.address; i += 1) {
      const response = await login(env, { email: `user${i}@example.test`, from: '127.0.0.5' });
      expect(trpcCode(response)).toBe('UNAUTHORIZED');
    }
    expect(trpcCode(await login(env, { from: '127.0.0.5' }))).toBe('TOO_MANY_REQUESTS');
  });

  it('ignores X-Forwarded-For without a trusted proxy', async () => {
    for (let i = 0; i < LIMITS.accountAtAddress; i += 1)
      await login(env, { password: 'wrong', from: '127.0.0.6', xff: `203.0.113.${i}` });
    expect(trpcCode(await login(env, { from: '127.0.0.6', xff: '203.0.113.99' }))).toBe(
      'TOO_MANY_REQUESTS',
    );
  });
});

// Every login runs scrypt: under a loaded machine these take long, which is not a failure.
describe(
  'login throttling behind a trusted proxy, and the device cookie',
  { timeout: 180_000 },
  () => {
    let env: TestDirector;
    let device = '';
    beforeAll(async () => {
      env = await testDirector('throttle-proxy', {
        env: { EMAIL_PROFILES_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8' },
      });
      const setup = await rawRequest(env.director.url, {
        path: '/api/trpc/auth.setup',
        body: JSON.stringify(ADMIN),
      });
      device = deviceOf(setup);
    });
    afterAll(async () => {
      await env.close();
    });

    it('gives the browser a device cookie for the account, HttpOnly and only for the login call', async () => {
      expect(device).toMatch(/^ep_device=v1\./);
      const response = await login(env, { xff: '198.51.100.200' });
      const header = [response.headers['set-cookie'] ?? []]
        .flat()
        .find((c) => c.startsWith('ep_device='));
      expect(header).toMatch(
        /; Max-Age=15552000; Path=\/api\/trpc\/auth\.login; HttpOnly; SameSite=Strict$/,
      );
    });

    it('counts the client the trusted proxy names: the rightmost address that is not a proxy', async () => {
      for (let i = 0; i < LIMITS.accountAtAddress; i += 1)
        await login(env, { password: 'wrong', xff: `198.51.100.${i}, 203.0.113.9` });
      // Whatever the client writes on the left, the proxy's entry on the right counts.
      expect(trpcCode(await login(env, { xff: '192.0.2.77, 203.0.113.9' }))).toBe(
        'TOO_MANY_REQUESTS',
      );
      expect(trpcCode(await login(env, { xff: '203.0.113.9, 10.1.2.3' }))).toBe(
        'TOO_MANY_REQUESTS',
      );
      expect(sessionOf(await login(env, { xff: '203.0.113.10' }))).toBeDefined();
      // From a peer that is not a trusted proxy, the header is ignored.
      for (let i = 0; i < LIMITS.accountAtAddress; i += 1)
        await login(env, { password: 'wrong', from: '127.0.0.7', xff: `198.51.100.${i}` });
      expect(trpcCode(await login(env, { from: '127.0.0.7', xff: '203.0.113.11' }))).toBe(
        'TOO_MANY_REQUESTS',
      );
    });

    it('lets a browser with a device cookie in while guessing from many addresses locks the account', async () => {
      // One wrong password each from many addresses: the account-wide limit, not any address's.
      for (let i = 0; i < LIMITS.account; i += 1)
        await login(env, { password: 'distributed guess', xff: `192.0.2.${i + 1}` });
      const stranger = await login(env, { xff: '198.51.100.250' });
      expect(trpcCode(stranger)).toBe('TOO_MANY_REQUESTS');
      expect(JSON.parse(stranger.body)).toMatchObject({
        error: {
          message: expect.stringMatching(/^Too many failed logins: try again in \d+ minutes?$/),
        },
      });
      // The administrator's browser, from anywhere (even an attacker's address), still gets in.
      const own = await login(env, { xff: '192.0.2.1', cookie: device });
      expect(sessionOf(own)).toBeDefined();
      // A forged or altered device cookie is no device cookie.
      const forged = await login(env, { xff: '198.51.100.251', cookie: `${device}x` });
      expect(trpcCode(forged)).toBe('TOO_MANY_REQUESTS');
      // Another account's device cookie does not open this one.
      expect(
        trpcCode(
          await login(env, { email: 'other@example.test', cookie: device, xff: '198.51.100.252' }),
        ),
      ).toBe('UNAUTHORIZED');
    });

    it("limits attempts with a device cookie on that cookie's own counter", async () => {
      const cookie = deviceOf(await login(env, { xff: '192.0.2.200', cookie: device }));
      for (let i = 0; i < LIMITS.device; i += 1)
        expect(trpcCode(await login(env, { password: 'typo', cookie, xff: '192.0.2.200' }))).toBe(
          'UNAUTHORIZED',
        );
      expect(trpcCode(await login(env, { cookie, xff: '192.0.2.200' }))).toBe('TOO_MANY_REQUESTS');
      // The other device cookie of the same account is not affected.
      expect(sessionOf(await login(env, { cookie: device, xff: '192.0.2.201' }))).toBeDefined();
    });
  },
);
