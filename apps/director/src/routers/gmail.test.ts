// The Google consent over HTTP, end to end against the fake Google: start, the owner allows,
// callback, refresh token sealed, public view says consent is done; and each way it can go wrong.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { consentQuery } from '@email-profiles/core';
import { startFakeGoogle, type FakeGoogle } from '@email-profiles/transport-gmail/testing';
import { loadMailSettings, loadProfile } from '../db/index.js';
import { seedActors } from '../db/test-support.js';
import { CONSENT_TTL_MS } from '../mail/consent-states.js';
import {
  PUBLIC_URL,
  callback,
  consent,
  gmailSettings,
  googleEnv,
  startConsent,
} from './gmail-test-support.js';
import { ADMIN, browserTab, rejection, testDirector, type TestDirector } from './test-client.js';

let fake: FakeGoogle;
let env: TestDirector;
const bodies: string[] = [];
const browser = () => browserTab(env.director.url, bodies).client;
let operator: ReturnType<typeof browser>;

beforeAll(async () => {
  fake = await startFakeGoogle();
  env = await testDirector('gmail', { env: googleEnv(fake) });
  operator = browser();
  await operator.auth.setup.mutate(ADMIN);
});
afterAll(async () => {
  await env.close();
  await fake.close();
});
afterEach(() => {
  vi.restoreAllMocks();
  expect(fake.violations).toEqual([]);
  fake.state.account = 'mailbox@example.test';
});

const storedSettings = () => {
  const settings = loadMailSettings(env.store.db, env.vault);
  return settings?.method === 'gmail' ? settings : undefined;
};

describe('consent.start (Google)', () => {
  it('refuses anonymous callers and targets that cannot be authorised', async () => {
    const anonymous = await rejection(browser().consent.start.mutate({ target: 'mail-settings' }));
    expect(anonymous.data?.code).toBe('UNAUTHORIZED');
    const noSettings = await rejection(operator.consent.start.mutate({ target: 'mail-settings' }));
    expect([noSettings.data?.code, noSettings.message]).toEqual([
      'PRECONDITION_FAILED',
      "Save the Director's mail settings with the Gmail API method first",
    ]);
    const noProfile = await rejection(
      operator.consent.start.mutate({ target: 'profile', profileId: 'nope' }),
    );
    expect([noProfile.data?.code, noProfile.message]).toEqual(['NOT_FOUND', 'No profile "nope"']);
    const bad = await rejection(operator.consent.start.mutate({ target: 'inbox' } as never));
    expect(bad.data?.fieldErrors).toEqual([
      {
        path: ['target'],
        message: "Choose what to authorise: the Director's mail settings or a Gmail profile",
      },
    ]);
  });
});

describe("consent for the Director's Gmail mail settings", () => {
  it('stores the refresh token sealed, and the public view says consent is done', async () => {
    const saved = await operator.settings.mail.update.mutate(gmailSettings(fake));
    expect(saved).toMatchObject({ method: 'gmail', consentGranted: false });
    const result = await consent(env.director.url, operator, fake, { target: 'mail-settings' });
    expect(result).toMatchObject({ status: 303, outcome: 'granted', message: null });
    expect(`${result.location.origin}${result.location.pathname}`).toBe(
      `${PUBLIC_URL}/settings/email`,
    );
    expect(result.location.searchParams.get(consentQuery.account)).toBe(fake.state.account);
    expect(await operator.settings.mail.get.query()).toMatchObject({
      method: 'gmail',
      consentGranted: true,
      consentedAddress: fake.state.account,
    });
    expect(storedSettings()?.refreshToken).toBe(fake.state.refreshToken);
    const row = env.store.sqlite.prepare('select sealed_secrets from mail_settings').get() as {
      sealed_secrets: string;
    };
    expect(row.sealed_secrets).not.toContain(fake.state.refreshToken);
    expect(bodies.join('\n')).not.toContain(fake.state.refreshToken);
    expect(bodies.join('\n')).not.toContain(fake.state.clientSecret);
  });

  it('keeps the consent across an edit of the sender name, drops it when the client changes', async () => {
    await operator.settings.mail.update.mutate({
      ...gmailSettings(fake),
      fromName: 'Other',
      clientSecret: '',
    });
    expect(storedSettings()?.refreshToken).toBe(fake.state.refreshToken);
    const other = await operator.settings.mail.update.mutate({
      ...gmailSettings(fake),
      clientId: '999-other.apps.googleusercontent.com',
    });
    expect(other).toMatchObject({ consentGranted: false });
    expect(storedSettings()?.refreshToken).toBeUndefined();
    await operator.settings.mail.update.mutate(gmailSettings(fake));
  });

  it('refuses a consent given by another Google account, and stores nothing', async () => {
    fake.state.account = 'someone.else@example.test';
    const result = await consent(env.director.url, operator, fake, { target: 'mail-settings' });
    expect(result.outcome).toBe('failed');
    expect(result.message).toBe(
      "Google authorised someone.else@example.test, but the Director's mail settings send as mailbox@example.test. Sign in to Google as mailbox@example.test and authorise again.",
    );
    expect(storedSettings()?.refreshToken).toBeUndefined();
  });

  it('refuses an unknown state, a replayed one and an expired one', async () => {
    const unknown = await callback(env.director.url, { state: 'x'.repeat(43), code: 'c' });
    expect(unknown).toMatchObject({
      status: 303,
      outcome: 'failed',
      message:
        'This authorisation is unknown or was already used. Start the authorisation again from the Director.',
    });
    expect(`${unknown.location.origin}${unknown.location.pathname}`).toBe(
      `${PUBLIC_URL}/settings/email`,
    );

    const first = await startConsent(operator, fake, { target: 'mail-settings' });
    expect((await callback(env.director.url, first)).outcome).toBe('granted');
    const replayed = await callback(env.director.url, first);
    expect(replayed.message).toBe(unknown.message);

    const late = await startConsent(operator, fake, { target: 'mail-settings' });
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + CONSENT_TTL_MS + 1000);
    const expired = await callback(env.director.url, late);
    expect(expired.message).toBe(
      'The authorisation was not completed within 5 minutes. Start the authorisation again from the Director.',
    );

    const missing = await callback(env.director.url, { code: 'c' });
    expect(missing.message).toBe(
      "Google's answer carries no state. Start the authorisation again from the Director.",
    );
  });

  it('says when the owner declined, and when Google sent no code', async () => {
    const declined = await startConsent(operator, fake, { target: 'mail-settings' });
    expect(
      (await callback(env.director.url, { state: declined.state, error: 'access_denied' })).message,
    ).toBe('The consent was declined in Google, so the Director was not authorised.');
    const noCode = await startConsent(operator, fake, { target: 'mail-settings' });
    expect((await callback(env.director.url, { state: noCode.state })).message).toBe(
      "Google's answer carries no authorisation code. Start the authorisation again from the Director.",
    );
  });

  it("reports Google's refusal of the code in Google's terms", async () => {
    const { state } = await startConsent(operator, fake, { target: 'mail-settings' });
    const result = await callback(env.director.url, { state, code: 'never-issued' });
    expect(result.outcome).toBe('failed');
    expect(result.message).toBe(
      'Google refused the authorisation code (invalid_grant: Malformed auth code.): a code is valid once and for a few minutes. Start the authorisation again from the Director.',
    );
    expect(result.message).not.toContain(fake.state.clientSecret);
  });

  it('needs the session that started the consent to be live', async () => {
    const other = browser();
    await other.auth.login.mutate(ADMIN);
    const pending = await startConsent(other, fake, { target: 'mail-settings' });
    await other.auth.logout.mutate();
    expect((await callback(env.director.url, pending)).message).toBe(
      'Your Director session ended before Google answered. Log in and start the authorisation again.',
    );
  });
});

describe('consent for a Gmail profile', () => {
  it('stores the refresh token on the profile and sends the browser back to it', async () => {
    const [actorId = ''] = seedActors(env.store, 1);
    const profile = await operator.profiles.create.mutate({
      serverType: 'gmail',
      emailAddress: fake.state.account,
      actorIds: [actorId],
      clientId: fake.state.clientId,
      clientSecret: fake.state.clientSecret,
    });
    expect(profile).toMatchObject({ consentGranted: false });
    const result = await consent(env.director.url, operator, fake, {
      target: 'profile',
      profileId: profile.id,
    });
    expect(result.outcome).toBe('granted');
    expect(result.location.pathname).toBe(`/settings/email-actions/${profile.id}/edit`);
    expect(await operator.profiles.get.query({ id: profile.id })).toMatchObject({
      consentGranted: true,
      consentedAddress: fake.state.account,
    });
    const stored = loadProfile(env.store.db, env.vault, profile.id);
    expect(stored?.serverType === 'gmail' && stored.refreshToken).toBe(fake.state.refreshToken);

    // Another mailbox address: the old account's consent would read the wrong mailbox, so it goes.
    const edit = {
      id: profile.id,
      serverType: 'gmail' as const,
      actorIds: [actorId],
      clientId: fake.state.clientId,
      clientSecret: '',
    };
    await operator.profiles.update.mutate({
      ...edit,
      emailAddress: fake.state.account.toUpperCase(),
    });
    expect(await operator.profiles.get.query({ id: profile.id })).toMatchObject({
      consentGranted: true,
    });
    await operator.profiles.update.mutate({ ...edit, emailAddress: 'someone.else@gmail.com' });
    expect(await operator.profiles.get.query({ id: profile.id })).toMatchObject({
      consentGranted: false,
    });
    const moved = loadProfile(env.store.db, env.vault, profile.id);
    expect(moved?.serverType === 'gmail' && moved.refreshToken).toBeUndefined();
  });

  it('refuses a profile that is not a Gmail profile', async () => {
    const [actorId = ''] = seedActors(env.store, 1, 'Other zone');
    const graph = await operator.profiles.create.mutate({
      serverType: 'graph',
      emailAddress: 'actor@contoso.example',
      actorIds: [actorId],
      tenantId: '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b',
      clientId: '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b',
      clientSecret: 'Qx8~secret',
    });
    const refused = await rejection(
      operator.consent.start.mutate({ target: 'profile', profileId: graph.id }),
    );
    expect([refused.data?.code, refused.message]).toEqual([
      'PRECONDITION_FAILED',
      'Only a profile of server type Gmail API is authorised this way',
    ]);
  });
});
