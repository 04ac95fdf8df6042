// An SMTP server that misbehaves must end in a classified failure, quickly, without a hang.
import { afterEach, describe, expect, it } from 'vitest';
import {
  lineServer,
  stageAndSignal,
  stalledGreetings,
  type LineServer,
} from '@email-profiles/transport-net/testing';
import { probeSmtp } from './probe.js';
import { sendSmtp, sendSmtpMany } from './send.js';
import type { SmtpConfig } from './session.js';

let server: LineServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const config = (port: number, overrides: Partial<SmtpConfig> = {}): SmtpConfig => ({
  host: '127.0.0.1',
  port,
  encryption: 'off',
  tlsTrust: { mode: 'system' },
  auth: { type: 'plain', username: 'sender@example.test', password: 'secret' },
  ...overrides,
});
const fast = { timeouts: { greetingMs: 300, commandMs: 300 } };
const message = {
  from: 'director@example.test',
  to: 'actor1@example.test',
  subject: '(7c9e6679-7425-40de-944b-e07fc1f90ae7)',
  text: 'Verification',
};

describe('SMTP against hostile servers', () => {
  it("a 554 greeting, in the server's words", async () => {
    server = await lineServer(
      '554 5.7.1 Service unavailable; client host blocked\r\n',
      () => undefined,
    );
    const report = await probeSmtp(config(server.port), fast);
    expect(report.failure).toMatchObject({
      stage: 'send',
      signal: 'smtp-relay-denied',
      serverText: '554 5.7.1 Service unavailable; client host blocked',
    });
  });

  it('an endless multi-line reply', async () => {
    server = await lineServer('220 ready\r\n', () => '250-junk\r\n'.repeat(1000));
    const report = await probeSmtp(config(server.port), { timeouts: { commandMs: 5000 } });
    expect(report.failure).toMatchObject({ stage: 'greeting', signal: 'response-too-large' });
  });

  it('STARTTLS chosen but not offered: AUTH is never sent, nor the message', async () => {
    server = await lineServer('220 ready\r\n', (line) =>
      line.startsWith('EHLO') ? '250-mx\r\n250 AUTH PLAIN LOGIN\r\n' : '500 no\r\n',
    );
    const report = await probeSmtp(config(server.port, { encryption: 'starttls' }), fast);
    expect(report.failure).toMatchObject({ stage: 'tls', signal: 'starttls-not-offered' });
    const sent = await sendSmtp(config(server.port, { encryption: 'starttls' }), message, fast);
    expect(sent).toMatchObject({ ok: false, failure: { signal: 'starttls-not-offered' } });
    expect(server.received.filter((line) => !line.startsWith('EHLO') && line !== 'QUIT')).toEqual(
      [],
    );
  });

  it('the chosen auth type not offered: says what is', async () => {
    server = await lineServer('220 ready\r\n', (line) =>
      line.startsWith('EHLO') ? '250-mx\r\n250 AUTH CRAM-MD5\r\n' : '221 bye\r\n',
    );
    const report = await probeSmtp(
      config(server.port, { auth: { type: 'ntlm', username: 'EXAMPLE\\sender', password: 'x' } }),
      fast,
    );
    expect(report.failure).toMatchObject({
      stage: 'auth',
      signal: 'auth-mechanism-not-offered',
      hint: expect.stringContaining('it offers CRAM-MD5'),
    });
  });

  it('logs in with LOGIN where PLAIN is not offered, for the probe and for a send', async () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    let step = '';
    server = await lineServer('220 ready\r\n', (line) => {
      if (line.startsWith('EHLO')) return '250-mx\r\n250 AUTH LOGIN\r\n';
      if (line === 'AUTH LOGIN') return `334 ${b64('Username:')}\r\n`;
      if (line === b64('sender@example.test')) return `334 ${b64('Password:')}\r\n`;
      if (line === b64('secret')) return '235 2.7.0 Authentication successful\r\n';
      if (line.startsWith('MAIL FROM') || line.startsWith('RCPT TO')) return '250 OK\r\n';
      if (line === 'DATA') {
        step = 'data';
        return '354 go ahead\r\n';
      }
      if (step === 'data' && line === '.') {
        step = '';
        return '250 2.0.0 Ok: queued as 4F2\r\n';
      }
      if (line === 'QUIT') return '221 bye\r\n';
      return step === 'data' ? undefined : '500 unexpected\r\n';
    });
    const report = await probeSmtp(config(server.port), fast);
    expect(report.steps.find((s) => s.name === 'auth')?.facts).toEqual({ mechanism: 'LOGIN' });
    const sent = await sendSmtp(config(server.port), message, fast);
    expect(sent).toEqual({
      ok: true,
      response: '250 2.0.0 Ok: queued as 4F2',
      messageId: expect.any(String),
    });
  });

  it('not an SMTP server', async () => {
    server = await lineServer('* OK IMAP4rev1 ready\r\n', () => undefined);
    const report = await probeSmtp(config(server.port), fast);
    expect(report.failure).toMatchObject({ stage: 'greeting', signal: 'protocol-violation' });
  });

  it('a connection closed during the send', async () => {
    server = await lineServer('220 ready\r\n', (line) =>
      line.startsWith('EHLO') ? '250-mx\r\n250 8BITMIME\r\n' : 'close',
    );
    const sent = await sendSmtp(config(server.port, { auth: undefined }), message, fast);
    expect(sent.ok).toBe(false);
  });
});

describe('the same stage and signal in the connectivity check, in Verify and in Send test email', () => {
  const dialog =
    (atAuth: string | undefined, atData = '250 2.0.0 Ok: queued as 4F2A1\r\n') =>
    (line: string) => {
      if (line.startsWith('EHLO')) return '250-test.example\r\n250 AUTH PLAIN LOGIN\r\n';
      if (line.startsWith('AUTH'))
        return atAuth === 'close' || atAuth === undefined ? atAuth : `${atAuth}\r\n`;
      if (line === '.') return atData;
      if (line === 'DATA') return '354 go ahead\r\n';
      if (line.startsWith('MAIL') || line.startsWith('RCPT') || line === 'RSET')
        return '250 ok\r\n';
      return line === 'QUIT' ? '221 bye\r\n' : undefined;
    };
  it.each<[string, () => Promise<LineServer>, { stage: string; signal?: string }]>([
    ...stalledGreetings.map(
      ([name, start]) =>
        [name, start, { stage: 'greeting', signal: 'greeting-timeout' }] as [
          string,
          () => Promise<LineServer>,
          { stage: string; signal: string },
        ],
    ),
    [
      'resets the connection during AUTH',
      () => lineServer('220 test.example ESMTP\r\n', dialog('close')),
      { stage: 'auth', signal: 'connection-reset' },
    ],
    [
      'never answers AUTH',
      () => lineServer('220 test.example ESMTP\r\n', dialog(undefined)),
      { stage: 'auth', signal: 'no-answer' },
    ],
    [
      'refuses the login',
      () =>
        lineServer('220 test.example ESMTP\r\n', dialog('535 5.7.8 Error: authentication failed')),
      { stage: 'auth', signal: 'smtp-535-5.7.8' },
    ],
  ])('a server that %s', async (_, start, expected) => {
    server = await start();
    const probe = await probeSmtp(config(server.port), fast);
    const [verify] = await sendSmtpMany(config(server.port), [message, message], fast);
    const single = await sendSmtp(config(server.port), message, fast);
    expect(stageAndSignal(probe.failure)).toEqual(expected);
    expect(stageAndSignal(verify?.ok === false ? verify.failure : undefined)).toEqual(expected);
    expect(stageAndSignal(single.ok ? undefined : single.failure)).toEqual(expected);
  });

  it("a message refused after DATA is that message's failure, at send, and the session goes on", async () => {
    let data = 0;
    server = await lineServer('220 test.example ESMTP\r\n', (line) => {
      if (line === '.') {
        data += 1;
        return data === 1
          ? '554 5.7.0 Message rejected as spam\r\n'
          : '250 2.0.0 Ok: queued as 4F2A2\r\n';
      }
      return dialog('235 2.7.0 ok')(line);
    });
    const results = await sendSmtpMany(config(server.port), [message, message], fast);
    expect(results[0]).toMatchObject({ ok: false, failure: { stage: 'send', signal: 'smtp-554' } });
    expect(results[1]).toEqual({
      ok: true,
      response: '250 2.0.0 Ok: queued as 4F2A2',
      messageId: expect.stringMatching(/^<.+@.+>$/),
    });
  });
});

describe('PIPELINING (RFC 2920)', () => {
  const pipelining =
    (rcpt: string, data: string, final = '250 2.0.0 Ok: queued as 9A\r\n') =>
    (line: string) => {
      if (line.startsWith('EHLO')) return '250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n';
      if (line.startsWith('AUTH')) return '235 2.7.0 ok\r\n';
      if (line.startsWith('MAIL')) return '250 2.1.0 Ok\r\n';
      if (line.startsWith('RCPT')) return rcpt;
      if (line === 'DATA') return data;
      if (line === '.') return final;
      if (line === 'RSET') return '250 2.0.0 Ok\r\n';
      return line === 'QUIT' ? '221 bye\r\n' : undefined;
    };

  it('sends MAIL, RCPT and DATA in one write where the server offers it', async () => {
    server = await lineServer('220 mx ESMTP\r\n', pipelining('250 2.1.5 Ok\r\n', '354 go\r\n'));
    const sent = await sendSmtp(config(server.port), message, fast);
    expect(sent).toMatchObject({ ok: true, response: '250 2.0.0 Ok: queued as 9A' });
    const envelope = server.raw.map(String).find((chunk) => chunk.startsWith('MAIL FROM'));
    expect(envelope).toBe(
      'MAIL FROM:<director@example.test>\r\nRCPT TO:<actor1@example.test>\r\nDATA\r\n',
    );
  });

  it('reads every reply of a refused recipient, resets, and goes on with the next message', async () => {
    let refusals = 0;
    const respond = pipelining(
      '550 5.1.1 <actor1@example.test>: Recipient address rejected\r\n',
      '554 5.5.1 Error: no valid recipients\r\n',
    );
    server = await lineServer('220 mx ESMTP\r\n', (line) => {
      if (line.startsWith('RCPT') && ++refusals > 1) return '250 2.1.5 Ok\r\n';
      if (line === 'DATA' && refusals > 1) return '354 go\r\n';
      return respond(line);
    });
    const [first, second] = await sendSmtpMany(config(server.port), [message, message], fast);
    expect(first).toMatchObject({
      ok: false,
      failure: {
        stage: 'send',
        serverText: '550 5.1.1 <actor1@example.test>: Recipient address rejected',
      },
    });
    expect(second).toMatchObject({ ok: true });
    expect(server.received.filter((line) => line === 'RSET')).toHaveLength(1);
  });

  it('ends at once the data a server accepted after refusing the recipient', async () => {
    server = await lineServer(
      '220 mx ESMTP\r\n',
      pipelining(
        '550 5.1.1 Recipient address rejected\r\n',
        '354 go\r\n',
        '554 5.5.1 no valid recipients\r\n',
      ),
    );
    const sent = await sendSmtp(config(server.port), message, fast);
    expect(sent).toMatchObject({
      ok: false,
      failure: { serverText: '550 5.1.1 Recipient address rejected' },
    });
    const afterData = server.received.slice(server.received.indexOf('DATA') + 1);
    expect(afterData.slice(0, 2)).toEqual(['.', 'RSET']); // no header or body of the message
  });
});
