// POP3 against real servers on loopback: Dovecot (USER/PASS and SASL PLAIN) and Cyrus (NTLM).
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { deliver, testMessage } from '@email-profiles/mail-stack';
import { activeHandles, closedPort, settledHandles } from '@email-profiles/transport-net/testing';
import { findCodePop3 } from './find.js';
import { probePop3 } from './probe.js';
import type { Pop3Config } from './session.js';

const stack = inject('mailStack');
const dovecot = stack.dovecot!;
const cyrus = stack.cyrus!;
const [actor1, actor2] = dovecot.users;
const ntlmUser = cyrus.users[0]!;
const ca = { mode: 'ca', pem: stack.tls.caPem } as const;

const dovecotConfig = (overrides: Partial<Pop3Config> = {}): Pop3Config => ({
  host: '127.0.0.1',
  port: dovecot.ports.pop3,
  encryption: 'starttls',
  tlsTrust: ca,
  authType: 'plain',
  username: actor1!.username,
  password: actor1!.password,
  ...overrides,
});
const cyrusConfig = (overrides: Partial<Pop3Config> = {}): Pop3Config => ({
  host: '127.0.0.1',
  port: cyrus.ports.pop3,
  encryption: 'starttls',
  tlsTrust: ca,
  authType: 'ntlm',
  username: ntlmUser.username,
  password: ntlmUser.password,
  ...overrides,
});

describe('POP3 probe against Dovecot and Cyrus', () => {
  const domainForm = `EXAMPLE\\${actor1!.username.split('@')[0] ?? ''}`;

  it.each<[string, Partial<Pop3Config>]>([
    ['Dovecot STLS, PLAIN', {}],
    ['Dovecot STLS, DOMAIN\\user', { username: domainForm }],
    ['Dovecot SSL/TLS', { port: dovecot.ports.pop3s, encryption: 'ssl' }],
    ['Dovecot encryption Off', { encryption: 'off' }],
  ])('%s', async (_, overrides) => {
    const report = await probePop3(dovecotConfig(overrides));
    expect(report.failure).toBeUndefined();
    expect(report.steps.map((s) => s.name)).toEqual([
      'dns',
      'tcp',
      'tls',
      'greeting',
      'starttls',
      'auth',
      'mailbox',
    ]);
  });

  it.each<[string, Partial<Pop3Config>]>([
    ['Cyrus STLS, NTLM', {}],
    ['Cyrus STLS, NTLM as DOMAIN\\user', { username: `EXAMPLE\\${ntlmUser.username}` }],
    ['Cyrus SSL/TLS, NTLM', { port: cyrus.ports.pop3s, encryption: 'ssl' }],
    ['Cyrus encryption Off, NTLM', { encryption: 'off' }],
  ])('%s', async (_, overrides) => {
    const report = await probePop3(cyrusConfig(overrides));
    expect(report.failure).toBeUndefined();
    expect(report.steps.find((s) => s.name === 'auth')?.facts?.mechanism).toBe('NTLM');
  });

  it.each<[string, () => Pop3Config | Promise<Pop3Config>, Record<string, unknown>]>([
    [
      'wrong password',
      () => dovecotConfig({ password: 'wrong' }),
      { stage: 'auth', signal: 'pop3-auth' },
    ],
    ['wrong password over NTLM', () => cyrusConfig({ password: 'wrong' }), { stage: 'auth' }],
    [
      'NTLM where the server has none',
      () => dovecotConfig({ authType: 'ntlm' }),
      { stage: 'auth', signal: 'auth-mechanism-not-offered' },
    ],
    [
      'SSL/TLS against the STLS port',
      () => dovecotConfig({ encryption: 'ssl' }),
      { stage: 'tls', signal: 'tls-wrong-version' },
    ],
    [
      'untrusted certificate',
      () => dovecotConfig({ tlsTrust: { mode: 'system' } }),
      { stage: 'tls', signal: 'tls-untrusted' },
    ],
    [
      'closed port',
      async () => dovecotConfig({ port: await closedPort() }),
      { stage: 'tcp', signal: 'tcp-refused' },
    ],
  ])('%s', async (_, config, expected) => {
    expect((await probePop3(await config())).failure).toMatchObject(expected);
  });

  it('STLS against the SSL/TLS port ends in a greeting timeout', async () => {
    const report = await probePop3(dovecotConfig({ port: dovecot.ports.pop3s }), {
      timeouts: { greetingMs: 500 },
    });
    expect(report.failure).toMatchObject({ stage: 'greeting', signal: 'greeting-timeout' });
  });
});

describe('POP3 find code', () => {
  const window = (ms: number) => ({
    since: new Date(Date.now() - 1000),
    deadline: new Date(Date.now() + ms),
  });

  it('finds a code already in the mailbox', async () => {
    const code = randomUUID();
    const raw = `Authentication-Results: mx.example.test; spf=pass smtp.mailfrom=example.test; dkim=none\r\n${testMessage(actor1!.address, `FW: (${code})`)}`;
    await deliver(stack, actor1!.address, raw);
    expect(await findCodePop3(dovecotConfig(), { code, ...window(10_000) })).toMatchObject({
      found: true,
      via: 'search',
      subject: `FW: (${code})`,
      folder: 'inbox',
      authentication: { spf: 'pass', dkim: 'none' },
    });
  });

  it('finds a code that arrives while it polls', async () => {
    const code = randomUUID();
    const finding = findCodePop3(
      dovecotConfig({ port: dovecot.ports.pop3s, encryption: 'ssl' }),
      { code, ...window(15_000) },
      { pollMs: 200 },
    );
    setTimeout(
      () => void deliver(stack, actor1!.address, testMessage(actor1!.address, `(${code})`)),
      600,
    );
    expect(await finding).toMatchObject({ found: true, via: 'poll' });
  });

  it('over NTLM on Cyrus', async () => {
    const code = randomUUID();
    await deliver(stack, ntlmUser.address, testMessage(ntlmUser.address, `(${code})`));
    expect(await findCodePop3(cyrusConfig(), { code, ...window(10_000) })).toMatchObject({
      found: true,
    });
  });

  it('reports a missing code at the search stage when the deadline passes', async () => {
    await deliver(stack, actor2!.address, testMessage(actor2!.address, `(${randomUUID()})`));
    const result = await findCodePop3(
      dovecotConfig({ username: actor2!.username, password: actor2!.password }),
      { code: randomUUID(), ...window(1200) },
      { pollMs: 200 },
    );
    expect(result).toMatchObject({
      found: false,
      searched: ['INBOX'],
      failure: { stage: 'search', signal: 'code-not-found', origin: 'delivery' },
    });
  });

  it('removes the message when asked', async () => {
    const code = randomUUID();
    await deliver(stack, actor1!.address, testMessage(actor1!.address, `(${code})`));
    expect(
      await findCodePop3(dovecotConfig(), { code, ...window(5000), removeWhenFound: true }),
    ).toMatchObject({ found: true });
    expect(
      await findCodePop3(dovecotConfig(), { code, ...window(600) }, { pollMs: 200 }),
    ).toMatchObject({ found: false });
  });

  it('stops promptly on abort and leaves nothing behind', async () => {
    const before = activeHandles();
    const controller = new AbortController();
    const finding = findCodePop3(
      dovecotConfig(),
      { code: randomUUID(), ...window(30_000) },
      { signal: controller.signal, pollMs: 200 },
    );
    setTimeout(() => {
      controller.abort();
    }, 500);
    expect(await finding).toMatchObject({ found: false, failure: { signal: 'aborted' } });
    expect(await settledHandles(before)).toEqual({});
  });
});
