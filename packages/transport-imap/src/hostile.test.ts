// An IMAP server that misbehaves must end in a classified failure, quickly, without a hang.
import { afterEach, describe, expect, it } from 'vitest';
import {
  activeHandles,
  lineServer,
  settledHandles,
  stageAndSignal,
  stalledGreetings,
  type LineServer,
} from '@email-profiles/transport-net/testing';
import { findCodeImap } from './find.js';
import { probeImap } from './probe.js';
import type { ImapConfig } from './session.js';

let server: LineServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const config = (port: number, overrides: Partial<ImapConfig> = {}): ImapConfig => ({
  host: '127.0.0.1',
  port,
  encryption: 'off',
  tlsTrust: { mode: 'system' },
  authType: 'plain',
  username: 'actor1@example.test',
  password: 'se"cr\\et',
  ...overrides,
});
const fast = { timeouts: { greetingMs: 300, commandMs: 300 } };
const tagOf = (line: string) => line.split(' ')[0] ?? '';

describe('IMAP against hostile servers', () => {
  it("a BYE greeting, in the server's words", async () => {
    server = await lineServer('* BYE Too many connections\r\n', () => undefined);
    const report = await probeImap(config(server.port), fast);
    expect(report.failure).toMatchObject({
      stage: 'greeting',
      serverText: '* BYE Too many connections',
    });
  });

  it('a greeting that is not IMAP', async () => {
    server = await lineServer('220 smtp.example.test ESMTP\r\n', () => undefined);
    const report = await probeImap(config(server.port), fast);
    expect(report.failure).toMatchObject({ stage: 'greeting', signal: 'protocol-violation' });
  });

  it('endless untagged responses', async () => {
    server = await lineServer('* OK ready\r\n', (line) =>
      line.endsWith('CAPABILITY') ? '* JUNK\r\n'.repeat(5000) : undefined,
    );
    const report = await probeImap(config(server.port), { timeouts: { commandMs: 5000 } });
    expect(report.failure).toMatchObject({ stage: 'greeting', signal: 'response-too-large' });
  });

  it('STARTTLS chosen but not offered: no credentials are sent', async () => {
    server = await lineServer(
      '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n',
      (line) => `${tagOf(line)} BAD no\r\n`,
    );
    const report = await probeImap(config(server.port, { encryption: 'starttls' }), fast);
    expect(report.failure).toMatchObject({ stage: 'tls', signal: 'starttls-not-offered' });
    expect(server.received).toEqual([]);
  });

  it('LOGINDISABLED without AUTH=PLAIN: the password is not sent in clear', async () => {
    server = await lineServer(
      '* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] ready\r\n',
      (line) => `${tagOf(line)} BAD no\r\n`,
    );
    const report = await probeImap(config(server.port), fast);
    expect(report.failure).toMatchObject({ stage: 'auth', signal: 'imap-privacy-required' });
    expect(server.received.some((line) => line.includes('LOGIN'))).toBe(false);
  });

  it('quotes the LOGIN command safely and reports a rejected login', async () => {
    server = await lineServer('* OK [CAPABILITY IMAP4rev1] ready\r\n', (line) =>
      line.includes(' LOGIN ')
        ? `${tagOf(line)} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n`
        : `${tagOf(line)} OK\r\n`,
    );
    const report = await probeImap(config(server.port), fast);
    expect(server.received[0]).toBe('E1 LOGIN "actor1@example.test" "se\\"cr\\\\et"');
    expect(report.failure).toMatchObject({ stage: 'auth', signal: 'imap-authentication-failed' });
  });

  it('a connection closed in the middle of a search ends as a failure, not a hang', async () => {
    server = await lineServer(
      '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready\r\n',
      (line) => {
        if (line.includes('AUTHENTICATE'))
          return `${tagOf(line)} OK [CAPABILITY IMAP4rev1] done\r\n`;
        if (line.includes('SELECT') || line.includes('EXAMINE'))
          return `* 0 EXISTS\r\n* OK [UIDVALIDITY 1] x\r\n* OK [UIDNEXT 1] x\r\n${tagOf(line)} OK [READ-ONLY] done\r\n`;
        if (line.includes('SEARCH')) return 'close';
        return `${tagOf(line)} OK done\r\n`;
      },
    );
    const now = Date.now();
    const result = await findCodeImap(
      config(server.port),
      {
        code: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        since: new Date(now),
        deadline: new Date(now + 3000),
      },
      fast,
    );
    expect(result.found).toBe(false);
    expect(Date.now() - now).toBeLessThan(3000);
  });

  it('leaves no socket or timer behind', async () => {
    const before = activeHandles();
    server = await lineServer('* OK ready\r\n', () => 'close');
    await probeImap(config(server.port), fast);
    await server.close();
    server = undefined;
    expect(await settledHandles(before)).toEqual({});
  });
});

describe('the same stage and signal in the connectivity check and in Verify', () => {
  const greeting = '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n';
  const atLogin = (answer: string | undefined) => (line: string) =>
    line.includes('AUTHENTICATE') || line.includes(' LOGIN ')
      ? answer === undefined || answer === 'close'
        ? answer
        : `${tagOf(line)} ${answer}\r\n`
      : `${tagOf(line)} OK done\r\n`;
  it.each<[string, () => Promise<LineServer>, { stage: string; signal: string }]>([
    ...stalledGreetings.map(
      ([name, start]) =>
        [name, start, { stage: 'greeting', signal: 'greeting-timeout' }] as [
          string,
          () => Promise<LineServer>,
          { stage: string; signal: string },
        ],
    ),
    [
      'resets the connection during login',
      () => lineServer(greeting, atLogin('close')),
      { stage: 'auth', signal: 'connection-reset' },
    ],
    [
      'never answers the login',
      () => lineServer(greeting, atLogin(undefined)),
      { stage: 'auth', signal: 'no-answer' },
    ],
    [
      'refuses the login',
      () => lineServer(greeting, atLogin('NO [AUTHENTICATIONFAILED] Authentication failed.')),
      { stage: 'auth', signal: 'imap-authentication-failed' },
    ],
  ])('a server that %s', async (_, start, expected) => {
    server = await start();
    const probe = await probeImap(config(server.port), fast);
    const now = Date.now();
    const find = await findCodeImap(
      config(server.port),
      {
        code: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        since: new Date(now),
        deadline: new Date(now + 10_000),
      },
      fast,
    );
    expect(stageAndSignal(probe.failure)).toEqual(expected);
    expect(find.found).toBe(false);
    expect(stageAndSignal(find.found ? undefined : find.failure)).toEqual(expected);
  });

  it('reports the stage it was in when the deadline passes before the greeting', async () => {
    server = await lineServer(undefined, () => undefined);
    const now = Date.now();
    const find = await findCodeImap(
      config(server.port),
      {
        code: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        since: new Date(now),
        deadline: new Date(now + 300),
      },
      { timeouts: { greetingMs: 10_000 } },
    );
    expect(stageAndSignal(find.found ? undefined : find.failure)).toEqual({
      stage: 'greeting',
      signal: 'greeting-timeout',
    });
  });
});
