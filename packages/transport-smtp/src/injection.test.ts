// No command or header injection: an address, sender name or subject holding a line break is
// never handed to nodemailer (no smuggled RCPT TO or Bcc:), and credentials go only inside
// base64. Checked byte for byte against a recording server, and against the real Postfix that
// the injected recipient never got the mail.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { mailboxSubjects } from '@email-profiles/mail-stack';
import type { OutgoingMessage } from '@email-profiles/core';
import { lineServer, type LineServer } from '@email-profiles/transport-net/testing';
import { probeSmtp } from './probe.js';
import { sendSmtp, sendSmtpMany } from './send.js';
import type { SmtpConfig } from './session.js';

const stack = inject('mailStack');
const postfix = stack.postfix!;
const sender = postfix.users[0]!;
const recipient = stack.dovecot!.users[0]!;
const bystander = stack.dovecot!.users[1]!;

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
const message: OutgoingMessage = {
  from: 'sender@example.test',
  fromName: 'Email Profiles',
  to: 'actor1@example.test',
  subject: '(code)',
  text: 'Verification',
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** An SMTP server that accepts everything, recording every byte it gets. */
async function recordingServer(): Promise<LineServer> {
  let data = false;
  return lineServer('220 ready\r\n', (line) => {
    if (data) {
      if (line !== '.') return undefined;
      data = false;
      return '250 2.0.0 queued\r\n';
    }
    if (/^EHLO /.test(line)) return '250-mx\r\n250 AUTH PLAIN LOGIN\r\n';
    if (line.startsWith('AUTH')) return '235 2.7.0 ok\r\n';
    if (line === 'DATA') {
      data = true;
      return '354 go\r\n';
    }
    if (line === 'QUIT') return '221 bye\r\n';
    return '250 ok\r\n';
  });
}

const hostileMessages: [string, Partial<OutgoingMessage>][] = [
  ['recipient with CR LF', { to: 'actor1@example.test>\r\nRCPT TO:<victim@example.test' }],
  ['recipient with lone LF', { to: 'actor1@example.test\nRCPT TO:<victim@example.test>' }],
  ['sender with CR LF', { from: 'sender@example.test>\r\nRCPT TO:<victim@example.test' }],
  ['sender name with a Bcc: header', { fromName: 'Director\r\nBcc: victim@example.test' }],
  ['sender name with lone CR', { fromName: 'Director\rBcc: victim@example.test' }],
  ['sender name with NUL', { fromName: 'Director\u0000' }],
  ['subject with a Bcc: header', { subject: '(code)\r\nBcc: victim@example.test' }],
];

describe('SMTP against a recording server', () => {
  it.each(hostileMessages)('a %s: refused, nothing of the message sent', async (_, fields) => {
    server = await recordingServer();
    const sent = await sendSmtp(config(server.port), { ...message, ...fields });
    expect(sent).toMatchObject({
      ok: false,
      failure: { stage: 'config', signal: 'unsafe-setting' },
    });
    await settle();
    const wire = Buffer.concat(server.raw).toString('utf8');
    expect(wire).not.toMatch(/MAIL FROM|RCPT TO|DATA|victim/);
  });

  it('one hostile message in a batch is refused alone; the others are sent', async () => {
    server = await recordingServer();
    const results = await sendSmtpMany(config(server.port), [
      { ...message, fromName: 'x\r\nBcc: victim@example.test' },
      message,
    ]);
    expect(results.map((result) => result.ok)).toEqual([false, true]);
    await settle();
    expect(server.received.filter((line) => line.startsWith('RCPT TO'))).toEqual([
      'RCPT TO:<actor1@example.test>',
    ]);
    expect(Buffer.concat(server.raw).toString('utf8')).not.toContain('victim');
  });

  it('the probe sends a hostile password only inside base64, on one line', async () => {
    server = await recordingServer();
    const report = await probeSmtp(
      config(server.port, {
        auth: { type: 'plain', username: 'sender@example.test', password: 'secret\r\nRSET' },
      }),
    );
    expect(report.failure).toBeUndefined();
    await settle();
    const [ehlo, auth = ''] = server.received;
    expect(ehlo).toMatch(/^EHLO \[127\.0\.0\.1\]$/);
    const initial = auth.split(' ')[2] ?? '';
    expect(auth).toBe(`AUTH PLAIN ${initial}`);
    expect(Buffer.from(initial, 'base64').toString('utf8')).toBe(
      '\u0000sender@example.test\u0000secret\r\nRSET',
    );
    expect(
      Buffer.concat(server.raw)
        .toString('utf8')
        .replace(/QUIT\r\n$/, ''),
    ).toBe(`${ehlo}\r\n${auth}\r\n`);
  });

  it('nodemailer logs in with a hostile password inside base64 too', async () => {
    server = await recordingServer();
    const sent = await sendSmtp(
      config(server.port, {
        auth: { type: 'plain', username: 'sender@example.test', password: 'secret\r\nRSET' },
      }),
      message,
    );
    expect(sent.ok).toBe(true);
    await settle();
    expect(server.received).not.toContain('RSET');
  });
});

describe('SMTP through Postfix: the injected recipient never gets the mail', () => {
  const submission: SmtpConfig = {
    host: '127.0.0.1',
    port: postfix.ports.submission,
    encryption: 'starttls',
    tlsTrust: { mode: 'ca', pem: stack.tls.caPem },
    auth: { type: 'plain', username: sender.username, password: sender.password },
  };

  async function arrives(address: string, subject: string, tries = 50): Promise<boolean> {
    for (let i = 0; i < tries; i += 1) {
      if ((await mailboxSubjects(stack, address)).includes(subject)) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  it('a smuggled RCPT TO and a smuggled Bcc: are refused; the honest message arrives', async () => {
    const subject = `Injection check (${randomUUID()})`;
    const base = { ...message, from: sender.address, to: recipient.address, subject };
    const results = await sendSmtpMany(submission, [
      { ...base, to: `${recipient.address}>\r\nRCPT TO:<${bystander.address}` },
      { ...base, fromName: `Director\r\nBcc: ${bystander.address}` },
      base,
    ]);
    expect(results.map((result) => result.ok)).toEqual([false, false, true]);
    expect(await arrives(recipient.address, subject)).toBe(true);
    // Postfix delivered the honest message; had anything been smuggled, it would be here too.
    expect(await mailboxSubjects(stack, bystander.address)).not.toContain(subject);
  });
});
