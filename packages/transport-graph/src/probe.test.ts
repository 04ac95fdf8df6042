// The connectivity check against the local fake of Entra ID and Graph.
import { describe, expect, it } from 'vitest';
import type { Failure, ProbeStep } from '@email-profiles/core';
import type { GraphConfig } from './config.js';
import { createGraphSender } from './index.js';
import type { FakeApp } from './testing/fake-graph.js';
import {
  CLIENT,
  MAILBOX,
  SECRET,
  TENANT,
  expectNoSecrets,
  fast,
  useFakeGraph,
} from './testing/harness.js';

const h = useFakeGraph();

describe('Graph probe', () => {
  it('records token, permission and mailbox, each with a timing', async () => {
    h.fake.deliver(MAILBOX, 'Hello');
    const seen: ProbeStep[] = [];
    const report = await h.transport().probe({ onStep: (step) => seen.push(step) });
    expect(report.failure).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['token', 'ok'],
      ['permission', 'ok'],
      ['mailbox', 'ok'],
      // Tenant-wide Mail.Read (Entra admin consent) reads every mailbox: not least privilege.
      ['access', 'warning'],
    ]);
    expect(report.steps[3]?.summary).toMatch(
      /tenant-wide Mail.Read, Mail.Send: it can read every mailbox/,
    );
    expect(seen).toEqual(report.steps);
    for (const step of report.steps) expect(step.durationMs).toBeGreaterThanOrEqual(0);
    const [token, permission, mailbox] = report.steps;
    expect(token?.summary).toContain(TENANT);
    expect(token?.summary).toMatch(/valid until \S+Z \((59|60) min\)/);
    expect(token?.facts).toMatchObject({ tenant: TENANT, cloud: 'global' });
    expect(permission?.summary).toContain('Mail.Read, Mail.Send');
    expect(mailbox).toMatchObject({
      summary: `Opened the Inbox of ${MAILBOX}: 1 message, 1 unread`,
      facts: { messages: 1, unread: 1 },
    });
    expect(h.fake.requests.map((r) => [r.method, r.path, r.query])).toEqual([
      ['POST', `/${TENANT}/oauth2/v2.0/token`, {}],
      [
        'GET',
        `/v1.0/users/actor1%40contoso.example/mailFolders/inbox`,
        { $select: 'totalItemCount,unreadItemCount' },
      ],
    ]);
    expectNoSecrets(report, h.fake);
  });

  it.each<[string, Partial<GraphConfig>, Partial<FakeApp>, Partial<Failure>, RegExp]>([
    [
      'an unknown tenant',
      { tenantId: 'fabrikam.onmicrosoft.com' },
      {},
      { stage: 'config', signal: 'aadsts90002' },
      /^invalid_tenant: AADSTS90002: Tenant 'fabrikam\.onmicrosoft\.com' not found/,
    ],
    [
      'an application not in the tenant',
      { clientId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a' },
      {},
      { stage: 'config', signal: 'aadsts700016' },
      /^unauthorized_client: AADSTS700016: Application with identifier/,
    ],
    [
      'a wrong secret (or its Secret ID)',
      { clientSecret: '1c2d3e4f-0000-4000-8000-000000000000' },
      {},
      { stage: 'auth', signal: 'aadsts7000215' },
      /^invalid_client: AADSTS7000215: Invalid client secret provided/,
    ],
    [
      'an expired secret',
      {},
      { secretExpired: true },
      { stage: 'auth', signal: 'aadsts7000222' },
      /^invalid_client: AADSTS7000222: The provided client secret keys .* are expired/,
    ],
    [
      'missing consent',
      {},
      { consentRequired: true },
      { stage: 'consent', signal: 'aadsts65001' },
      /^invalid_grant: AADSTS65001: The user or administrator has not consented/,
    ],
  ])('stops at the token step on %s', async (_, overrides, app, expected, serverText) => {
    Object.assign(h.app, app);
    const report = await h.transport(overrides).probe();
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([['token', 'failed']]);
    expect(report.failure).toMatchObject(expected);
    expect(report.failure?.serverText).toMatch(serverText);
    expect(report.steps[0]?.failure).toEqual(report.failure);
    expectNoSecrets(report, h.fake, overrides.clientSecret ?? SECRET);
  });

  it('with Mail.Read and not Mail.Send in the token, warns and lets the mailbox decide', async () => {
    h.app.roles = ['Mail.Read'];
    const report = await h.transport().probe();
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['token', 'ok'],
      ['permission', 'warning'],
      ['mailbox', 'ok'],
      ['access', 'warning'],
    ]);
    expect(report.steps[1]?.summary).toMatch(/^The access token has no tenant-wide Mail.Send/);
  });

  it.each([
    [['Mail.Send', 'User.Read.All'], 'Mail.Read'],
    [[], 'Mail.Read or Mail.Send'],
  ])(
    'with roles %j and no Exchange grant, fails at the mailbox naming Mail.Read',
    async (roles, missing) => {
      h.app.roles = roles;
      const report = await h.transport().probe();
      expect(report.steps.map((s) => [s.name, s.status])).toEqual([
        ['token', 'ok'],
        ['permission', 'warning'],
        ['mailbox', 'failed'],
      ]);
      expect(report.steps[1]?.summary).toContain(`no tenant-wide ${missing}`);
      expect(report.failure).toMatchObject({ stage: 'permission' });
      expect(report.failure?.summary).toContain('Mail.Read');
    },
  );

  it('passes an app scoped by RBAC for Applications (no Mail.* in its token), and proves it on the canary', async () => {
    h.app.roles = [];
    h.app.exchangeScoped = { roles: ['Mail.Read', 'Mail.Send'], mailboxes: [MAILBOX] };
    h.fake.addMailbox('ceo@contoso.example');
    const report = await h.transport({ canaryAddress: 'ceo@contoso.example' }).probe();
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['token', 'ok'],
      ['permission', 'warning'],
      ['mailbox', 'ok'],
      ['access', 'ok'],
    ]);
    expect(report.steps[3]?.summary).toBe(
      'Reading the canary ceo@contoso.example was refused (403): the app is scoped to its mailboxes',
    );
  });

  it.each([
    [
      'an unscoped app reads the canary',
      true,
      'warning',
      /read the canary mailbox ceo@contoso.example/,
    ],
    ['the canary does not exist', false, 'warning', /does not exist/],
  ] as const)('least privilege: %s', async (_, exists, status, summary) => {
    if (exists) h.fake.addMailbox('ceo@contoso.example');
    const report = await h.transport({ canaryAddress: 'ceo@contoso.example' }).probe();
    expect(report.steps.at(-1)).toMatchObject({ name: 'access', status });
    expect(report.steps.at(-1)?.summary).toMatch(summary);
    // The canary's Inbox counters only: no message of another mailbox is ever listed.
    expect(
      h.fake.requests.filter((r) => r.mailbox === 'ceo@contoso.example').map((r) => r.path),
    ).toEqual(['/v1.0/users/ceo%40contoso.example/mailFolders/inbox']);
  });

  it.each([[['Mail.ReadWrite', 'Mail.Send']], [['Mail.ReadBasic.All', 'Mail.Send']]])(
    'accepts %j for reading',
    async (roles) => {
      h.app.roles = roles;
      expect((await h.transport().probe()).ok).toBe(true);
    },
  );

  it('asks for a fresh token, so a permission granted since the last check shows at once', async () => {
    h.app.roles = ['Mail.Send'];
    expect((await h.transport().probe()).failure?.stage).toBe('permission');
    h.app.roles = ['Mail.Read', 'Mail.Send'];
    expect((await h.transport().probe()).ok).toBe(true);
    expect(h.fake.tokenRequests).toBe(2);
  });

  it('warns, and goes on to the mailbox, when the token is not a readable JWT', async () => {
    h.app.opaqueToken = true;
    const report = await h.transport().probe();
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['token', 'ok'],
      ['permission', 'warning'],
      ['mailbox', 'ok'],
      ['access', 'ok'], // nothing known tenant-wide, no canary named
    ]);
  });

  it.each([
    [
      'a user that does not exist',
      'nobody@contoso.example',
      {},
      { stage: 'mailbox', signal: 'graph-mailbox-not-found' },
      "ErrorInvalidUser: The requested user 'nobody@contoso.example' is invalid.",
    ],
    [
      'a mailbox not enabled for REST (on-premises, unlicensed)',
      MAILBOX,
      { restDisabled: true },
      { stage: 'mailbox', signal: 'graph-mailbox-not-found' },
      'MailboxNotEnabledForRESTAPI: REST API is not yet supported for this mailbox.',
    ],
    [
      'an application access policy that leaves the mailbox out',
      MAILBOX,
      { blockedByPolicy: true },
      { stage: 'permission', signal: 'graph-access-denied' },
      'ErrorAccessDenied: Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.',
    ],
  ])('stops at the mailbox step for %s', async (_, address, mailbox, expected, serverText) => {
    Object.assign(h.fake.mailboxes.get(MAILBOX) ?? {}, mailbox);
    const report = await h.transport({ emailAddress: address }).probe();
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['token', 'ok'],
      ['permission', 'ok'],
      ['mailbox', 'failed'],
    ]);
    expect(report.failure).toMatchObject({ ...expected, serverText });
    if (expected.stage === 'permission') {
      expect(report.failure?.summary).toBe(
        'An Exchange application access policy keeps the application out of this mailbox.',
      );
      expect(report.failure?.hint).toContain('Test-ApplicationAccessPolicy');
    }
  });

  it('names the missing read permission when Graph itself refuses (403)', async () => {
    // The token says Mail.ReadBasic.All; the fake (as Graph) does not accept it for the Inbox.
    h.app.roles = ['Mail.Send', 'Mail.ReadBasic.All'];
    h.fake.interrupt('graph', {
      kind: 'status',
      status: 403,
      body: {
        error: {
          code: 'ErrorAccessDenied',
          message: 'Access is denied. Check credentials and try again.',
        },
      },
    });
    const report = await h.transport().probe();
    expect(report.failure).toMatchObject({
      stage: 'permission',
      signal: 'graph-access-denied',
      serverText: 'ErrorAccessDenied: Access is denied. Check credentials and try again.',
      summary: 'The application may not use this mailbox: Microsoft Graph denied Mail.Read.',
    });
    expect(report.failure?.hint).toContain('application permission Mail.Read');
  });

  it('works with the tenant given as its domain', async () => {
    h.fake.addApp({
      tenantId: 'contoso.onmicrosoft.com',
      clientId: CLIENT,
      secret: SECRET,
      roles: ['Mail.Read', 'Mail.Send'],
    });
    expect((await h.transport({ tenantId: 'contoso.onmicrosoft.com' }).probe()).ok).toBe(true);
  });
});

describe('Graph sender probe (a mailbox that only sends)', () => {
  it('needs Mail.Send only, and does not open the mailbox', async () => {
    h.app.roles = ['Mail.Send'];
    const report = await createGraphSender(h.config(), fast).probe();
    expect(report.failure).toBeUndefined();
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['token', 'ok'],
      ['permission', 'ok'],
    ]);
    expect(report.steps[1]?.summary).toMatch(/^The application may send mail/);
    expect(h.fake.requests.map((r) => r.method)).toEqual(['POST']);
  });

  it('warns when Mail.Send is not tenant-wide (an Exchange grant may be scoped), leaving it to the send', async () => {
    h.app.roles = ['Mail.Read'];
    const report = await createGraphSender(h.config(), fast).probe();
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['token', 'ok'],
      ['permission', 'warning'],
    ]);
    expect(report.steps[1]?.summary).toContain('no tenant-wide Mail.Send');
  });
});
