// SMTP against real Postfix on loopback (Cyrus SASL: PLAIN, LOGIN, CRAM-MD5, NTLM), delivering
// into Dovecot.
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { mailboxSubjects } from '@email-profiles/mail-stack';
import { activeHandles, closedPort, settledHandles } from '@email-profiles/transport-net/testing';
import { probeSmtp } from './probe.js';
import { sendSmtp, sendSmtpMany } from './send.js';
import type { SmtpAuth, SmtpConfig } from './session.js';

const stack = inject('mailStack');
const postfix = stack.postfix!;
const sender = postfix.users[0]!;
const recipient = stack.dovecot!.users[0]!;
const ca = { mode: 'ca', pem: stack.tls.caPem } as const;
const plain: SmtpAuth = { type: 'plain', username: sender.username, password: sender.password };
const ntlm: SmtpAuth = { type: 'ntlm', username: sender.username, password: sender.password };
const login: SmtpAuth = { ...plain, type: 'login' };
const cramMd5: SmtpAuth = { ...plain, type: 'cram-md5' };

const submission = (overrides: Partial<SmtpConfig> = {}): SmtpConfig => ({
  host: '127.0.0.1',
  port: postfix.ports.submission,
  encryption: 'starttls',
  tlsTrust: ca,
  auth: plain,
  ...overrides,
});

async function arrives(subject: string, tries = 50): Promise<boolean> {
  for (let i = 0; i < tries; i += 1) {
    if ((await mailboxSubjects(stack, recipient.address)).includes(subject)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('SMTP probe against Postfix', () => {
  it.each<[string, Partial<SmtpConfig>, string | undefined]>([
    [
      'plain port, encryption Off, no authentication',
      { port: postfix.ports.smtp, encryption: 'off', auth: undefined },
      undefined,
    ],
    [
      'plain port, encryption Off, PLAIN (explicitly in clear)',
      { port: postfix.ports.smtp, encryption: 'off' },
      'PLAIN',
    ],
    ['submission, STARTTLS, PLAIN', {}, 'PLAIN'],
    [
      'plain port, encryption Off, NTLM',
      { port: postfix.ports.smtp, encryption: 'off', auth: ntlm },
      'NTLM',
    ],
    ['submission, STARTTLS, NTLM', { auth: ntlm }, 'NTLM'],
    [
      'submission, STARTTLS, PLAIN as DOMAIN\\user',
      { auth: { ...plain, username: sender.domainUsername! } },
      'PLAIN',
    ],
    [
      'submission, STARTTLS, NTLM as DOMAIN\\user',
      { auth: { ...ntlm, username: sender.domainUsername! } },
      'NTLM',
    ],
    ['SMTPS, SSL/TLS, PLAIN', { port: postfix.ports.smtps, encryption: 'ssl' }, 'PLAIN'],
    ['SMTPS, SSL/TLS, NTLM', { port: postfix.ports.smtps, encryption: 'ssl', auth: ntlm }, 'NTLM'],
    ['submission, STARTTLS, LOGIN', { auth: login }, 'LOGIN'],
    [
      'plain port, encryption Off, CRAM-MD5',
      { port: postfix.ports.smtp, encryption: 'off', auth: cramMd5 },
      'CRAM-MD5',
    ],
    [
      'SMTPS, SSL/TLS, CRAM-MD5',
      { port: postfix.ports.smtps, encryption: 'ssl', auth: cramMd5 },
      'CRAM-MD5',
    ],
  ])('%s', async (_, overrides, mechanism) => {
    const report = await probeSmtp(submission(overrides));
    expect(report.failure).toBeUndefined();
    const auth = report.steps.find((s) => s.name === 'auth');
    expect(mechanism === undefined ? auth?.status : auth?.facts?.mechanism).toBe(
      mechanism ?? 'skipped',
    );
  });

  it('shows capabilities before and after STARTTLS', async () => {
    const report = await probeSmtp(submission());
    const greeting = report.steps.find((s) => s.name === 'greeting');
    expect(greeting?.greeting).toMatchObject({ starttls: true });
    expect(greeting?.summary).toMatch(/^220 /);
    expect(report.steps.find((s) => s.name === 'starttls')?.facts?.authAfterTls).toMatch(/PLAIN/);
  });

  it.each<[string, () => Promise<SmtpConfig> | SmtpConfig, Record<string, unknown>]>([
    [
      'wrong password',
      () => submission({ auth: { ...plain, password: 'wrong' } }),
      { stage: 'auth', signal: 'smtp-535-5.7.8', serverText: expect.stringMatching(/^535 5.7.8/) },
    ],
    [
      'wrong password over CRAM-MD5',
      () => submission({ auth: { ...cramMd5, password: 'wrong' } }),
      { stage: 'auth', serverText: expect.stringMatching(/^535/) },
    ],
    [
      'wrong password over NTLM',
      () => submission({ auth: { ...ntlm, password: 'wrong' } }),
      { stage: 'auth' },
    ],
    [
      'STARTTLS chosen where it is not offered',
      () => submission({ port: postfix.ports.smtp }),
      { stage: 'tls', signal: 'starttls-not-offered' },
    ],
    [
      'SSL/TLS against the STARTTLS port',
      () => submission({ encryption: 'ssl' }),
      { stage: 'tls', signal: 'tls-wrong-version' },
    ],
    [
      'the system CAs only (private CA)',
      () => submission({ tlsTrust: { mode: 'system' } }),
      { stage: 'tls', signal: 'tls-untrusted' },
    ],
    [
      'closed port',
      async () => submission({ port: await closedPort() }),
      { stage: 'tcp', signal: 'tcp-refused' },
    ],
  ])('%s', async (_, config, expected) => {
    expect((await probeSmtp(await config())).failure).toMatchObject(expected);
  });

  it('STARTTLS against the SSL/TLS port: a greeting timeout with the hint', async () => {
    const report = await probeSmtp(submission({ port: postfix.ports.smtps }), {
      timeouts: { greetingMs: 500 },
    });
    expect(report.failure).toMatchObject({ stage: 'greeting', signal: 'greeting-timeout' });
  });
});

describe('SMTP send through Postfix into Dovecot', () => {
  it.each<[string, Partial<SmtpConfig>]>([
    ['Off, no authentication', { port: postfix.ports.smtp, encryption: 'off', auth: undefined }],
    ['STARTTLS, PLAIN', {}],
    ['STARTTLS, NTLM', { auth: ntlm }],
    ['STARTTLS, LOGIN', { auth: login }],
    ['STARTTLS, CRAM-MD5', { auth: cramMd5 }],
    ['SSL/TLS, PLAIN', { port: postfix.ports.smtps, encryption: 'ssl' }],
    [
      'SSL/TLS, NTLM, pinned certificate',
      {
        port: postfix.ports.smtps,
        encryption: 'ssl',
        auth: ntlm,
        tlsTrust: { mode: 'fingerprint', sha256: stack.tls.fingerprintSha256 },
      },
    ],
  ])('%s', async (_, overrides) => {
    const subject = `(${randomUUID()})`;
    const result = await sendSmtp(submission(overrides), {
      from: sender.address,
      fromName: 'Director',
      to: recipient.address,
      subject,
      text: 'Verification email.',
    });
    expect(result).toMatchObject({ ok: true, response: expect.stringMatching(/^250 /) });
    expect(await arrives(subject)).toBe(true);
  });

  it('sends several messages over one session, each with its own result', async () => {
    const subjects = [randomUUID(), randomUUID(), randomUUID()].map((code) => `(${code})`);
    const message = (to: string, subject: string) => ({
      from: sender.address,
      to,
      subject,
      text: 'Verification email.',
    });
    const streamed: string[] = [];
    const results = await sendSmtpMany(
      submission({ auth: ntlm }),
      [
        message(recipient.address, subjects[0]!),
        message('someone@not-served.example', subjects[1]!),
        message(recipient.address, subjects[2]!),
      ],
      { onResult: (index, result) => streamed.push(`${index}:${result.ok}`) },
    );
    expect(results.map((result) => result.ok)).toEqual([true, false, true]);
    expect(streamed).toEqual(['0:true', '1:false', '2:true']);
    expect(results[1]).toMatchObject({ ok: false, failure: { stage: 'send' } });
    expect(await arrives(subjects[0]!)).toBe(true);
    expect(await arrives(subjects[2]!)).toBe(true);
  });

  it('fails every message of a batch when the session cannot log in', async () => {
    const results = await sendSmtpMany(submission({ auth: { ...plain, password: 'wrong' } }), [
      { from: sender.address, to: recipient.address, subject: 'a', text: 'x' },
      { from: sender.address, to: recipient.address, subject: 'b', text: 'x' },
    ]);
    expect(results).toMatchObject([
      { ok: false, failure: { stage: 'auth' } },
      { ok: false, failure: { stage: 'auth' } },
    ]);
    expect(results).toHaveLength(2);
  });

  it("reports a rejected login in the server's words", async () => {
    const result = await sendSmtp(submission({ auth: { ...plain, password: 'wrong' } }), {
      from: sender.address,
      to: recipient.address,
      subject: 'x',
      text: 'x',
    });
    expect(result).toMatchObject({
      ok: false,
      failure: { stage: 'auth', serverText: expect.stringMatching(/^535/) },
    });
  });

  it('never sends when STARTTLS is not offered', async () => {
    const subject = `(${randomUUID()})`;
    const result = await sendSmtp(submission({ port: postfix.ports.smtp }), {
      from: sender.address,
      to: recipient.address,
      subject,
      text: 'x',
    });
    expect(result).toMatchObject({ ok: false, failure: { signal: 'starttls-not-offered' } });
    expect(await arrives(subject, 10)).toBe(false);
  });

  it('stops on abort and leaves nothing behind', async () => {
    const before = activeHandles();
    const result = await sendSmtp(
      submission(),
      { from: sender.address, to: recipient.address, subject: 'x', text: 'x' },
      { signal: AbortSignal.abort() },
    );
    expect(result).toMatchObject({ ok: false, failure: { signal: 'aborted' } });
    const sent = await sendSmtp(submission(), {
      from: sender.address,
      to: recipient.address,
      subject: `(${randomUUID()})`,
      text: 'x',
    });
    expect(sent.ok).toBe(true);
    expect(await settledHandles(before)).toEqual({});
  });
});
