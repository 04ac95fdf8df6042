// The Director's mail settings with Office 365 (Graph) and the Gmail API: saved with secrets
// sealed, and "Send test email" staged per method, against the local fakes of Microsoft and Google.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGoogle } from '@email-profiles/transport-gmail/testing';
import type { FakeGraph } from '@email-profiles/transport-graph/testing';
import { loadMailSettings } from '../db/index.js';
import { consent, gmailSettings, startCloudFakes, type CloudFakes } from './gmail-test-support.js';
import { ADMIN, browserTab, rejection, testDirector, type TestDirector } from './test-client.js';

const TENANT = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const CLIENT = '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b';
const SECRET = 'Qx8~GraphSecretValueDoNotLeak';
const SENDER = 'director@contoso.example';
const RECIPIENT = 'actor1@contoso.example';

let fakes: CloudFakes;
let graph: FakeGraph;
let google: FakeGoogle;
let env: TestDirector;
const bodies: string[] = [];
const browser = () => browserTab(env.director.url, bodies).client;
let operator: ReturnType<typeof browser>;

beforeAll(async () => {
  fakes = await startCloudFakes();
  ({ graph, google } = fakes);
  env = await testDirector('settings-cloud', {
    env: fakes.env,
  });
  operator = browser();
  await operator.auth.setup.mutate(ADMIN);
});
afterAll(async () => {
  await env.close();
  await fakes.close();
});
afterEach(() => {
  fakes.checkAfterEach();
});

const graphSettings = (overrides: Record<string, unknown> = {}) => ({
  method: 'graph' as const,
  fromAddress: SENDER,
  tenantId: TENANT,
  clientId: CLIENT,
  clientSecret: SECRET,
  ...overrides,
});

const steps = (report: { steps: { name: string; status: string }[] }) =>
  report.steps.map((step) => `${step.name}:${step.status}`);

describe('Office 365 (Graph) mail settings', () => {
  const app = { tenantId: TENANT, clientId: CLIENT, secret: SECRET, roles: ['Mail.Send'] };

  beforeAll(() => {
    graph.addApp(app);
    graph.addMailbox(SENDER);
    graph.addMailbox(RECIPIENT);
  });

  it('seals the client secret and keeps it when left blank', async () => {
    const saved = await operator.settings.mail.update.mutate(graphSettings());
    expect(saved).toEqual({
      method: 'graph',
      fromAddress: SENDER,
      tenantId: TENANT,
      clientId: CLIENT,
      cloud: 'global',
    });
    await operator.settings.mail.update.mutate(
      graphSettings({ clientSecret: '', cloud: 'global' }),
    );
    const stored = loadMailSettings(env.store.db, env.vault);
    expect(stored?.method === 'graph' && stored.clientSecret).toBe(SECRET);
  });

  it('sends a test email: token, permission, then the send', async () => {
    const report = await operator.settings.mail.sendTest.mutate({ to: RECIPIENT });
    expect(report.failure).toBeUndefined();
    expect(steps(report)).toEqual(['token:ok', 'permission:ok', 'send:ok']);
    expect(report.steps[2]?.summary).toMatch(/^Accepted: 202 Accepted/);
    expect(graph.mailboxes.get(RECIPIENT)?.messages.map((m) => m.subject)).toEqual([
      'Email Profiles: test email',
    ]);
  });

  it('warns that Mail.Send is not tenant-wide, and fails at the send when nothing grants it', async () => {
    // An Exchange RBAC for Applications grant would not be in the token: the send decides.
    app.roles = ['Mail.Read'];
    const report = await operator.settings.mail.sendTest.mutate({ to: RECIPIENT });
    app.roles = ['Mail.Send'];
    expect(steps(report)).toEqual(['token:ok', 'permission:warning', 'send:failed']);
    expect(report.failure).toMatchObject({ stage: 'permission' });
    expect(report.failure?.summary).toContain('Mail.Send');
  });

  it('stops at the token step with a wrong secret, and never returns a secret', async () => {
    await operator.settings.mail.update.mutate(graphSettings({ clientSecret: 'Qx8~wrong' }));
    const report = await operator.settings.mail.sendTest.mutate({ to: RECIPIENT });
    expect(steps(report)).toEqual(['token:failed']);
    expect(report.failure?.serverText).toMatch(/AADSTS7000215/);
    const all = bodies.join('\n');
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('Qx8~wrong');
    for (const token of graph.issuedTokens) expect(all).not.toContain(token);
  });

  it('asks for the secret again when switching from another method', async () => {
    await operator.settings.mail.update.mutate({
      method: 'smtp',
      fromAddress: SENDER,
      host: 'smtp.example.test',
      port: 25,
      encryption: 'off',
      requiresAuth: false,
    });
    const missing = await rejection(
      operator.settings.mail.update.mutate(graphSettings({ clientSecret: '' })),
    );
    expect(missing.data?.fieldErrors).toEqual([
      { path: ['clientSecret'], message: 'Enter the client secret value' },
    ]);
  });
});

describe('Gmail API mail settings', () => {
  it('says to authorise with Google before anything can be sent', async () => {
    await operator.settings.mail.update.mutate(gmailSettings(google));
    const report = await operator.settings.mail.sendTest.mutate({ to: RECIPIENT });
    expect(steps(report)).toEqual(['token:failed']);
    expect(report.failure).toMatchObject({
      stage: 'consent',
      summary: `Google has not yet authorised the Director to send as ${google.state.account}.`,
    });
  });

  it('sends a test email after the consent: token, mailbox, permission, then the send', async () => {
    expect(
      (await consent(env.director.url, operator, google, { target: 'mail-settings' })).outcome,
    ).toBe('granted');
    const report = await operator.settings.mail.sendTest.mutate({ to: RECIPIENT });
    expect(report.failure).toBeUndefined();
    expect(steps(report)).toEqual(['token:ok', 'mailbox:ok', 'permission:ok', 'send:ok']);
    expect(google.state.sent).toHaveLength(1);
    expect(google.state.sent[0]).toMatch(/^Subject: Email Profiles: test email\r?$/m);
    expect(google.state.sent[0]).toContain(RECIPIENT);
  });

  it('stops at the token step when Google no longer accepts the refresh token', async () => {
    const stored = google.state.refreshToken;
    google.state.refreshToken = '1//revoked';
    const report = await operator.settings.mail.sendTest.mutate({ to: RECIPIENT });
    google.state.refreshToken = stored;
    expect(steps(report)).toEqual(['token:failed']);
    expect(report.failure?.signal).toBe('google-invalid-grant');
    const all = bodies.join('\n');
    expect(all).not.toContain(google.state.clientSecret);
    expect(all).not.toContain(stored);
  });
});
