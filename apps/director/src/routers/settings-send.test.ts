// "Send test email" through the real Postfix of the private mail stack (Cyrus SASL), delivered
// into Dovecot: every SMTP auth mechanism with every encryption, over the Director's HTTP API.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Encryption, SmtpAuthMechanism } from '@email-profiles/core';
import { mailboxSubjects } from '@email-profiles/mail-stack';
import type { RunningDirector } from '../director.js';
import { ADMIN, browserTab, rejection, testDirector, type TestDirector } from './test-client.js';

const stack = inject('mailStack');
const sender = stack.postfix!.users[0]!;
const recipient = stack.dovecot!.users[0]!;
let env: TestDirector;
let director: RunningDirector;
const bodies: string[] = [];
const browser = () => browserTab(director.url, bodies).client;
let operator: ReturnType<typeof browser>;

beforeAll(async () => {
  env = await testDirector('settings-send');
  director = env.director;
  operator = browser();
  await operator.auth.setup.mutate(ADMIN);
});
afterAll(async () => {
  await env.close();
});

const settings = (password: string) => ({
  method: 'smtp' as const,
  fromAddress: sender.address,
  fromName: 'Email Profiles',
  host: '127.0.0.1',
  port: stack.postfix!.ports.submission,
  encryption: 'starttls' as const,
  requiresAuth: true,
  authType: 'plain' as const,
  username: sender.username,
  password,
  tlsTrust: { mode: 'ca' as const, pem: stack.tls.caPem },
});

const PORTS: Record<Encryption, number> = {
  off: stack.postfix!.ports.smtp,
  starttls: stack.postfix!.ports.submission,
  ssl: stack.postfix!.ports.smtps,
};

const viaEncryption = (encryption: Encryption, authType?: SmtpAuthMechanism) => ({
  ...settings(sender.password),
  port: PORTS[encryption],
  encryption,
  ...(authType
    ? { authType }
    : { requiresAuth: false, authType: undefined, username: undefined, password: '' }),
});

const SUBJECT = 'Email Profiles: test email';
const delivered = async () =>
  (await mailboxSubjects(stack, recipient.address)).filter((subject) => subject === SUBJECT).length;

/** Whether one more test email than `before` arrives in the recipient's mailbox. */
async function oneMoreArrives(before: number): Promise<boolean> {
  for (let i = 0; i < 50; i += 1) {
    if ((await delivered()) > before) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('settings.mail.sendTest', () => {
  it('says to configure the mail settings first, refuses anonymous callers, and checks the address', async () => {
    expect(
      (await rejection(operator.settings.mail.sendTest.mutate({ to: recipient.address }))).data
        ?.code,
    ).toBe('PRECONDITION_FAILED');
    expect(
      (await rejection(browser().settings.mail.sendTest.mutate({ to: recipient.address }))).data
        ?.code,
    ).toBe('UNAUTHORIZED');
    const invalid = await rejection(operator.settings.mail.sendTest.mutate({ to: 'nobody' }));
    expect(invalid.data?.fieldErrors).toEqual([
      { path: ['to'], message: 'An email address needs an "@", like name@example.com' },
    ]);
  });

  it('sends through the configured server and reports every step', async () => {
    await operator.settings.mail.update.mutate(settings(sender.password));
    const before = await delivered();
    const report = await operator.settings.mail.sendTest.mutate({ to: recipient.address });
    expect(report.failure).toBeUndefined();
    expect(report.steps.map((step) => `${step.name}:${step.status}`)).toEqual([
      'dns:ok',
      'tcp:ok',
      'tls:skipped',
      'greeting:ok',
      'starttls:ok',
      'auth:ok',
      'send:ok',
    ]);
    expect(await oneMoreArrives(before)).toBe(true);
  });

  const mechanisms: [SmtpAuthMechanism, string][] = [
    ['plain', 'PLAIN'],
    ['login', 'LOGIN'],
    ['cram-md5', 'CRAM-MD5'],
    ['ntlm', 'NTLM'],
  ];
  const encryptions: Encryption[] = ['off', 'starttls', 'ssl'];
  it.each(
    encryptions.flatMap((encryption) =>
      mechanisms.map(([type, name]) => [encryption, type, name] as const),
    ),
  )(
    'encryption %s, auth %s: logs in with %s and the email arrives',
    async (encryption, authType, mechanism) => {
      await operator.settings.mail.update.mutate(viaEncryption(encryption, authType));
      const before = await delivered();
      const report = await operator.settings.mail.sendTest.mutate({ to: recipient.address });
      expect(report.failure).toBeUndefined();
      const steps = Object.fromEntries(report.steps.map((step) => [step.name, step]));
      expect(steps.auth?.facts?.mechanism).toBe(mechanism);
      expect(steps.tls?.status).toBe(encryption === 'ssl' ? 'ok' : 'skipped');
      expect(steps.starttls?.status === 'ok').toBe(encryption === 'starttls');
      expect(steps.send?.status).toBe('ok');
      expect(await oneMoreArrives(before)).toBe(true);
    },
  );

  it('sends without authentication where the server allows it', async () => {
    await operator.settings.mail.update.mutate(viaEncryption('off'));
    const report = await operator.settings.mail.sendTest.mutate({ to: recipient.address });
    expect(report.failure).toBeUndefined();
    expect(report.steps.find((step) => step.name === 'auth')?.status).toBe('skipped');
  });

  it("reports a rejected login at its step, in the server's words, without the password", async () => {
    await operator.settings.mail.update.mutate(settings('WrongPasswordDoNotLeak'));
    const report = await operator.settings.mail.sendTest.mutate({ to: recipient.address });
    expect(report.ok).toBe(false);
    expect(report.failure).toMatchObject({
      stage: 'auth',
      serverText: expect.stringMatching(/^535/),
    });
    expect(bodies.join('\n')).not.toContain('WrongPasswordDoNotLeak');
    expect(bodies.join('\n')).not.toContain(sender.password);
  });

  it('reports a message the server refuses at the send step, after every step passed', async () => {
    await operator.settings.mail.update.mutate(settings(sender.password));
    const report = await operator.settings.mail.sendTest.mutate({
      to: 'someone@elsewhere.invalid',
    });
    expect(report.ok).toBe(false);
    expect(report.steps.slice(0, -1).every((step) => step.status !== 'failed')).toBe(true);
    expect(report.steps.at(-1)).toMatchObject({ name: 'send', status: 'failed' });
    expect(report.failure?.serverText).toMatch(/^5\d\d /);
  });
});
