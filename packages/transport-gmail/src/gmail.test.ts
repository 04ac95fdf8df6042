// The Gmail transport against a local fake of Google (token endpoint and Gmail API on 127.0.0.1)
// that checks every request it receives.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeEncodedWords,
  type Failure,
  type MailboxTransport,
  type Secret,
} from '@email-profiles/core';
import { activeHandles, closedPort, settledHandles } from '@email-profiles/transport-net/testing';
import {
  apiError,
  fakeMessage,
  googleErrors,
  oauthError,
  startFakeGoogle,
  type FakeGoogle,
  type Route,
  type Scripted,
} from './fake-google.js';
import { createGmailTransport, type GmailConfig, type GmailTuning } from './index.js';

let fake: FakeGoogle;
let failures: Failure[] = [];

const tuning: Partial<GmailTuning> = {
  requestTimeoutMs: 10_000,
  retry: { retries: 2, baseDelayMs: 20, maxDelayMs: 1_000 },
  firstPollMs: 50,
  maxPollMs: 200,
};

function config(overrides: Partial<GmailConfig> = {}): GmailConfig {
  return {
    clientId: fake.state.clientId,
    clientSecret: fake.state.clientSecret as Secret,
    refreshToken: fake.state.refreshToken as Secret,
    emailAddress: fake.state.account,
    endpoints: fake.endpoints,
    ...overrides,
  };
}

function transport(
  overrides: Partial<GmailConfig> = {},
  more: Partial<GmailTuning> = {},
): MailboxTransport {
  return createGmailTransport(config(overrides), { ...tuning, ...more });
}

/** Every failure a test produced, checked for secrets after the test. */
function seen<T extends object>(result: T): T {
  const { failure } = result as { failure?: Failure };
  if (failure) failures.push(failure);
  return result;
}

const routes = () => fake.requests.map((r) => r.route);

beforeAll(async () => {
  fake = await startFakeGoogle();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  failures = [];
});
afterEach(() => {
  expect(fake.violations).toEqual([]);
  const secrets = [fake.state.clientSecret, fake.state.refreshToken, ...fake.issuedTokens];
  for (const failure of failures) {
    const text = JSON.stringify(failure);
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
});

describe('probe', () => {
  it('refreshes the token, opens the mailbox and checks permissions', async () => {
    fake.state.messages.push(fakeMessage('hello'), fakeMessage('world'));
    const before = activeHandles();
    const steps: string[] = [];
    const report = await transport().probe({ onStep: (step) => steps.push(step.name) });
    expect(report.failure).toBeUndefined();
    expect(steps).toEqual(['token', 'mailbox', 'permission']);
    expect(report.steps[1]).toMatchObject({
      status: 'ok',
      facts: { emailAddress: fake.state.account, messagesTotal: 2 },
    });
    expect(report.steps[0]?.facts?.scopes).toContain('gmail.readonly');
    expect(routes()).toEqual(['token', 'profile', 'labels']);
    expect(fake.requests[0]?.form).toEqual({
      grant_type: 'refresh_token',
      refresh_token: fake.state.refreshToken,
      client_id: fake.state.clientId,
      client_secret: fake.state.clientSecret,
    });
    expect(fake.requests[1]?.authorization).toBe(`Bearer ${fake.issuedTokens[0] ?? ''}`);
    expect(await settledHandles(before)).toEqual({});
  });

  it('accepts the address in another case', async () => {
    const report = await transport({ emailAddress: 'MailBox@Example.TEST' }).probe();
    expect(report.ok).toBe(true);
  });

  it('fails at the mailbox step when the consent was for another account', async () => {
    fake.state.account = 'someone.else@example.test';
    const report = seen(await transport({ emailAddress: 'mailbox@example.test' }).probe());
    expect(report.failure).toMatchObject({ stage: 'consent', signal: 'google-account-mismatch' });
    expect(report.failure?.serverText).toContain('someone.else@example.test');
    expect(report.failure?.hint).toMatch(/Authorise with Google/);
    expect(report.steps.at(-1)).toMatchObject({
      name: 'mailbox',
      status: 'failed',
      facts: { emailAddress: 'someone.else@example.test' },
    });
  });

  it('fails at the permission step when sending was not granted', async () => {
    fake.state.scope = 'https://www.googleapis.com/auth/gmail.readonly';
    const report = seen(await transport().probe());
    expect(report.failure).toMatchObject({ stage: 'consent', signal: 'google-insufficient-scope' });
    expect(report.failure?.serverText).toContain('gmail.send');
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['token', 'ok'],
      ['mailbox', 'ok'],
      ['permission', 'failed'],
    ]);
  });

  it('accepts broader Gmail scopes', async () => {
    fake.state.scope = 'https://mail.google.com/';
    expect((await transport().probe()).ok).toBe(true);
  });

  it.each<[string, Route, Scripted, Record<string, unknown>, RegExp]>([
    [
      'a revoked or expired consent',
      'token',
      { status: 400, json: googleErrors.invalidGrant },
      { stage: 'consent', signal: 'google-invalid-grant' },
      /^invalid_grant: Token has been expired or revoked\.$/,
    ],
    [
      'an unknown client',
      'token',
      { status: 401, json: googleErrors.invalidClient },
      { stage: 'auth', signal: 'google-invalid-client' },
      /^invalid_client: The OAuth client was not found\.$/,
    ],
    [
      'an unauthorised client',
      'token',
      { status: 401, json: googleErrors.unauthorizedClient },
      { stage: 'auth', signal: 'google-invalid-client' },
      /^unauthorized_client: Unauthorized$/,
    ],
    [
      'missing scopes',
      'profile',
      { status: 403, json: googleErrors.insufficientScope },
      { stage: 'consent', signal: 'google-insufficient-scope' },
      /^PERMISSION_DENIED \(ACCESS_TOKEN_SCOPE_INSUFFICIENT, insufficientPermissions\): Request had insufficient authentication scopes\.$/,
    ],
    [
      'the Gmail API not enabled for the project',
      'profile',
      { status: 403, json: googleErrors.serviceDisabled },
      { stage: 'config', signal: 'google-api-disabled' },
      /^PERMISSION_DENIED \(SERVICE_DISABLED, accessNotConfigured\): Gmail API has not been used in project 123456789012/,
    ],
    [
      'no such user',
      'profile',
      { status: 404, json: googleErrors.notFound },
      { stage: 'mailbox', signal: 'google-mailbox-not-found' },
      /^NOT_FOUND \(notFound\): Requested entity was not found\.$/,
    ],
    [
      'an account without Gmail',
      'profile',
      { status: 400, json: googleErrors.mailServiceNotEnabled },
      { stage: 'mailbox', signal: 'google-mailbox-not-found' },
      /Mail service not enabled/,
    ],
    [
      'label listing refused',
      'labels',
      { status: 403, json: googleErrors.insufficientScope },
      { stage: 'consent', signal: 'google-insufficient-scope' },
      /insufficient authentication scopes/,
    ],
  ])('maps %s', async (_, route, answer, expected, serverText) => {
    fake.script(route, answer);
    const report = seen(await transport().probe());
    expect(report.failure).toMatchObject({ ...expected, transient: false });
    expect(report.failure?.serverText).toMatch(serverText);
  });

  it('reports a wrong client secret from the fake as invalid_client', async () => {
    const report = seen(await transport({ clientSecret: 'GOCSPX-wrong' as Secret }).probe());
    expect(report.failure).toMatchObject({ signal: 'google-invalid-client' });
  });

  it('retries throttling as Retry-After says, then succeeds', async () => {
    fake.script(
      'profile',
      { status: 429, json: googleErrors.rateLimited, headers: { 'retry-after': '0' } },
      { status: 403, json: googleErrors.userRateLimited },
    );
    const report = await transport().probe();
    expect(report.ok).toBe(true);
    expect(routes()).toEqual(['token', 'profile', 'profile', 'profile', 'labels']);
  });

  it('gives up after the bounded number of retries with a throttled failure', async () => {
    const throttled: Scripted = {
      status: 429,
      json: googleErrors.rateLimited,
      headers: { 'retry-after': '0' },
    };
    fake.script('labels', throttled, throttled, throttled, throttled);
    const report = seen(await transport().probe());
    expect(report.failure).toMatchObject({
      stage: 'throttled',
      signal: 'throttled',
      transient: true,
    });
    expect(report.failure?.serverText).toMatch(/rateLimitExceeded/);
    expect(routes().filter((r) => r === 'labels')).toHaveLength(3);
  });

  it('does not wait for a Retry-After beyond the policy', async () => {
    fake.script('token', {
      status: 429,
      json: oauthError('rate_limit_exceeded', 'Slow down'),
      headers: { 'retry-after': '3600' },
    });
    const started = Date.now();
    const report = seen(await transport().probe());
    expect(report.failure).toMatchObject({ signal: 'throttled' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('times out a response that never comes and leaves nothing behind', async () => {
    const before = activeHandles();
    fake.script('profile', { hang: true });
    const report = seen(await transport({}, { requestTimeoutMs: 200 }).probe());
    expect(report.failure).toMatchObject({
      stage: 'timeout',
      serverText: 'No answer within 0.2 s',
    });
    expect(report.steps.at(-1)).toMatchObject({ name: 'mailbox', status: 'failed' });
    expect(await settledHandles(before)).toEqual({});
  });

  it('bounds a token refresh that never answers too', async () => {
    fake.script('token', { hang: true });
    const report = seen(await transport({}, { requestTimeoutMs: 200 }).probe());
    expect(report.failure).toMatchObject({ stage: 'timeout' });
    expect(report.steps[0]).toMatchObject({ name: 'token', status: 'failed' });
  });

  it.each<[string, Route]>([
    ['token', 'token'],
    ['profile', 'profile'],
  ])('refuses a malformed JSON %s response', async (_, route) => {
    fake.script(route, { status: 200, raw: '{"emailAddress": "mailbox@exa' });
    const report = seen(await transport().probe());
    expect(report.failure).toMatchObject({ signal: 'protocol-violation' });
    expect(report.failure?.serverText).toMatch(/not a JSON object/);
  });

  it.each([false, true])(
    'refuses a response larger than the bound (chunked: %s)',
    async (chunked) => {
      const before = activeHandles();
      fake.script('labels', { status: 200, raw: `{"labels":"${'x'.repeat(300_000)}"}`, chunked });
      const report = seen(await transport({}, { maxResponseBytes: 100_000 }).probe());
      expect(report.failure).toMatchObject({ stage: 'permission', signal: 'response-too-large' });
      expect(await settledHandles(before)).toEqual({});
    },
  );

  it('keeps the words of an error body that is not JSON, bounded', async () => {
    fake.script('profile', {
      status: 502,
      raw: `<html><body>Bad gateway ${'y'.repeat(5000)}</body></html>`,
      contentType: 'text/html',
    });
    const report = seen(await transport().probe());
    expect(report.failure?.stage).toBe('mailbox');
    expect(report.failure?.serverText?.startsWith('<html><body>Bad gateway')).toBe(true);
    expect(report.failure?.serverText?.length).toBeLessThanOrEqual(300);
  });

  it('stops promptly on abort', async () => {
    const before = activeHandles();
    fake.script('labels', { hang: true });
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 100);
    const report = seen(await transport().probe({ signal: controller.signal }));
    expect(report.failure).toMatchObject({ signal: 'aborted' });
    expect(await settledHandles(before)).toEqual({});
  });

  it('reports a closed port as a refused connection', async () => {
    const port = await closedPort();
    const report = seen(
      await transport({
        endpoints: { ...fake.endpoints, token: `http://127.0.0.1:${port}/token` },
      }).probe(),
    );
    expect(report.failure).toMatchObject({ stage: 'tcp', signal: 'tcp-refused' });
  });

  it('keeps secrets out of failures even when Google quotes them', async () => {
    fake.script('token', {
      status: 400,
      json: oauthError(
        'invalid_request',
        `refresh_token ${fake.state.refreshToken} or secret ${fake.state.clientSecret} is malformed`,
      ),
    });
    const report = seen(await transport().probe());
    expect(report.failure?.serverText).toBe(
      'invalid_request: refresh_token [redacted] or secret [redacted] is malformed',
    );
  });
});

describe('send', () => {
  const message = (subject: string, text = 'Verification.\nSecond line.') => ({
    from: 'ignored@example.test',
    fromName: 'Email Profiles',
    to: 'recipient@example.test',
    subject,
    text,
  });

  function sentHeaders(): Record<string, string> {
    const raw = fake.state.sent[0] ?? '';
    const [head = ''] = raw.split('\r\n\r\n');
    const unfolded = head.replace(/\r\n /g, ' ');
    return Object.fromEntries(
      unfolded.split('\r\n').map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
      }),
    );
  }

  it('sends the raw message as the profile and returns the Gmail id', async () => {
    const before = activeHandles();
    const code = randomUUID();
    const result = await transport().send(message(`(${code})`));
    expect(result).toMatchObject({
      ok: true,
      response: expect.stringMatching(/^Gmail accepted the message \(id [0-9a-f]+\)$/),
      messageId: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(routes()).toEqual(['token', 'send']);
    const headers = sentHeaders();
    expect(headers).toMatchObject({
      from: `"Email Profiles" <${fake.state.account}>`,
      to: 'recipient@example.test',
      subject: `(${code})`,
      'mime-version': '1.0',
      'content-type': 'text/plain; charset=UTF-8',
      'content-transfer-encoding': 'base64',
    });
    expect(headers['message-id']).toMatch(/^<[0-9a-f-]{36}@example\.test>$/);
    expect(Date.parse(headers.date ?? '')).toBeGreaterThan(Date.now() - 60_000);
    const body = (fake.state.sent[0] ?? '').split('\r\n\r\n')[1] ?? '';
    expect(Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString()).toBe(
      'Verification.\r\nSecond line.',
    );
    expect(await settledHandles(before)).toEqual({});
  });

  it('encodes a subject that is not ASCII per RFC 2047', async () => {
    const subject = `Überprüfung ✓ ${'ü'.repeat(40)} (${randomUUID()})`;
    expect((await transport().send(message(subject))).ok).toBe(true);
    const encoded = sentHeaders().subject ?? '';
    expect(encoded).toMatch(/^=\?UTF-8\?B\?/);
    expect(decodeEncodedWords(encoded)).toBe(subject);
  });

  it('refuses header injection', async () => {
    const result = seen(await transport().send(message('x\r\nBcc: victim@example.test')));
    expect(result).toMatchObject({
      ok: false,
      failure: { stage: 'config', signal: 'unsafe-setting' },
    });
    expect(fake.requests).toEqual([]);
  });

  it.each<[string, Route, Scripted, Record<string, unknown>]>([
    [
      'a revoked consent',
      'token',
      { status: 400, json: googleErrors.invalidGrant },
      { stage: 'consent', signal: 'google-invalid-grant' },
    ],
    [
      'missing send scope',
      'send',
      { status: 403, json: googleErrors.insufficientScope },
      { stage: 'consent', signal: 'google-insufficient-scope' },
    ],
    [
      'a rejected message',
      'send',
      {
        status: 400,
        json: apiError(400, 'INVALID_ARGUMENT', 'Invalid To header', 'invalidArgument'),
      },
      { stage: 'send', serverText: 'INVALID_ARGUMENT (invalidArgument): Invalid To header' },
    ],
  ])('maps %s', async (_, route, answer, expected) => {
    fake.script(route, answer);
    expect(seen(await transport().send(message('(x)')))).toMatchObject({
      ok: false,
      failure: expected,
    });
  });

  it('retries a throttled send, then reports throttling', async () => {
    const throttled: Scripted = {
      status: 429,
      json: googleErrors.rateLimited,
      headers: { 'retry-after': '0' },
    };
    fake.script('send', throttled);
    expect((await transport().send(message('(x)'))).ok).toBe(true);
    fake.script('send', throttled, throttled, throttled);
    expect(seen(await transport().send(message('(x)')))).toMatchObject({
      ok: false,
      failure: { stage: 'throttled', signal: 'throttled' },
    });
  });
});

describe('find code', () => {
  const window = (ms: number) => ({
    since: new Date(Date.now() - 1000),
    deadline: new Date(Date.now() + ms),
  });

  it('finds a code already in the inbox, reading the Subject and Authentication-Results headers only', async () => {
    const before = activeHandles();
    const code = randomUUID();
    fake.state.messages.push(fakeMessage('other'), fakeMessage(`RE: (${code})`, 500));
    const result = await transport().findCode({ code, ...window(5000) });
    expect(result).toMatchObject({ found: true, via: 'search', subject: `RE: (${code})` });
    if (result.found) expect(Date.parse(result.receivedAt ?? '')).toBeLessThan(Date.now());
    expect(routes()).toEqual(['token', 'list', 'get']);
    const [, list, get] = fake.requests;
    expect(list?.query.q?.[0]).toMatch(
      new RegExp(`^\\{in:inbox in:spam\\} subject:"${code}" after:\\d+$`),
    );
    expect(list?.query.includeSpamTrash).toEqual(['true']);
    const after = Number(/after:(\d+)/.exec(list?.query.q?.[0] ?? '')?.[1]);
    expect(Math.abs(after - Math.floor((Date.now() - 1000 - 300_000) / 1000))).toBeLessThan(5);
    expect(get?.query).toMatchObject({
      format: ['metadata'],
      metadataHeaders: ['Subject', 'Authentication-Results'],
    });
    expect(result).toMatchObject({ folder: 'inbox', folderName: 'Inbox' });
    expect(await settledHandles(before)).toEqual({});
  });

  it('finds a code that arrives while it polls', async () => {
    const code = randomUUID();
    const finding = transport().findCode({ code, ...window(5000) });
    setTimeout(() => fake.state.messages.push(fakeMessage(`(${code})`)), 300);
    expect(await finding).toMatchObject({ found: true, via: 'poll' });
    expect(routes().filter((r) => r === 'token')).toHaveLength(1);
    expect(routes().filter((r) => r === 'list').length).toBeGreaterThan(2);
  });

  it('confirms the code in the subject itself, looking at each message once', async () => {
    const code = randomUUID();
    fake.state.listEverything = true;
    fake.state.messages.push(fakeMessage(`(${randomUUID()})`), fakeMessage(`${code} no parens`));
    const result = seen(
      await transport().findCode({
        code,
        since: new Date(),
        deadline: new Date(Date.now() + 2000),
      }),
    );
    expect(result).toMatchObject({
      found: false,
      failure: { stage: 'search', signal: 'code-not-found' },
    });
    expect(routes().filter((r) => r === 'get')).toHaveLength(2);
  });

  it("finds it in Spam too, saying so, with the receiving server's verdicts", async () => {
    const code = randomUUID();
    fake.state.messages.push({
      ...fakeMessage(`(${code})`, 0, ['SPAM']),
      authenticationResults: [
        'mx.google.com; spf=neutral (google.com: …) smtp.mailfrom=x; dmarc=fail',
      ],
    });
    expect(await transport().findCode({ code, ...window(2000) })).toMatchObject({
      found: true,
      folder: 'junk',
      folderName: 'Spam',
      authentication: { spf: 'neutral', dmarc: 'fail' },
    });
  });

  it('does not count mail older than the start time, and says where it looked', async () => {
    const code = randomUUID();
    fake.state.messages.push(fakeMessage(`(${code})`, 3_600_000));
    expect(seen(await transport().findCode({ code, ...window(500) }))).toMatchObject({
      found: false,
      searched: ['Inbox', 'Spam'],
      failure: { signal: 'code-not-found' },
    });
  });

  it('skips a message deleted between the search and reading it', async () => {
    const code = randomUUID();
    fake.state.messages.push(fakeMessage(`(${code})`));
    fake.script('get', { status: 404, json: googleErrors.notFound });
    const finding = transport().findCode({ code, ...window(600) });
    expect(seen(await finding)).toMatchObject({ found: false });
  });

  it.each<[string, Route, Scripted, Record<string, unknown>]>([
    [
      'a revoked consent',
      'token',
      { status: 400, json: googleErrors.invalidGrant },
      { stage: 'consent', signal: 'google-invalid-grant' },
    ],
    [
      'missing read scope',
      'list',
      { status: 403, json: googleErrors.insufficientScope },
      { stage: 'consent', signal: 'google-insufficient-scope' },
    ],
    [
      'the API disabled',
      'list',
      { status: 403, json: googleErrors.serviceDisabled },
      { stage: 'config', signal: 'google-api-disabled' },
    ],
    [
      'a malformed search answer',
      'list',
      { status: 200, raw: '{"messages": [' },
      { stage: 'search', signal: 'protocol-violation' },
    ],
  ])('maps %s', async (_, route, answer, expected) => {
    fake.script(route, answer);
    expect(seen(await transport().findCode({ code: randomUUID(), ...window(3000) }))).toMatchObject(
      { found: false, failure: expected },
    );
  });

  it('rides out throttling while polling', async () => {
    const code = randomUUID();
    fake.state.messages.push(fakeMessage(`(${code})`));
    fake.script('list', {
      status: 429,
      json: googleErrors.rateLimited,
      headers: { 'retry-after': '0' },
    });
    expect(await transport().findCode({ code, ...window(3000) })).toMatchObject({
      found: true,
    });
  });

  it('a single request timing out is not "not found"', async () => {
    fake.script('list', { hang: true });
    const result = seen(
      await transport({}, { requestTimeoutMs: 200 }).findCode({
        code: randomUUID(),
        ...window(5000),
      }),
    );
    expect(result).toMatchObject({ found: false, failure: { stage: 'timeout' } });
    if (!result.found) expect(result.failure.signal).toBeUndefined();
  });

  it('ends at the deadline even inside a slow request', async () => {
    const before = activeHandles();
    fake.script('list', { hang: true });
    const started = Date.now();
    const result = seen(await transport().findCode({ code: randomUUID(), ...window(300) }));
    expect(result).toMatchObject({ found: false, failure: { signal: 'code-not-found' } });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await settledHandles(before)).toEqual({});
  });

  it('stops promptly on abort and leaves nothing behind', async () => {
    const before = activeHandles();
    const controller = new AbortController();
    const finding = transport().findCode(
      { code: randomUUID(), ...window(30_000) },
      { signal: controller.signal },
    );
    setTimeout(() => {
      controller.abort();
    }, 300);
    expect(seen(await finding)).toMatchObject({ found: false, failure: { signal: 'aborted' } });
    expect(await settledHandles(before)).toEqual({});
  });

  it('finds the message it sent to itself', async () => {
    const code = randomUUID();
    const gmail = transport();
    expect(
      (await gmail.send({ from: '', to: fake.state.account, subject: `(${code})`, text: 'x' })).ok,
    ).toBe(true);
    const raw = fake.state.sent[0] ?? '';
    const subject = /^Subject: (.*)$/m.exec(raw)?.[1] ?? '';
    fake.state.messages.push(fakeMessage(subject));
    expect(await gmail.findCode({ code, ...window(3000) })).toMatchObject({ found: true });
  });
});
