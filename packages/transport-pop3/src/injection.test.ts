// No command injection through the credentials: a username or password holding CR/LF/NUL (one
// that got past validation) never reaches the wire as a second command. Checked byte for byte
// against a recording server, and against the real Dovecot that the injected DELE never ran.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { deliver, testMessage } from '@email-profiles/mail-stack';
import { StepRecorder } from '@email-profiles/transport-net';
import { lineServer, type LineServer } from '@email-profiles/transport-net/testing';
import { probePop3 } from './probe.js';
import { loginPop3, openPop3, type Pop3Config } from './session.js';

const stack = inject('mailStack');
const dovecot = stack.dovecot!;
// actor2: no other test of this package deletes its mail.
const mailbox = dovecot.users[1]!;

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
const wire = (recording: LineServer) => Buffer.concat(recording.raw).toString('utf8');

/** A POP3 server that says +OK to everything, recording every byte it gets. */
const recordingServer = (capa: string) =>
  lineServer('+OK ready\r\n', (line) =>
    line === 'CAPA' ? `+OK\r\n${capa}.\r\n` : line === 'STAT' ? '+OK 1 10\r\n' : '+OK\r\n',
  );

const hostile: [string, string][] = [
  ['CR LF', '\r\nDELE 1'],
  ['lone CR', '\rDELE 1'],
  ['lone LF', '\nDELE 1'],
  ['NUL', '\u0000DELE 1'],
];

describe('POP3 USER/PASS against a recording server', () => {
  it.each(hostile)('a password with %s: PASS is never sent', async (_, injection) => {
    server = await recordingServer('USER\r\n');
    const report = await probePop3(config(server.port, { password: `secret${injection}` }));
    expect(report.failure).toMatchObject({ stage: 'config', signal: 'unsafe-setting' });
    // The password is not echoed in what the user sees.
    expect(JSON.stringify(report)).not.toContain('secret');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(wire(server)).toBe('CAPA\r\nUSER actor1@example.test\r\n');
  });

  it.each(hostile)('a username with %s: USER is never sent', async (_, injection) => {
    server = await recordingServer('USER\r\n');
    const report = await probePop3(
      config(server.port, { username: `actor1@example.test${injection}` }),
    );
    expect(report.failure).toMatchObject({ stage: 'config', signal: 'unsafe-setting' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(wire(server)).toBe('CAPA\r\n');
  });

  it('SASL PLAIN carries the same password inside base64: one line, nothing injected', async () => {
    server = await recordingServer('SASL PLAIN\r\nUSER\r\n');
    const report = await probePop3(config(server.port, { password: 'secret\r\nDELE 1' }));
    expect(report.failure).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [capa, auth, ...rest] = server.received;
    // QUIT goes out as the socket closes: it may or may not arrive.
    expect([capa, rest.filter((line) => line !== 'QUIT')]).toEqual(['CAPA', ['STAT']]);
    const [verb, mechanism, initial = ''] = (auth ?? '').split(' ');
    expect([verb, mechanism]).toEqual(['AUTH', 'PLAIN']);
    expect(Buffer.from(initial, 'base64').toString('utf8')).toBe(
      '\u0000actor1@example.test\u0000secret\r\nDELE 1',
    );
    expect(wire(server).replace(/QUIT\r\n$/, '')).toBe(`CAPA\r\nAUTH PLAIN ${initial}\r\nSTAT\r\n`);
  });
});

describe('POP3 against Dovecot: the injected commands never run', () => {
  const dovecotConfig = (overrides: Partial<Pop3Config> = {}): Pop3Config => ({
    ...config(dovecot.ports.pop3, {
      encryption: 'starttls',
      tlsTrust: { mode: 'ca', pem: stack.tls.caPem },
      username: mailbox.username,
      password: mailbox.password,
    }),
    ...overrides,
  });

  /** The unique ids of the messages in the mailbox (a fresh session, logged in normally). */
  async function uids(): Promise<string[]> {
    const session = await openPop3(dovecotConfig(), new StepRecorder(), {});
    try {
      await loginPop3(session, dovecotConfig());
      await session.command('UIDL', 'search');
      return (await session.block('search')).map((line) => line.split(' ')[1] ?? '');
    } finally {
      session.quit();
    }
  }

  /** The real password, then commands that would delete every message and commit it. */
  const injected = (count: number) =>
    `${mailbox.password}\r\n${Array.from({ length: count }, (_, i) => `DELE ${i + 1}`).join('\r\n')}\r\nQUIT`;

  it('over USER/PASS: the mail is all still there', async () => {
    await deliver(stack, mailbox.address, testMessage(mailbox.address, `(${randomUUID()})`));
    const before = await uids();
    expect(before.length).toBeGreaterThan(0);

    const config = dovecotConfig({ password: injected(before.length) });
    const session = await openPop3(config, new StepRecorder(), {});
    // Dovecot offers SASL; without it the transport uses USER/PASS, where the password is sent
    // as it is: the path the injection was found on.
    session.capabilities = session.capabilities?.filter((line) => !/^SASL\b/i.test(line));
    const login = loginPop3(session, config);
    await expect(login).rejects.toMatchObject({
      failure: { stage: 'config', signal: 'unsafe-setting' },
    });
    session.quit();

    const after = await uids();
    expect(after).toEqual(expect.arrayContaining(before));
  });

  it('over SASL PLAIN: the login fails as a wrong password, and nothing is deleted', async () => {
    await deliver(stack, mailbox.address, testMessage(mailbox.address, `(${randomUUID()})`));
    const before = await uids();
    const report = await probePop3(dovecotConfig({ password: injected(before.length) }));
    expect(report.failure).toMatchObject({ stage: 'auth' });
    expect(await uids()).toEqual(expect.arrayContaining(before));
  });
});
