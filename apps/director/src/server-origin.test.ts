// Browser-facing checks through the real HTTP server: cross-origin and cross-site requests are
// refused, a DNS-rebinding Host cannot run first-run setup, actors (no Origin, bearer token, any
// host name) keep working, the session cookie is Secure behind an https:// public URL, and a
// subscription ends with its session.
import type { ReadableStreamReadResult } from 'node:stream/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesOf, rawRequest, trpcCode } from './http-test-support.js';
import {
  ADMIN,
  actorClient,
  browserTab,
  enrollTestActor,
  testDirector,
  type TestDirector,
} from './routers/test-client.js';

describe('Origin and Sec-Fetch-Site', () => {
  let env: TestDirector;
  let cookie = '';
  let actorToken = '';
  let zoneId = '';
  beforeAll(async () => {
    env = await testDirector('origin');
    const tab = browserTab(env.director.url);
    await tab.client.auth.setup.mutate(ADMIN);
    cookie = `ep_session=${tab.jar.get('ep_session') ?? ''}`;
    zoneId = (await tab.client.zones.create.mutate({ name: 'Z' })).id;
    actorToken = (await enrollTestActor(env.director.url, tab.client, zoneId, 'a')).token;
  });
  afterAll(async () => {
    await env.close();
  });

  const createZone = (name: string, headers: Record<string, string>) =>
    rawRequest(env.director.url, {
      path: '/api/trpc/zones.create',
      body: JSON.stringify({ name }),
      headers: { cookie, ...headers },
    });
  const zoneNames = async () => {
    const response = await rawRequest(env.director.url, {
      path: '/api/trpc/zones.list',
      headers: { cookie },
    });
    return (JSON.parse(response.body) as { result: { data: { name: string }[] } }).result.data.map(
      (zone) => zone.name,
    );
  };

  it('refuses a cookie-carrying mutation from another origin or site, and does not run it', async () => {
    for (const headers of <Record<string, string>[]>[
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { origin: `${env.director.url}.evil.example` },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: env.director.url, 'sec-fetch-site': 'cross-site' },
    ]) {
      const response = await createZone('Cross-site', headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(trpcCode(response)).toBe('FORBIDDEN');
      expect(JSON.parse(response.body)).toMatchObject({
        error: {
          message: expect.stringMatching(/^Requests from other (origins|sites) are refused/),
        },
      });
    }
    expect(await zoneNames()).not.toContain('Cross-site');
  });

  it('refuses a cross-site login and setup too (no cookie needed to be harmful)', async () => {
    const response = await rawRequest(env.director.url, {
      path: '/api/trpc/auth.login',
      body: JSON.stringify(ADMIN),
      headers: { origin: 'http://evil.example' },
    });
    expect(response.status).toBe(403);
    expect(cookiesOf(response)).toEqual([]);
  });

  it("accepts the Director's own origin, same-origin and direct navigation", async () => {
    const host = new URL(env.director.url).host;
    expect((await createZone('Own origin', { origin: env.director.url })).status).toBe(200);
    expect(
      (
        await createZone('Same origin', {
          origin: `http://${host}`,
          'sec-fetch-site': 'same-origin',
        })
      ).status,
    ).toBe(200);
    expect((await createZone('Typed URL', { 'sec-fetch-site': 'none' })).status).toBe(200);
    // By the request's own Host: e.g. the Vite dev server's proxy, or localhost.
    const port = new URL(env.director.url).port;
    expect(
      (
        await createZone('Localhost', {
          host: `localhost:${port}`,
          origin: `http://localhost:${port}`,
        })
      ).status,
    ).toBe(200);
    expect(await zoneNames()).toEqual(
      expect.arrayContaining(['Own origin', 'Same origin', 'Typed URL', 'Localhost']),
    );
  });

  it('keeps actors working: Node sends neither Origin nor Sec-Fetch-Site', async () => {
    const api = actorClient(env.director.url, actorToken);
    await api.actorApi.heartbeat.mutate({});
    expect(await api.actorApi.nextTasks.mutate({ waitMs: 0 })).toEqual([]);
  });

  it('lets the web app page itself be opened from a link on another site', async () => {
    const page = await rawRequest(env.director.url, {
      path: '/',
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(page.status).toBe(200);
  });
});

describe('Host (DNS rebinding)', () => {
  let env: TestDirector;
  let port = '';
  beforeAll(async () => {
    env = await testDirector('host');
    port = new URL(env.director.url).port;
  });
  afterAll(async () => {
    await env.close();
  });

  const setup = (host: string) =>
    rawRequest(env.director.url, {
      path: '/api/trpc/auth.setup',
      body: JSON.stringify(ADMIN),
      headers: { host, origin: `http://${host}` },
    });

  it('refuses first-run setup through a host name it does not know, saying what to configure', async () => {
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.nip.io:${port}`]) {
      const response = await setup(host);
      expect(response.status).toBe(421);
      expect(response.body).toContain('set EMAIL_PROFILES_PUBLIC_URL');
    }
    const page = await rawRequest(env.director.url, {
      path: '/',
      headers: { host: 'evil.example' },
    });
    expect(page.status).toBe(421);
    expect(page.body).toMatch(
      /does not answer to the host name "evil\.example".*EMAIL_PROFILES_PUBLIC_URL/,
    );
    // A batch that slips an operator call in beside the actor API is not exempt.
    const mixed = await rawRequest(env.director.url, {
      path: '/api/trpc/actorApi.enroll,auth.setup?batch=1',
      body: JSON.stringify({ 0: {}, 1: ADMIN }),
      headers: { host: 'evil.example' },
    });
    expect(mixed.status).toBe(421);
    const status = await rawRequest(env.director.url, { path: '/api/trpc/auth.status' });
    expect(JSON.parse(status.body)).toMatchObject({ result: { data: { setupRequired: true } } });
  });

  it('answers IP literals and localhost, and /api/health under any name', async () => {
    for (const host of [`127.0.0.1:${port}`, `[::1]:${port}`, `localhost:${port}`, 'LOCALHOST']) {
      const response = await rawRequest(env.director.url, {
        path: '/api/trpc/auth.status',
        headers: { host },
      });
      expect(response.status, host).toBe(200);
    }
    expect(
      (await rawRequest(env.director.url, { path: '/api/health', headers: { host: 'lb.example' } }))
        .status,
    ).toBe(200);
    expect((await setup(`localhost:${port}`)).status).toBe(200);
  });

  it('serves the actor API under any host name: its tokens are not ambient like a cookie', async () => {
    const tab = browserTab(env.director.url);
    await tab.client.auth.login.mutate(ADMIN);
    const { id: zoneId } = await tab.client.zones.create.mutate({ name: 'Remote' });
    const { token: enrollmentToken } = await tab.client.actors.createEnrollmentToken.mutate({
      zoneId,
    });
    const host = { host: `director.internal:${port}` };
    const enrolled = await rawRequest(env.director.url, {
      path: '/api/trpc/actorApi.enroll',
      body: JSON.stringify({ enrollmentToken, name: 'remote' }),
      headers: host,
    });
    expect(enrolled.status).toBe(200);
    const { token } = (JSON.parse(enrolled.body) as { result: { data: { token: string } } }).result
      .data;
    const heartbeat = await rawRequest(env.director.url, {
      path: '/api/trpc/actorApi.heartbeat',
      body: '{}',
      headers: { ...host, authorization: `Bearer ${token}` },
    });
    expect(heartbeat.status).toBe(200);
    // The operator API under that name is refused, cookie or not.
    expect(
      (await rawRequest(env.director.url, { path: '/api/trpc/zones.list', headers: host })).status,
    ).toBe(421);
  });
});

describe('with an https:// public URL', () => {
  let env: TestDirector;
  beforeAll(async () => {
    env = await testDirector('public-url', {
      env: { EMAIL_PROFILES_PUBLIC_URL: 'https://profiles.example.test' },
    });
  });
  afterAll(async () => {
    await env.close();
  });

  it('answers to its host, takes its origin, and sets Secure cookies', async () => {
    const response = await rawRequest(env.director.url, {
      path: '/api/trpc/auth.setup',
      body: JSON.stringify(ADMIN),
      headers: { host: 'profiles.example.test', origin: 'https://profiles.example.test' },
    });
    expect(response.status).toBe(200);
    const setCookies = [response.headers['set-cookie'] ?? []].flat();
    expect(setCookies).toHaveLength(2);
    for (const cookie of setCookies) expect(cookie).toMatch(/; Secure$/);
    const elsewhere = await rawRequest(env.director.url, {
      path: '/api/trpc/auth.login',
      body: JSON.stringify(ADMIN),
      headers: { host: 'profiles.example.test', origin: 'https://other.example.test' },
    });
    expect(elsewhere.status).toBe(403);
  });
});

describe('subscriptions and the session', () => {
  let env: TestDirector;
  beforeAll(async () => {
    env = await testDirector('subscription-session');
  });
  afterAll(async () => {
    await env.close();
  });

  it('ends the status stream when its session logs out, delivering nothing after', async () => {
    const tab = browserTab(env.director.url);
    await tab.client.auth.setup.mutate(ADMIN);
    const { id: zoneId } = await tab.client.zones.create.mutate({ name: 'Z' });
    const actor = await enrollTestActor(env.director.url, tab.client, zoneId, 'a');
    const created = await tab.client.profiles.create.mutate({
      serverType: 'imap',
      emailAddress: 'box@example.test',
      actorIds: [actor.id],
      username: 'box@example.test',
      password: 'mailbox password',
      incoming: { host: '127.0.0.1', port: 993, encryption: 'ssl', authType: 'plain' },
      outgoing: {
        host: '127.0.0.1',
        port: 587,
        encryption: 'starttls',
        requiresAuth: true,
        authType: 'plain',
      },
    });
    let edits = 0;
    const edit = () =>
      tab.client.profiles.update.mutate({
        ...created,
        username: `box${(edits += 1)}@example.test`,
        password: 'mailbox password',
      } as Parameters<typeof tab.client.profiles.update.mutate>[0]);

    // The stream, opened with a session of its own (another browser of the same admin).
    const other = browserTab(env.director.url);
    await other.client.auth.login.mutate(ADMIN);
    const session = `ep_session=${other.jar.get('ep_session') ?? ''}`;
    const response = await fetch(`${env.director.url}/api/trpc/verification.onStatus`, {
      headers: { cookie: session, accept: 'text/event-stream' },
      signal: AbortSignal.timeout(15_000),
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let ended = false;
    const reading = (async () => {
      for (;;) {
        const chunk: ReadableStreamReadResult<Uint8Array> = await reader.read();
        if (chunk.done) break;
        text += decoder.decode(chunk.value, { stream: true });
      }
      ended = true;
    })();
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 100 && !ok(); i += 1) await new Promise((r) => setTimeout(r, 50));
      return ok();
    };
    const profileEvents = () => text.split('\n').filter((line) => line.includes(created.id)).length;

    await new Promise((resolve) => setTimeout(resolve, 200)); // the stream listens
    await edit();
    expect(await until(() => profileEvents() > 0)).toBe(true);

    const logout = await rawRequest(env.director.url, {
      path: '/api/trpc/auth.logout',
      body: '{}',
      headers: { cookie: session },
    });
    expect(logout.status).toBe(200);
    const before = profileEvents();
    expect(await until(() => ended)).toBe(true);
    await edit();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(profileEvents()).toBe(before);
    await reading;
    // The first tab's own session still works.
    expect(await tab.client.auth.me.query()).toEqual({ email: ADMIN.email });
  });
});
