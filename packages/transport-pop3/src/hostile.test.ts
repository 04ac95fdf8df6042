// A POP3 server that misbehaves must end in a classified failure, quickly, without a hang.
import { afterEach, describe, expect, it } from 'vitest';
import {
  activeHandles,
  lineServer,
  scriptedServer,
  settledHandles,
  stageAndSignal,
  stalledGreetings,
  type LineServer,
} from '@email-profiles/transport-net/testing';
import { findCodePop3 } from './find.js';
import { probePop3 } from './probe.js';
import type { Pop3Config } from './session.js';

let server: LineServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const config = (port: number, overrides: Partial<Pop3Config> = {}): Pop3Config => ({
  host: '127.0.0.1',
  port,
  encryption: 'off',
  tlsTrust: { mode: 'system' },
  authType: 'plain',
  username: 'actor1@example.test',
  password: 'secret',
  ...overrides,
});
const fast = { timeouts: { greetingMs: 300, commandMs: 300 } };

describe('POP3 against hostile servers', () => {
  it('a greeting that never comes', async () => {
    server = await lineServer(undefined, () => undefined);
    const report = await probePop3(config(server.port), fast);
    expect(report.failure).toMatchObject({ stage: 'greeting', signal: 'greeting-timeout' });
  });

  it('a 10 MB greeting line', async () => {
    server = await lineServer(`+OK ${'x'.repeat(10 * 1024 * 1024)}\r\n`, () => undefined);
    const report = await probePop3(config(server.port), { timeouts: { greetingMs: 5000 } });
    expect(report.failure).toMatchObject({ stage: 'greeting', signal: 'response-too-large' });
  });

  it('something that is not POP3', async () => {
    server = await lineServer('HTTP/1.1 400 Bad Request\r\n', () => undefined);
    const report = await probePop3(config(server.port), fast);
    expect(report.failure).toMatchObject({
      stage: 'greeting',
      signal: 'protocol-violation',
      serverText: 'HTTP/1.1 400 Bad Request',
    });
  });

  it('an endless CAPA list', async () => {
    server = await lineServer('+OK ready\r\n', (line) =>
      line === 'CAPA' ? `+OK\r\n${'X-JUNK\r\n'.repeat(200_000)}` : undefined,
    );
    const report = await probePop3(config(server.port), { timeouts: { commandMs: 5000 } });
    expect(report.failure).toMatchObject({ stage: 'greeting', signal: 'response-too-large' });
  });

  it('a connection closed in the middle of the login', async () => {
    server = await lineServer('+OK ready\r\n', (line) =>
      line === 'CAPA' ? '+OK\r\nUSER\r\n.\r\n' : line.startsWith('USER') ? 'close' : undefined,
    );
    const report = await probePop3(config(server.port), fast);
    expect(report.failure).toMatchObject({ stage: 'auth', signal: 'connection-reset' });
  });

  it('a server that trickles its greeting one byte at a time', async () => {
    const trickler = await scriptedServer(async (socket) => {
      for (const byte of '+OK slowly\r\n') {
        if (socket.destroyed) return;
        socket.write(byte);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    const report = await probePop3(config(trickler.port), { timeouts: { greetingMs: 300 } });
    await trickler.close();
    expect(report.failure).toMatchObject({ stage: 'greeting', signal: 'greeting-timeout' });
  });

  it('STARTTLS chosen but not offered: the password is never sent', async () => {
    server = await lineServer('+OK ready\r\n', (line) =>
      line === 'CAPA' ? '+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n' : '-ERR no\r\n',
    );
    const report = await probePop3(config(server.port, { encryption: 'starttls' }), fast);
    expect(report.failure).toMatchObject({ stage: 'tls', signal: 'starttls-not-offered' });
    expect(server.received.some((line) => /^(PASS|AUTH|USER|STLS)/.test(line))).toBe(false);
  });

  it("a rejected login, in the server's words", async () => {
    server = await lineServer('+OK ready\r\n', (line) =>
      line === 'CAPA'
        ? '+OK\r\nSASL PLAIN\r\n.\r\n'
        : line.startsWith('AUTH')
          ? '-ERR [AUTH] Authentication failed.\r\n'
          : undefined,
    );
    const report = await probePop3(config(server.port), fast);
    expect(report.failure).toMatchObject({
      stage: 'auth',
      signal: 'pop3-auth',
      serverText: '-ERR [AUTH] Authentication failed.',
    });
    expect(report.steps.map((s) => `${s.name}:${s.status}`)).toEqual([
      'dns:ok',
      'tcp:ok',
      'tls:skipped',
      'greeting:ok',
      'starttls:skipped',
      'auth:failed',
    ]);
  });

  it('leaves no socket or timer behind', async () => {
    const before = activeHandles();
    server = await lineServer('+OK ready\r\n', () => 'close');
    await probePop3(config(server.port), fast);
    await server.close();
    server = undefined;
    expect(await settledHandles(before)).toEqual({});
  });
});

describe('the same stage and signal in the connectivity check and in Verify', () => {
  const atLogin = (answer: string | undefined) => (line: string) => {
    if (line === 'CAPA') return '+OK\r\nUSER\r\n.\r\n';
    if (line.startsWith('USER ')) return '+OK\r\n';
    if (line.startsWith('PASS '))
      return answer === 'close' || answer === undefined ? answer : `${answer}\r\n`;
    return '+OK\r\n';
  };
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
      () => lineServer('+OK ready\r\n', atLogin('close')),
      { stage: 'auth', signal: 'connection-reset' },
    ],
    [
      'never answers the login',
      () => lineServer('+OK ready\r\n', atLogin(undefined)),
      { stage: 'auth', signal: 'no-answer' },
    ],
    [
      'refuses the login',
      () => lineServer('+OK ready\r\n', atLogin('-ERR [AUTH] Authentication failed.')),
      { stage: 'auth', signal: 'pop3-auth' },
    ],
  ])('a server that %s', async (_, start, expected) => {
    server = await start();
    const probe = await probePop3(config(server.port), fast);
    const now = Date.now();
    const find = await findCodePop3(
      config(server.port),
      {
        code: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        since: new Date(now),
        deadline: new Date(now + 10_000),
      },
      fast,
    );
    expect(stageAndSignal(probe.failure)).toEqual(expected);
    expect(stageAndSignal(find.found ? undefined : find.failure)).toEqual(expected);
  });
});
