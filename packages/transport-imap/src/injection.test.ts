// No command injection through the credentials: LOGIN quotes `"` and `\`, sends other text as a
// literal, and never sends a username or password holding CR/LF/NUL. Checked byte for byte
// against a recording server, and against the real Dovecot that no injected command ran.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { deliver, testMessage } from '@email-profiles/mail-stack';
import { StepRecorder } from '@email-profiles/transport-net';
import { lineServer, type LineServer } from '@email-profiles/transport-net/testing';
import { probeImap } from './probe.js';
import { loginImap, openImap, type ImapConfig } from './session.js';

const stack = inject('mailStack');
const dovecot = stack.dovecot!;
// actor2: no other test of this package deletes its mail.
const mailbox = dovecot.users[1]!;

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
  password: 'secret',
  ...overrides,
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
/** What arrived, without the LOGOUT that goes out as the socket closes (it may not arrive). */
const wire = (recording: LineServer) =>
  Buffer.concat(recording.raw)
    .toString('utf8')
    .replace(/E\d+ LOGOUT\r\n$/, '');

/** An IMAP server that accepts every command, answers "+" to literals, recording every byte. */
async function recordingServer(capabilities: string): Promise<LineServer> {
  let tag = '';
  return lineServer(`* OK [CAPABILITY IMAP4rev1 ${capabilities}] ready\r\n`, (line) => {
    if (tag === '') tag = line.split(' ')[0] ?? '';
    if (/\{\d+\}$/.test(line)) return '+ go on\r\n';
    if (/^\S+ AUTHENTICATE PLAIN$/.test(line)) return '+ \r\n';
    const done = `${tag} OK done\r\n`;
    tag = '';
    return line.includes('EXAMINE') ? `* 3 EXISTS\r\n${done}` : done;
  });
}

const hostile: [string, string][] = [
  ['CR LF', '\r\nE2 DELETE INBOX'],
  ['lone CR', '\rE2 DELETE INBOX'],
  ['lone LF', '\nE2 DELETE INBOX'],
  ['NUL', '\u0000E2 DELETE INBOX'],
];

describe('IMAP LOGIN against a recording server', () => {
  it.each(hostile)('a password with %s: LOGIN is never sent', async (_, injection) => {
    server = await recordingServer('');
    const report = await probeImap(config(server.port, { password: `secret${injection}` }));
    expect(report.failure).toMatchObject({ stage: 'config', signal: 'unsafe-setting' });
    expect(JSON.stringify(report)).not.toContain('secret');
    await settle();
    expect(wire(server)).toBe('');
  });

  it.each(hostile)('a username with %s: LOGIN is never sent', async (_, injection) => {
    server = await recordingServer('');
    const report = await probeImap(
      config(server.port, { username: `actor1@example.test${injection}` }),
    );
    expect(report.failure).toMatchObject({ stage: 'config', signal: 'unsafe-setting' });
    await settle();
    expect(wire(server)).toBe('');
  });

  it('quotes " and \\ so a value cannot close its string', async () => {
    server = await recordingServer('');
    const report = await probeImap(
      config(server.port, { username: 'EXAMPLE\\actor1', password: 'a" "b\\" x' }),
    );
    expect(report.failure).toBeUndefined();
    await settle();
    expect(wire(server)).toBe(
      'E1 LOGIN "EXAMPLE\\\\actor1" "a\\" \\"b\\\\\\" x"\r\nE2 EXAMINE INBOX\r\n',
    );
  });

  it('sends a UTF-8 password as a literal, counted in bytes', async () => {
    server = await recordingServer('');
    const password = 'pässwörd-密码';
    const report = await probeImap(config(server.port, { password }));
    expect(report.failure).toBeUndefined();
    await settle();
    expect(wire(server)).toBe(
      `E1 LOGIN "actor1@example.test" {${Buffer.byteLength(password)}}\r\n${password}\r\nE2 EXAMINE INBOX\r\n`,
    );
  });

  it('AUTHENTICATE PLAIN carries the password inside base64: nothing injected', async () => {
    server = await recordingServer('AUTH=PLAIN SASL-IR');
    const report = await probeImap(config(server.port, { password: 'secret\r\nE2 DELETE INBOX' }));
    expect(report.failure).toBeUndefined();
    await settle();
    const [first = '', second] = server.received;
    const initial = first.split(' ')[3] ?? '';
    expect(first).toBe(`E1 AUTHENTICATE PLAIN ${initial}`);
    expect(Buffer.from(initial, 'base64').toString('utf8')).toBe(
      '\u0000actor1@example.test\u0000secret\r\nE2 DELETE INBOX',
    );
    expect(second).toBe('E2 EXAMINE INBOX');
    expect(wire(server)).toBe(`${first}\r\nE2 EXAMINE INBOX\r\n`);
  });
});

describe('IMAP against Dovecot: the injected commands never run', () => {
  const dovecotConfig = (overrides: Partial<ImapConfig> = {}): ImapConfig => ({
    ...config(dovecot.ports.imap, {
      encryption: 'starttls',
      tlsTrust: { mode: 'ca', pem: stack.tls.caPem },
      username: mailbox.username,
      password: mailbox.password,
    }),
    ...overrides,
  });

  /** Opens a session that logs in with the LOGIN command (Dovecot would take AUTHENTICATE). */
  async function loginCommandSession(settings: ImapConfig) {
    const session = await openImap(settings, new StepRecorder(), {});
    session.capabilities = session.capabilities.filter((c) => !c.startsWith('AUTH='));
    return session;
  }

  async function uids(): Promise<string[]> {
    const session = await loginCommandSession(dovecotConfig());
    try {
      await loginImap(session, dovecotConfig());
      await session.ok('EXAMINE INBOX', 'mailbox');
      const reply = await session.ok('UID SEARCH ALL', 'search');
      return reply.untagged
        .flatMap((line) => /^\* SEARCH(.*)$/i.exec(line)?.[1]?.trim().split(/\s+/) ?? [])
        .filter((uid) => uid !== '');
    } finally {
      session.logout();
    }
  }

  it('LOGIN with the real server quotes a DOMAIN\\user name correctly', async () => {
    const settings = dovecotConfig({ username: mailbox.domainUsername! });
    const session = await loginCommandSession(settings);
    try {
      expect(await loginImap(session, settings)).toBe('LOGIN');
    } finally {
      session.logout();
    }
  });

  it.each<[string, Partial<ImapConfig>]>([
    [
      'password',
      {
        password: `${mailbox.password}\r\nE2 SELECT INBOX\r\nE3 STORE 1:* +FLAGS (\\Deleted)\r\nE4 EXPUNGE`,
      },
    ],
    [
      'username',
      {
        username: `${mailbox.username}" "${mailbox.password}"\r\nE2 SELECT INBOX\r\nE3 STORE 1:* +FLAGS (\\Deleted)\r\nE4 EXPUNGE\r\nE5 LOGIN "x`,
      },
    ],
  ])('a hostile %s: refused, and the mail is all still there', async (_, hostileFields) => {
    await deliver(stack, mailbox.address, testMessage(mailbox.address, `(${randomUUID()})`));
    const before = await uids();
    expect(before.length).toBeGreaterThan(0);

    const settings = dovecotConfig(hostileFields);
    const session = await loginCommandSession(settings);
    await expect(loginImap(session, settings)).rejects.toMatchObject({
      failure: { stage: 'config', signal: 'unsafe-setting' },
    });
    session.logout();
    expect(await uids()).toEqual(expect.arrayContaining(before));
  });
});
