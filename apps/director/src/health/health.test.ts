// Mailbox health against the real Director (HTTP server, SQLite file), Postfix and Dovecot, on a
// clock the test moves: a daily schedule that verifies again when due, survives a restart, and
// the alerts of a failing and a stale profile by email (through Postfix, read in Dovecot) and by
// a webhook whose signature the receiver checks.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  subjectHasCode,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type ActorTask,
} from '@email-profiles/core';
import { mailboxSubjects } from '@email-profiles/mail-stack';
import {
  ADMIN,
  browserTab,
  enrollTestActor,
  postfixMailSettings,
  rejection,
  testDirector,
  type TestActor,
  type TestDirector,
} from '../routers/test-client.js';
import { webhookSignature } from './alerts.js';

const stack = inject('mailStack');
const mailbox = stack.dovecot!.users[0]!;
const alertBox = stack.dovecot!.users[1]!;
const HOUR = 3_600_000;
const SECRET = 'webhook-signing-secret-0123456789';

let clock = Date.now();
let env: TestDirector;
let operator: ReturnType<typeof browserTab>['client'];
let actor: TestActor;
let receiver: Server;
let hookUrl: string;
const received: { body: string; valid: boolean }[] = [];
let failNextHooks = 0;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return body;
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    void readBody(request).then((body) => {
      const timestamp = String(request.headers[WEBHOOK_TIMESTAMP_HEADER]);
      const valid =
        request.headers[WEBHOOK_SIGNATURE_HEADER] === webhookSignature(SECRET, timestamp, body);
      if (failNextHooks > 0) {
        failNextHooks -= 1;
        response.writeHead(503).end();
        return;
      }
      received.push({ body, valid });
      response.writeHead(valid ? 204 : 401).end();
    });
  });
  hookUrl = `http://127.0.0.1:${await listen(receiver)}/hook`;
  env = await testDirector('health', {
    config: { verifyTimeoutMs: 60_000 },
    timing: { leaseMs: 2_000, sweepMs: 100, deadlineGraceMs: 300 },
    health: {
      clock: () => clock,
      random: () => 0.5,
      timing: { tickMs: 3_600_000, webhookRetryMs: [10, 10], webhookTimeoutMs: 5_000 },
    },
  });
  operator = browserTab(env.director.url).client;
  await operator.auth.setup.mutate(ADMIN);
  const zone = await operator.zones.create.mutate({ name: 'HQ' });
  actor = await enrollTestActor(env.director.url, operator, zone.id, 'hq-01');
  await actor.api.actorApi.nextTasks.mutate({ waitMs: 0 }); // online
  await operator.settings.mail.update.mutate(postfixMailSettings(stack));
});
afterAll(async () => {
  await env.close();
  await new Promise((resolve) => receiver.close(resolve));
});

/** Takes the actor's next task and reports it found (really in the mailbox) or not found. */
async function answer(found: boolean): Promise<void> {
  const [task] = await actor.api.actorApi.nextTasks.mutate({ waitMs: 10_000 });
  if (task?.kind !== 'find_code') throw new Error('expected a find_code task');
  await actor.api.actorApi.complete.mutate({
    kind: 'find_code',
    taskId: task.id,
    result: found
      ? { found: true, subject: await inMailbox(task), via: 'search', durationMs: 5 }
      : {
          found: false,
          failure: {
            stage: 'search',
            summary: 'not found',
            hint: 'look in spam',
            transient: false,
          },
        },
  });
}

async function inMailbox(task: Extract<ActorTask, { kind: 'find_code' }>): Promise<string> {
  for (;;) {
    const subject = (await mailboxSubjects(stack, mailbox.address)).find((s) =>
      subjectHasCode(s, task.code),
    );
    if (subject) return subject;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const row = async (id: string) =>
  (await operator.profiles.list.query()).find((item) => item.profile.id === id)!;

async function createDailyProfile(): Promise<string> {
  const { id } = await operator.profiles.create.mutate({
    serverType: 'imap',
    emailAddress: mailbox.address,
    actorIds: [actor.id],
    schedule: 'daily',
    username: mailbox.address,
    password: mailbox.password,
    incoming: { host: '127.0.0.1', port: 993, encryption: 'ssl', authType: 'plain' },
    outgoing: { host: '127.0.0.1', port: 587, encryption: 'starttls', requiresAuth: false },
  });
  return id;
}

describe('scheduled re-verification', () => {
  it('verifies a daily profile again when due, not before, and keeps the plan over a restart', async () => {
    const id = await createDailyProfile();
    await operator.verification.verify.mutate({ profileId: id });
    await answer(true);
    const verifiedAt = (await row(id)).oldestVerifiedAt;
    expect(verifiedAt).not.toBeNull();

    clock = Date.now();
    await env.director.health.tick();
    const planned = (await operator.health.history.query({ profileId: id })).nextRunAt;
    // One day after the success, less half of the spread (random 0.5 of one hour).
    expect(Date.parse(planned!)).toBe(Date.parse(verifiedAt!) + 24 * HOUR - HOUR / 2);

    clock = Date.parse(planned!) - 60_000;
    await env.director.health.tick();
    expect((await row(id)).actors[0]?.status).toBe('verified');

    await env.restart();
    expect((await operator.health.history.query({ profileId: id })).nextRunAt).toBe(planned);

    clock = Date.parse(planned!) + 1;
    await env.director.health.tick();
    expect((await row(id)).actors[0]?.status).toBe('in_progress');
    await answer(true);
    const history = await operator.health.history.query({ profileId: id });
    expect(history.actors[0]?.attempts.map((a) => a.outcome)).toEqual(['verified', 'verified']);
    expect(Date.parse(history.nextRunAt!)).toBe(clock + 24 * HOUR - HOUR / 2);
    await operator.profiles.delete.mutate({ id });
  });
});

describe('last successes', () => {
  it('are kept through a failure, and forgotten when the connection changes', async () => {
    const id = await createDailyProfile();
    await operator.verification.verify.mutate({ profileId: id });
    await answer(true);
    const verifiedAt = (await row(id)).oldestVerifiedAt;
    await operator.verification.verify.mutate({ profileId: id });
    await answer(false);
    expect((await row(id)).oldestVerifiedAt).toBe(verifiedAt);
    const stored = await operator.profiles.get.query({ id });
    if (stored.serverType !== 'imap') throw new Error('expected the IMAP profile');
    await operator.profiles.update.mutate({
      ...stored,
      password: mailbox.password, // a new destination: the password is typed again
      incoming: { ...stored.incoming, port: 143, encryption: 'starttls' },
    });
    expect((await row(id)).oldestVerifiedAt).toBeNull();
    await operator.profiles.delete.mutate({ id });
  });
});

describe('alerts', () => {
  it('refuses a webhook without its secret, and a secret for another URL', async () => {
    const missing = await rejection(
      operator.health.settings.update.mutate({ webhookUrl: hookUrl, alertEmails: [] }),
    );
    expect(missing.message).toMatch(/signing secret/);
    await operator.health.settings.update.mutate({ webhookUrl: hookUrl, webhookSecret: SECRET });
    const moved = await rejection(
      operator.health.settings.update.mutate({ webhookUrl: `${hookUrl}/elsewhere` }),
    );
    expect(moved.message).toMatch(/URL changed: enter the signing secret again/);
    const view = await operator.health.settings.get.query();
    expect(view).toEqual({
      defaultSchedule: 'off',
      alertEmails: [],
      webhookUrl: hookUrl,
      webhookSecretSet: true,
    });
    expect(JSON.stringify(view)).not.toContain(SECRET);
  });

  it('alerts a failing, then a stale profile once each, by email and signed webhook', async () => {
    await operator.health.settings.update.mutate({
      webhookUrl: hookUrl, // the stored secret is kept: same URL
      alertEmails: [alertBox.address],
    });
    const id = await createDailyProfile();
    await operator.verification.verify.mutate({ profileId: id });
    await answer(true);
    await operator.verification.verify.mutate({ profileId: id });
    await answer(false);

    clock = Date.now();
    failNextHooks = 1; // the first try is refused: the alert is retried
    await env.director.health.tick();
    expect(received).toHaveLength(1);
    expect(received[0]?.valid).toBe(true);
    const alert = JSON.parse(received[0]!.body) as {
      event: string;
      profile: { id: string; emailAddress: string };
      issues: { kind: string; message: string }[];
    };
    expect(alert.event).toBe('profile.health');
    expect(alert.profile).toMatchObject({ id, emailAddress: mailbox.address });
    expect(alert.issues.map((issue) => issue.kind)).toEqual(['failing']);
    expect(alert.issues[0]?.message).toBe('1 actor of 1 failed at search: not found');
    let subjects: string[] = [];
    for (let i = 0; i < 200 && subjects.length === 0; i += 1) {
      subjects = (await mailboxSubjects(stack, alertBox.address)).filter((s) =>
        s.includes(`Email Profiles: ${mailbox.address}: 1 actor of 1 failed at search`),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(subjects).toHaveLength(1);

    // Nothing new: no second alert.
    await env.director.health.tick();
    expect(received).toHaveLength(1);

    // Two days later the scheduled run starts: while it runs nothing is judged (its failure is
    // not gone), and when it fails again only what is new is alerted: stale.
    clock += 2 * 24 * HOUR;
    await env.director.health.tick();
    expect((await row(id)).actors[0]?.status).toBe('in_progress');
    expect(received).toHaveLength(1);
    await answer(false);
    await env.director.health.tick();
    expect(received).toHaveLength(2);
    const stale = JSON.parse(received[1]!.body) as { id: string; issues: { kind: string }[] };
    expect(stale.issues.map((issue) => issue.kind)).toEqual(['stale']);
    expect(stale.id).not.toBe((JSON.parse(received[0]!.body) as { id: string }).id);
    await operator.profiles.delete.mutate({ id });
  });

  it('alerts an expiring client secret at 30 days, again when it turns critical at 7', async () => {
    const day = (n: number) => new Date(clock + n * 24 * HOUR).toISOString().slice(0, 10);
    const { id } = await operator.profiles.create.mutate({
      serverType: 'graph',
      emailAddress: 'box@contoso.example',
      sendVerificationManually: true,
      actorIds: [actor.id],
      tenantId: 'contoso.onmicrosoft.com',
      clientId: '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b',
      clientSecret: 'Qx8~fakeSecretValue.0123456789abcdefGHIJ',
      clientSecretExpiresOn: day(20),
    });
    const before = received.length;
    await env.director.health.tick();
    await env.director.health.tick();
    clock += 14 * 24 * HOUR;
    await env.director.health.tick();
    const alerts = received
      .slice(before)
      .map((hook) => JSON.parse(hook.body) as { issues: { kind: string; severity: string }[] });
    expect(alerts.map((alert) => alert.issues)).toEqual([
      [expect.objectContaining({ kind: 'secret_expiring', severity: 'warning' })],
      [expect.objectContaining({ kind: 'secret_expiring', severity: 'critical' })],
    ]);
    await operator.profiles.delete.mutate({ id });
  });

  it('stops at once while a webhook is being retried', async () => {
    const other = await testDirector('health-stop', {
      health: { timing: { tickMs: 3_600_000, webhookRetryMs: [600_000], webhookTimeoutMs: 5_000 } },
    });
    try {
      const tab = browserTab(other.director.url).client;
      await tab.auth.setup.mutate(ADMIN);
      await tab.health.settings.update.mutate({ webhookUrl: hookUrl, webhookSecret: SECRET });
      await tab.settings.mail.update.mutate({
        method: 'graph',
        fromAddress: 'sender@contoso.example',
        tenantId: 'contoso.onmicrosoft.com',
        clientId: '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b',
        clientSecret: 'Qx8~fakeSecretValue.0123456789abcdefGHIJ',
        clientSecretExpiresOn: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
      });
      failNextHooks = 1; // refused: the next try is ten minutes away
      const refusedBefore = received.length;
      const delivering = other.director.health.tick();
      while (failNextHooks > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      // Stopping does not wait out the ten minutes (the test's own timeout would fail first).
      await other.director.close();
      await delivering;
      expect(received.length).toBe(refusedBefore);
    } finally {
      await other.close().catch(() => undefined);
    }
  });
});
