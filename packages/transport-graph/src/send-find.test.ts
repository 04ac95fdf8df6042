// Sending and finding the verification code against the local fake of Graph.
import { describe, expect, it } from 'vitest';
import { verificationSubject } from '@email-profiles/core';
import { GRAPH_SEND_ACCEPTED } from './send.js';
import {
  CODE,
  MAILBOX,
  expectNoSecrets,
  findRequest,
  minutesAgo,
  useFakeGraph,
} from './testing/harness.js';

const h = useFakeGraph();
const DIRECTOR = 'director@contoso.example';

const listRequests = () =>
  h.fake.graphRequests().filter((r) => r.path.endsWith('/mailFolders/inbox/messages'));

describe('Graph send', () => {
  it('is queued (202), and the message then arrives for find code', async () => {
    h.fake.addMailbox(DIRECTOR);
    const director = h.transport({ emailAddress: DIRECTOR });
    const sent = await director.send({
      from: DIRECTOR,
      to: MAILBOX,
      subject: verificationSubject(CODE),
      text: 'Verification email from Email Profiles.',
    });
    expect(sent).toEqual({ ok: true, response: GRAPH_SEND_ACCEPTED });
    expect(GRAPH_SEND_ACCEPTED).toMatch(/^202 Accepted: queued/);
    expect(h.fake.graphRequests().map((r) => [r.method, r.path, r.query])).toEqual([
      ['POST', '/v1.0/users/director%40contoso.example/sendMail', {}],
    ]);
    const found = await h.transport().findCode(findRequest());
    expect(found).toMatchObject({ found: true, subject: `(${CODE})`, via: 'search' });
  });

  it('sends as another address or with a display name (from)', async () => {
    const sent = await h.transport().send({
      from: 'shared@contoso.example',
      fromName: 'Email Profiles',
      to: MAILBOX,
      subject: 'x',
      text: 'y',
    });
    expect(sent.ok).toBe(true);
  });

  it('names Mail.Send when the application may not send', async () => {
    h.app.roles = ['Mail.Read'];
    const sent = await h.transport().send({ from: MAILBOX, to: MAILBOX, subject: 's', text: 't' });
    expect(sent).toMatchObject({
      ok: false,
      failure: {
        stage: 'permission',
        signal: 'graph-access-denied',
        serverText: 'ErrorAccessDenied: Access is denied. Check credentials and try again.',
        summary: 'The application may not use this mailbox: Microsoft Graph denied Mail.Send.',
      },
    });
    if (!sent.ok) expect(sent.failure.hint).toContain('application permission Mail.Send');
  });

  it('takes a token without permissions (401 NoPermissionsInAccessToken) as a permission failure', async () => {
    h.fake.interrupt('graph', {
      kind: 'status',
      status: 401,
      body: {
        error: {
          code: 'NoPermissionsInAccessToken',
          message: 'The token contains no permissions, or permissions can not be understood.',
        },
      },
    });
    const sent = await h.transport().send({ from: MAILBOX, to: MAILBOX, subject: 's', text: 't' });
    expect(sent).toMatchObject({
      ok: false,
      failure: {
        stage: 'permission',
        summary: 'The application may not use this mailbox: Microsoft Graph denied Mail.Send.',
      },
    });
  });

  it('reports an unknown mailbox at the mailbox stage', async () => {
    const sent = await h
      .transport({ emailAddress: 'gone@contoso.example' })
      .send({ from: 'gone@contoso.example', to: MAILBOX, subject: 's', text: 't' });
    expect(sent).toMatchObject({
      ok: false,
      failure: { stage: 'mailbox', signal: 'graph-mailbox-not-found' },
    });
  });

  it('reports a token failure in the service’s words', async () => {
    h.app.secretExpired = true;
    const sent = await h.transport().send({ from: MAILBOX, to: MAILBOX, subject: 's', text: 't' });
    expect(sent).toMatchObject({ ok: false, failure: { stage: 'auth', signal: 'aadsts7000222' } });
    expectNoSecrets(sent, h.fake);
  });
});

describe('Graph find code', () => {
  it('finds a code that is already there, reading subject, received time and headers only', async () => {
    h.fake.deliver(MAILBOX, 'Unrelated');
    const message = h.fake.deliver(MAILBOX, `RE: [EXTERNAL] ( ${CODE.toUpperCase()} )`);
    h.fake.deliver(MAILBOX, '(00000000-0000-4000-8000-000000000000)');
    const found = await h.transport().findCode(findRequest());
    expect(found).toMatchObject({
      found: true,
      subject: `RE: [EXTERNAL] ( ${CODE.toUpperCase()} )`,
      receivedAt: message.receivedDateTime,
      via: 'search',
    });
    const [list] = listRequests();
    expect(list?.query).toMatchObject({
      $select: 'subject,receivedDateTime,internetMessageHeaders',
      $orderby: 'receivedDateTime desc',
      $top: '50',
    });
    expect(list?.query.$search).toBeUndefined();
    expect(found).toMatchObject({ folder: 'inbox', folderName: 'Inbox' });
    expectNoSecrets(found, h.fake);
  });

  it("finds it in Junk Email too, with the receiving server's verdicts, saying where", async () => {
    h.fake.deliver(MAILBOX, `(${CODE})`, new Date(), {
      folder: 'junkemail',
      headers: [
        { name: 'Received', value: 'from mail.example.test' },
        {
          name: 'Authentication-Results',
          value:
            'spf=fail (sender IP is 192.0.2.1) smtp.mailfrom=example.test; dkim=none (message not signed) header.d=none;dmarc=fail action=none header.from=example.test;',
        },
      ],
    });
    const found = await h.transport().findCode(findRequest());
    expect(found).toMatchObject({
      found: true,
      folder: 'junk',
      folderName: 'Junk Email',
      authentication: { spf: 'fail', dkim: 'none', dmarc: 'fail' },
    });
    const lists = h.fake.graphRequests().filter((r) => r.path.endsWith('/messages'));
    expect(lists.map((request) => request.path)).toEqual([
      expect.stringMatching(/\/mailFolders\/inbox\/messages$/),
      expect.stringMatching(/\/mailFolders\/junkemail\/messages$/),
    ]);
    const missed = await h.transport().findCode({
      ...findRequest({ deadlineMs: 0 }),
      code: '00000000-0000-4000-8000-00000000abcd',
    });
    expect(missed).toMatchObject({ found: false, searched: ['Inbox', 'Junk Email'] });
  });

  it('looks back five minutes before the start time for clock skew, and no further', async () => {
    const since = new Date();
    h.fake.deliver(MAILBOX, `(${CODE})`, minutesAgo(6));
    const missed = await h.transport().findCode({ ...findRequest({ deadlineMs: 1000 }), since });
    expect(missed).toMatchObject({ found: false, failure: { signal: 'code-not-found' } });
    const filter = listRequests()[0]?.query.$filter ?? '';
    const from = Date.parse(filter.replace('receivedDateTime ge ', ''));
    expect(since.getTime() - from).toBe(5 * 60_000);

    h.fake.deliver(MAILBOX, `(${CODE})`, minutesAgo(4));
    const found = await h.transport().findCode({ ...findRequest(), since });
    expect(found.found).toBe(true);
  });

  it('finds a code that arrives while polling, backing off between polls', async () => {
    const started = Date.now();
    setTimeout(() => h.fake.deliver(MAILBOX, `(${CODE})`), 300);
    const found = await h.transport().findCode(findRequest({ deadlineMs: 5_000 }));
    expect(found).toMatchObject({ found: true, via: 'poll' });
    expect(Date.now() - started).toBeLessThan(2_500);
    const polls = listRequests().length;
    // 20, 40, 80, 80 ms... : about 6 polls in 300 ms, not one per millisecond.
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThan(12);
  });

  it('gives up at the deadline: code-not-found at the search stage', async () => {
    h.fake.deliver(MAILBOX, 'Something else');
    const started = Date.now();
    const result = await h.transport().findCode(findRequest({ deadlineMs: 400 }));
    expect(result).toMatchObject({
      found: false,
      failure: { stage: 'search', signal: 'code-not-found', transient: false },
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('pages with @odata.nextLink within bounds, and later polls stop at mail already checked', async () => {
    for (let i = 0; i < 120; i += 1) h.fake.deliver(MAILBOX, `Message ${i}`, minutesAgo(1));
    const result = await h
      .transport({}, { pageSize: 25, maxPages: 3, maxPollMs: 20 })
      .findCode(findRequest({ deadlineMs: 1500 }));
    expect(result.found).toBe(false);
    const lists = listRequests();
    // First poll: 3 pages of 25 (bounded, though 120 match); then one page per poll.
    expect(lists.slice(0, 3).map((r) => r.query.$skip)).toEqual([undefined, '25', '50']);
    expect(lists.slice(3).every((r) => r.query.$skip === undefined)).toBe(true);
    expect(lists.length).toBeGreaterThan(4);
  });

  it('finds the code on a later page', async () => {
    h.fake.deliver(MAILBOX, `(${CODE})`, minutesAgo(2));
    for (let i = 0; i < 60; i += 1) h.fake.deliver(MAILBOX, `Message ${i}`, minutesAgo(1));
    const found = await h.transport({}, { pageSize: 25 }).findCode(findRequest());
    expect(found).toMatchObject({ found: true, via: 'search' });
    expect(listRequests().map((r) => r.query.$skip)).toEqual([undefined, '25', '50']);
  });

  it('follows a nextLink on Graph’s own host through the configured base only', async () => {
    h.fake.nextLinkBase = 'https://graph.microsoft.com';
    h.fake.deliver(MAILBOX, `(${CODE})`, minutesAgo(2));
    for (let i = 0; i < 3; i += 1) h.fake.deliver(MAILBOX, `Message ${i}`, minutesAgo(1));
    const found = await h.transport({}, { pageSize: 2 }).findCode(findRequest());
    expect(found.found).toBe(true);
    expect(listRequests()).toHaveLength(2);
  });

  it('never runs two requests of one operation at once', async () => {
    for (let i = 0; i < 30; i += 1) h.fake.deliver(MAILBOX, `Message ${i}`, minutesAgo(1));
    h.app.roles.push('Mail.ReadWrite');
    setTimeout(() => h.fake.deliver(MAILBOX, `(${CODE})`), 100);
    const found = await h
      .transport({}, { pageSize: 5 })
      .findCode({ ...findRequest(), removeWhenFound: true });
    expect(found.found).toBe(true);
    expect(h.fake.maxInFlight).toBe(1);
  });

  it('removes the message when asked and allowed (Mail.ReadWrite)', async () => {
    h.app.roles = ['Mail.ReadWrite', 'Mail.Send'];
    const message = h.fake.deliver(MAILBOX, `(${CODE})`);
    const found = await h.transport().findCode({ ...findRequest(), removeWhenFound: true });
    expect(found.found).toBe(true);
    expect(h.fake.graphRequests().at(-1)).toMatchObject({
      method: 'DELETE',
      path: `/v1.0/users/actor1%40contoso.example/messages/${encodeURIComponent(message.id)}`,
    });
    expect(h.fake.mailboxes.get(MAILBOX)?.messages).toEqual([]);
  });

  it('still reports the code found when the clean-up is refused (no Mail.ReadWrite)', async () => {
    h.fake.deliver(MAILBOX, `(${CODE})`);
    const found = await h.transport().findCode({ ...findRequest(), removeWhenFound: true });
    expect(found).toMatchObject({ found: true, via: 'search' });
    expect(h.fake.graphRequests().at(-1)?.method).toBe('DELETE');
    expect(h.fake.mailboxes.get(MAILBOX)?.messages).toHaveLength(1);
  });

  it('names Mail.Read when the application may not read', async () => {
    h.app.roles = ['Mail.Send'];
    const result = await h.transport().findCode(findRequest());
    expect(result).toMatchObject({
      found: false,
      failure: {
        stage: 'permission',
        signal: 'graph-access-denied',
        summary: 'The application may not use this mailbox: Microsoft Graph denied Mail.Read.',
      },
    });
  });

  it('reports an unknown mailbox at the mailbox stage', async () => {
    const result = await h
      .transport({ emailAddress: 'gone@contoso.example' })
      .findCode(findRequest());
    expect(result).toMatchObject({
      found: false,
      failure: {
        stage: 'mailbox',
        signal: 'graph-mailbox-not-found',
        serverText: "ErrorInvalidUser: The requested user 'gone@contoso.example' is invalid.",
      },
    });
  });
});

describe('least privilege, as the find code reports it', () => {
  it.each([
    ['scoped by RBAC for Applications', [], true, 'denied'],
    ['granted Mail.Read tenant-wide', ['Mail.Read', 'Mail.Send'], false, 'readable'],
  ] as const)('an app %s', async (_, roles, scoped, canary) => {
    h.app.roles = [...roles];
    if (scoped) h.app.exchangeScoped = { roles: ['Mail.Read'], mailboxes: [MAILBOX] };
    h.fake.addMailbox('ceo@contoso.example');
    h.fake.deliver(MAILBOX, verificationSubject(CODE));
    const found = await h
      .transport({ canaryAddress: 'ceo@contoso.example' })
      .findCode(findRequest());
    expect(found).toMatchObject({
      found: true,
      access: { tenantWideRoles: roles, canary },
    });
  });

  it('does not check without a canary, and says what the token grants', async () => {
    h.fake.deliver(MAILBOX, verificationSubject(CODE));
    const found = await h.transport().findCode(findRequest());
    expect(found).toMatchObject({
      found: true,
      access: { tenantWideRoles: ['Mail.Read', 'Mail.Send'], canary: 'not_checked' },
    });
    expect(h.fake.requests.every((r) => r.mailbox === undefined || r.mailbox === MAILBOX)).toBe(
      true,
    );
  });
});
