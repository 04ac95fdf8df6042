// IMAP against real servers on loopback: Dovecot (PLAIN/LOGIN, IDLE and a no-IDLE listener) and
// Cyrus IMAP (NTLM), started by the mail-stack harness for this test run.
import { randomUUID } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { describe, expect, inject, it } from 'vitest';
import { deliver, fillMailbox, testMessage } from '@email-profiles/mail-stack';
import {
  activeHandles,
  closedPort,
  scriptedServer,
  settledHandles,
} from '@email-profiles/transport-net/testing';
import { findCodeImap } from './find.js';
import { probeImap } from './probe.js';
import type { ImapConfig } from './session.js';

const stack = inject('mailStack');
const dovecot = stack.dovecot!;
const cyrus = stack.cyrus!;
const [actor1, actor2] = dovecot.users;
const ntlmUser = cyrus.users[0]!;
const ca = { mode: 'ca', pem: stack.tls.caPem } as const;

const dovecotConfig = (overrides: Partial<ImapConfig> = {}): ImapConfig => ({
  host: '127.0.0.1',
  port: dovecot.ports.imap,
  encryption: 'starttls',
  tlsTrust: ca,
  authType: 'plain',
  username: actor1!.username,
  password: actor1!.password,
  ...overrides,
});
const cyrusConfig = (overrides: Partial<ImapConfig> = {}): ImapConfig => ({
  host: '127.0.0.1',
  port: cyrus.ports.imap,
  encryption: 'starttls',
  tlsTrust: ca,
  authType: 'ntlm',
  username: ntlmUser.username,
  password: ntlmUser.password,
  ...overrides,
});

const steps = (report: { steps: { name: string; status: string }[] }) =>
  report.steps.map((s) => `${s.name}:${s.status}`);

describe('IMAP probe against Dovecot and Cyrus', () => {
  const domainForm = `EXAMPLE\\${actor1!.username.split('@')[0] ?? ''}`;

  it.each<[string, Partial<ImapConfig>, string]>([
    ['Dovecot STARTTLS, PLAIN, user@domain', {}, 'PLAIN'],
    ['Dovecot STARTTLS, PLAIN, DOMAIN\\user', { username: domainForm }, 'PLAIN'],
    ['Dovecot SSL/TLS, PLAIN', { port: dovecot.ports.imaps, encryption: 'ssl' }, 'PLAIN'],
    [
      'Dovecot SSL/TLS, DOMAIN\\user',
      { port: dovecot.ports.imaps, encryption: 'ssl', username: domainForm },
      'PLAIN',
    ],
    ['Dovecot encryption Off, PLAIN', { encryption: 'off' }, 'PLAIN'],
  ])('%s', async (_, overrides, mechanism) => {
    const report = await probeImap(dovecotConfig(overrides));
    expect(report.failure).toBeUndefined();
    expect(report.steps.find((s) => s.name === 'auth')?.facts?.mechanism).toBe(mechanism);
    expect(report.steps.find((s) => s.name === 'mailbox')?.summary).toMatch(
      /^INBOX opened read-only/,
    );
    expect(report.steps.find((s) => s.name === 'greeting')?.greeting?.capabilities).toContain(
      'IDLE',
    );
  });

  it.each<[string, Partial<ImapConfig>]>([
    ['Cyrus STARTTLS, NTLM', {}],
    ['Cyrus STARTTLS, NTLM as DOMAIN\\user', { username: `EXAMPLE\\${ntlmUser.username}` }],
    ['Cyrus SSL/TLS, NTLM', { port: cyrus.ports.imaps, encryption: 'ssl' }],
    ['Cyrus encryption Off, NTLM', { encryption: 'off' }],
    ['Cyrus STARTTLS, PLAIN', { authType: 'plain' }],
  ])('%s', async (_, overrides) => {
    const report = await probeImap(cyrusConfig(overrides));
    expect(report.failure).toBeUndefined();
    expect(steps(report)).toContain('auth:ok');
    expect(steps(report)).toContain('mailbox:ok');
  });

  it('reports every step with timings for a working STARTTLS connection', async () => {
    const seen: string[] = [];
    const report = await probeImap(dovecotConfig(), { onStep: (step) => seen.push(step.name) });
    expect(steps(report)).toEqual([
      'dns:ok',
      'tcp:ok',
      'tls:skipped',
      'greeting:ok',
      'starttls:ok',
      'auth:ok',
      'mailbox:ok',
    ]);
    expect(seen).toEqual(report.steps.map((s) => s.name));
    expect(report.steps.find((s) => s.name === 'starttls')?.tls).toMatchObject({
      chainTrusted: true,
      hostnameMatches: true,
    });
  });

  it.each<[string, Partial<ImapConfig>, Record<string, unknown>]>([
    [
      'wrong password (Dovecot)',
      { password: 'wrong' },
      { stage: 'auth', signal: 'imap-authentication-failed' },
    ],
    ['wrong password (Cyrus NTLM)', { password: 'wrong' }, { stage: 'auth' }],
    [
      'bare username without domain',
      { username: 'nobody' },
      { stage: 'auth', signal: 'imap-authentication-failed' },
    ],
    [
      'NTLM where the server has none',
      { authType: 'ntlm' },
      { stage: 'auth', signal: 'auth-mechanism-not-offered' },
    ],
    [
      'SSL/TLS against the STARTTLS port',
      { encryption: 'ssl' },
      { stage: 'tls', signal: 'tls-wrong-version' },
    ],
    [
      'the system CAs only (private CA)',
      { tlsTrust: { mode: 'system' } },
      { stage: 'tls', signal: 'tls-untrusted' },
    ],
  ])('%s', async (name, overrides, expected) => {
    const base = name.includes('Cyrus') ? cyrusConfig : dovecotConfig;
    const report = await probeImap(base(overrides));
    expect(report.failure).toMatchObject(expected);
  });

  it('STARTTLS against the SSL/TLS port: no greeting, with a hint to choose SSL/TLS', async () => {
    const report = await probeImap(dovecotConfig({ port: dovecot.ports.imaps }), {
      timeouts: { greetingMs: 500 },
    });
    expect(report.failure).toMatchObject({
      stage: 'greeting',
      signal: 'greeting-timeout',
      hint: expect.stringContaining('choose SSL/TLS'),
    });
  });

  it('accepts the server by its pinned certificate alone', async () => {
    const report = await probeImap(
      dovecotConfig({
        port: dovecot.ports.imaps,
        encryption: 'ssl',
        tlsTrust: { mode: 'fingerprint', sha256: stack.tls.fingerprintSha256 },
      }),
    );
    expect(report.ok).toBe(true);
  });

  it('refuses expired and mismatched certificates', async () => {
    for (const [cert, signal] of [
      [stack.tls.expired, 'tls-expired'],
      [stack.tls.wrongHost, 'tls-hostname-mismatch'],
    ] as const) {
      const server = await scriptedServer((socket) => {
        socket.write('* OK ready\r\n');
      }, cert);
      const report = await probeImap(dovecotConfig({ port: server.port, encryption: 'ssl' }));
      await server.close();
      expect(report.failure).toMatchObject({ stage: 'tls', signal });
    }
  });

  it('a closed port and a silent port', async () => {
    expect((await probeImap(dovecotConfig({ port: await closedPort() }))).failure).toMatchObject({
      stage: 'tcp',
      signal: 'tcp-refused',
    });
    const silent = await scriptedServer(() => undefined);
    const report = await probeImap(dovecotConfig({ port: silent.port }), {
      timeouts: { greetingMs: 300 },
    });
    await silent.close();
    expect(report.failure).toMatchObject({ stage: 'greeting', signal: 'greeting-timeout' });
  });
});

describe('IMAP find code', () => {
  const window = (ms: number) => ({
    since: new Date(Date.now() - 1000),
    deadline: new Date(Date.now() + ms),
  });

  it('finds a code sent before the search starts, reading headers only', async () => {
    const code = randomUUID();
    await deliver(stack, actor1!.address, testMessage(actor1!.address, `RE: (${code})`));
    const result = await findCodeImap(dovecotConfig(), { code, ...window(10_000) });
    expect(result).toMatchObject({ found: true, via: 'search', subject: `RE: (${code})` });
  });

  it('finds a code that arrives while it waits in IDLE', async () => {
    const code = randomUUID();
    const finding = findCodeImap(dovecotConfig({ port: dovecot.ports.imaps, encryption: 'ssl' }), {
      code,
      ...window(15_000),
    });
    setTimeout(
      () => void deliver(stack, actor1!.address, testMessage(actor1!.address, `(${code})`)),
      700,
    );
    expect(await finding).toMatchObject({ found: true, via: 'idle' });
  });

  it('polls with NOOP where the server has no IDLE', async () => {
    const code = randomUUID();
    const finding = findCodeImap(
      dovecotConfig({ port: dovecot.ports.imapNoIdle, encryption: 'starttls' }),
      { code, ...window(15_000) },
      { pollMs: 200 },
    );
    setTimeout(
      () => void deliver(stack, actor1!.address, testMessage(actor1!.address, `(${code})`)),
      500,
    );
    expect(await finding).toMatchObject({ found: true, via: 'poll' });
  });

  it("does not take another actor's code, and reports a missing code at the search stage", async () => {
    const mine = randomUUID();
    await deliver(stack, actor2!.address, testMessage(actor2!.address, `(${randomUUID()})`));
    const started = Date.now();
    const result = await findCodeImap(
      dovecotConfig({ username: actor2!.username, password: actor2!.password }),
      { code: mine, ...window(1500) },
    );
    expect(Date.now() - started).toBeLessThan(4000);
    expect(result).toMatchObject({
      found: false,
      failure: {
        stage: 'search',
        signal: 'code-not-found',
        hint: expect.stringMatching(/Spam\/Junk/),
      },
    });
  });

  it("says where it landed: the Inbox, and the receiving server's SPF/DKIM/DMARC verdicts", async () => {
    const code = randomUUID();
    const raw = [
      'Authentication-Results: mx.example.test; spf=pass (sender SPF authorized) smtp.mailfrom=director@example.test;',
      '\tdkim=fail (signature did not verify) header.d=example.test; dmarc=fail (p=none) header.from=example.test',
      'Authentication-Results: forged.example; spf=fail; dkim=pass; dmarc=pass',
      testMessage(actor1!.address, `(${code})`),
    ].join('\r\n');
    await deliver(stack, actor1!.address, raw);
    const result = await findCodeImap(dovecotConfig(), { code, ...window(10_000) });
    expect(result).toMatchObject({
      found: true,
      folder: 'inbox',
      folderName: 'INBOX',
      // The top header is the receiving server's: one lower down does not override it.
      authentication: { spf: 'pass', dkim: 'fail', dmarc: 'fail' },
    });
  });

  it('finds it in the \\Junk folder too, saying so', async () => {
    const code = randomUUID();
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: dovecot.ports.imaps,
      secure: true,
      tls: { ca: stack.tls.caPem },
      auth: { user: actor1!.username, pass: actor1!.password },
      logger: false,
    });
    await client.connect();
    await client.append('Junk', testMessage(actor1!.address, `(${code})`));
    await client.logout();
    const result = await findCodeImap(dovecotConfig(), { code, ...window(10_000) });
    expect(result).toMatchObject({ found: true, folder: 'junk', folderName: 'Junk' });
  });

  it('names the folders it searched when the code is not there', async () => {
    const result = await findCodeImap(dovecotConfig(), { code: randomUUID(), ...window(1500) });
    expect(result).toMatchObject({ found: false, searched: ['INBOX', 'Junk'] });
  });

  it('finds a code buried under more new mail than the newest-50 window (gallop and bisect)', async () => {
    const code = randomUUID();
    await deliver(stack, actor2!.address, testMessage(actor2!.address, `(${code})`));
    await fillMailbox(stack, actor2!.address, 120, { subjectPrefix: 'Newer mail' });
    const result = await findCodeImap(
      dovecotConfig({ username: actor2!.username, password: actor2!.password }),
      { code, ...window(10_000) },
    );
    expect(result).toMatchObject({ found: true, via: 'search' });
  });

  it('finds a code over NTLM on Cyrus', async () => {
    const code = randomUUID();
    await deliver(stack, ntlmUser.address, testMessage(ntlmUser.address, `(${code})`));
    expect(await findCodeImap(cyrusConfig(), { code, ...window(10_000) })).toMatchObject({
      found: true,
    });
  });

  it('removes the message when asked, and only then', async () => {
    const code = randomUUID();
    await deliver(stack, actor1!.address, testMessage(actor1!.address, `(${code})`));
    expect(await findCodeImap(dovecotConfig(), { code, ...window(5000) })).toMatchObject({
      found: true,
    });
    expect(
      await findCodeImap(dovecotConfig(), { code, ...window(5000), removeWhenFound: true }),
    ).toMatchObject({ found: true });
    expect(await findCodeImap(dovecotConfig(), { code, ...window(800) })).toMatchObject({
      found: false,
    });
  });

  it('stops promptly on abort and leaves nothing behind', async () => {
    const before = activeHandles();
    const controller = new AbortController();
    const finding = findCodeImap(
      dovecotConfig(),
      { code: randomUUID(), ...window(30_000) },
      { signal: controller.signal },
    );
    setTimeout(() => {
      controller.abort(new Error('cancelled by the user'));
    }, 500);
    const started = Date.now();
    expect(await finding).toMatchObject({ found: false, failure: { signal: 'aborted' } });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await settledHandles(before)).toEqual({});
  });
});
