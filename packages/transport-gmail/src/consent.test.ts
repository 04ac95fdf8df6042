import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConsentExchange, Secret } from '@email-profiles/core';
import { activeHandles, settledHandles } from '@email-profiles/transport-net/testing';
import { googleErrors, startFakeGoogle, type FakeGoogle } from './fake-google.js';
import { buildConsentUrl, exchangeConsentCode } from './index.js';

describe('buildConsentUrl', () => {
  const request = {
    clientId: '1234567890-abc.apps.googleusercontent.com',
    redirectUri: 'https://director.example.test/api/gmail/callback',
    state: 'b7c1d2e3-state',
    loginHint: 'mailbox@example.test',
  };

  it("asks Google's consent page for offline access to read and send, every time", () => {
    const url = new URL(buildConsentUrl(request));
    expect(`${url.origin}${url.pathname}`).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: request.clientId,
      redirect_uri: request.redirectUri,
      response_type: 'code',
      scope:
        'https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/gmail.send',
      access_type: 'offline',
      prompt: 'consent',
      include_granted_scopes: 'true',
      state: request.state,
      login_hint: request.loginHint,
    });
  });

  it('uses a configured consent page and leaves out an absent login hint', () => {
    const withoutHint = {
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      state: 's',
    };
    const url = new URL(
      buildConsentUrl({
        ...withoutHint,
        endpoints: { auth: 'http://127.0.0.1:9/o/oauth2/v2/auth' },
      }),
    );
    expect(url.origin).toBe('http://127.0.0.1:9');
    expect(url.searchParams.has('login_hint')).toBe(false);
  });
});

describe('exchangeConsentCode', () => {
  let fake: FakeGoogle;
  const code = '4/0AfJohXn-consent-code';

  beforeAll(async () => {
    fake = await startFakeGoogle();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    fake.state.codes.set(code, { refreshToken: true });
  });
  afterEach(() => {
    expect(fake.violations).toEqual([]);
  });

  const exchange = (overrides: Partial<ConsentExchange> = {}) =>
    exchangeConsentCode(
      {
        clientId: fake.state.clientId,
        clientSecret: fake.state.clientSecret as Secret,
        code,
        redirectUri: fake.state.redirectUri,
        emailAddress: fake.state.account,
        endpoints: fake.endpoints,
        ...overrides,
      },
      { tuning: { requestTimeoutMs: 10_000 } },
    );

  function expectNoSecrets(result: unknown): void {
    const text = JSON.stringify(result);
    for (const secret of [fake.state.clientSecret, code, ...fake.issuedTokens])
      expect(text).not.toContain(secret);
  }

  it('returns the refresh token and the account that consented', async () => {
    const before = activeHandles();
    expect(await exchange()).toEqual({
      ok: true,
      refreshToken: fake.state.refreshToken,
      consentedAddress: fake.state.account,
      matchesProfile: true,
      scopes: [
        'https://www.googleapis.com/auth/gmail.send',
        'https://www.googleapis.com/auth/gmail.readonly',
      ],
    });
    expect(fake.requests.map((r) => r.route)).toEqual(['token', 'profile']);
    expect(fake.requests[0]?.form).toEqual({
      grant_type: 'authorization_code',
      code,
      redirect_uri: fake.state.redirectUri,
      client_id: fake.state.clientId,
      client_secret: fake.state.clientSecret,
    });
    expect(fake.requests[1]?.authorization).toBe(`Bearer ${fake.issuedTokens[0] ?? ''}`);
    expect(await settledHandles(before)).toEqual({});
  });

  it('compares the addresses without regard to case', async () => {
    expect(await exchange({ emailAddress: 'MAILBOX@example.test' })).toMatchObject({
      ok: true,
      matchesProfile: true,
    });
  });

  it('says when another account consented', async () => {
    fake.state.account = 'other@example.test';
    expect(await exchange({ emailAddress: 'mailbox@example.test' })).toMatchObject({
      ok: true,
      consentedAddress: 'other@example.test',
      matchesProfile: false,
    });
  });

  it('explains a missing refresh token', async () => {
    fake.state.codes.set(code, { refreshToken: false });
    const result = await exchange();
    expect(result).toMatchObject({
      ok: false,
      failure: { stage: 'consent', signal: 'google-no-refresh-token' },
    });
    if (!result.ok) expect(result.failure.hint).toMatch(/remove this app's access/);
    expectNoSecrets(result);
  });

  it('refuses a grant without the send permission', async () => {
    fake.state.scope = 'https://www.googleapis.com/auth/gmail.readonly';
    expect(await exchange()).toMatchObject({
      ok: false,
      failure: { stage: 'consent', signal: 'google-insufficient-scope' },
    });
  });

  it.each<[string, Partial<ConsentExchange>, Record<string, unknown>]>([
    [
      'a used or wrong code',
      { code: '4/other' },
      { signal: 'google-invalid-grant', serverText: 'invalid_grant: Malformed auth code.' },
    ],
    [
      'a wrong client secret',
      { clientSecret: 'GOCSPX-wrong' as Secret },
      { signal: 'google-invalid-client', serverText: 'invalid_client: Unauthorized' },
    ],
    [
      'another redirect URI',
      { redirectUri: 'https://elsewhere.example.test/cb' },
      { stage: 'consent', serverText: 'redirect_uri_mismatch: Bad Request' },
    ],
  ])('maps %s', async (_, overrides, expected) => {
    const result = await exchange(overrides);
    expect(result).toMatchObject({ ok: false, failure: expected });
    expectNoSecrets(result);
  });

  it('maps the Gmail API being disabled when asking for the account', async () => {
    fake.script('profile', { status: 403, json: googleErrors.serviceDisabled });
    const result = await exchange();
    expect(result).toMatchObject({ ok: false, failure: { signal: 'google-api-disabled' } });
    expectNoSecrets(result);
  });

  it('keeps the code out of a failure even when Google quotes it', async () => {
    fake.script('token', {
      status: 400,
      json: { error: 'invalid_request', error_description: `Bad code ${code}` },
    });
    const result = await exchange();
    expect(result).toMatchObject({
      ok: false,
      failure: { serverText: 'invalid_request: Bad code [redacted]' },
    });
  });
});
