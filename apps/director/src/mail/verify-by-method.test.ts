// A verification run end to end with the Director sending through each of its methods: SMTP with
// every auth mechanism through the real Postfix (Cyrus SASL) into Dovecot, Office 365 through the
// Graph fake, Gmail through the Google fake (after the consent over HTTP). The actor is simulated
// through the actor API: it looks for its code where the method delivered the email.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { subjectHasCode, type SmtpAuthMechanism } from '@email-profiles/core';
import { mailboxSubjects } from '@email-profiles/mail-stack';
import type { FakeGoogle } from '@email-profiles/transport-gmail/testing';
import type { FakeGraph } from '@email-profiles/transport-graph/testing';
import {
  consent,
  gmailSettings,
  startCloudFakes,
  type CloudFakes,
} from '../routers/gmail-test-support.js';
import {
  ADMIN,
  browserTab,
  enrollTestActor,
  postfixMailSettings,
  testDirector,
  type TestActor,
  type TestDirector,
} from '../routers/test-client.js';

const stack = inject('mailStack');
const mailbox = stack.dovecot!.users[0]!;
const TENANT = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const CLIENT = '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b';
const SECRET = 'Qx8~GraphSecretOfTheDirector';
const GRAPH_SENDER = 'director@contoso.example';

let fakes: CloudFakes;
let graph: FakeGraph;
let google: FakeGoogle;
let env: TestDirector;
let operator: ReturnType<typeof browserTab>['client'];
let actor: TestActor;

beforeAll(async () => {
  fakes = await startCloudFakes();
  ({ graph, google } = fakes);
  graph.addApp({ tenantId: TENANT, clientId: CLIENT, secret: SECRET, roles: ['Mail.Send'] });
  graph.addMailbox(GRAPH_SENDER);
  graph.addMailbox(mailbox.address);
  env = await testDirector('verify-by-method', {
    env: fakes.env,
    config: { verifyTimeoutMs: 30_000 },
  });
  operator = browserTab(env.director.url).client;
  await operator.auth.setup.mutate(ADMIN);
  const { id: zoneId } = await operator.zones.create.mutate({ name: 'DMZ' });
  actor = await enrollTestActor(env.director.url, operator, zoneId, 'actor A');
});
afterAll(async () => {
  await env.close();
  await fakes.close();
});
afterEach(() => {
  fakes.checkAfterEach();
});

const smtp = (authType: SmtpAuthMechanism) => postfixMailSettings(stack, authType);

/** Where each method puts the Director's email: the subjects the recipient can see. */
const delivered = {
  smtp: () => mailboxSubjects(stack, mailbox.address),
  graph: () =>
    Promise.resolve(graph.mailboxes.get(mailbox.address)?.messages.map((m) => m.subject) ?? []),
  // Gmail's fake keeps the raw messages sent; only those to the profile's address count.
  gmail: () =>
    Promise.resolve(
      google.state.sent
        .filter((raw) => raw.includes(`To: ${mailbox.address}`))
        .map((raw) => /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? ''),
    ),
};

/** The simulated actor: its task, then its code where the method delivered it. */
async function actorVerifies(method: keyof typeof delivered): Promise<string> {
  const [task] = await actor.api.actorApi.nextTasks.mutate({ waitMs: 10_000 });
  if (task?.kind !== 'find_code') throw new Error(`expected a find_code task, got ${task?.kind}`);
  await actor.api.actorApi.progress.mutate({
    type: 'check_started',
    taskId: task.id,
    at: new Date().toISOString(),
  });
  let subject: string | undefined;
  for (let i = 0; i < 100 && subject === undefined; i += 1) {
    subject = (await delivered[method]()).find((s) => subjectHasCode(s, task.code));
    if (subject === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await actor.api.actorApi.complete.mutate({
    kind: 'find_code',
    taskId: task.id,
    result:
      subject === undefined
        ? {
            found: false,
            failure: { stage: 'search', summary: 'not found', hint: '-', transient: false },
          }
        : { found: true, subject, via: 'search', durationMs: 1 },
  });
  return subject ?? 'not found';
}

async function verifyProfile(method: keyof typeof delivered): Promise<string[]> {
  await actor.api.actorApi.nextTasks.mutate({ waitMs: 0 }); // online
  const { id } = await operator.profiles.create.mutate({
    serverType: 'imap',
    emailAddress: mailbox.address,
    actorIds: [actor.id],
    username: mailbox.address,
    password: mailbox.password,
    incoming: { host: '127.0.0.1', port: 993, encryption: 'ssl', authType: 'plain' },
    outgoing: {
      host: '127.0.0.1',
      port: 587,
      encryption: 'starttls',
      requiresAuth: true,
      authType: 'plain',
    },
  });
  expect(await operator.verification.verify.mutate({ profileId: id })).toEqual({
    started: [actor.id],
    alreadyRunning: [],
  });
  expect(await actorVerifies(method)).toMatch(/\([0-9a-f-]{36}\)/);
  const row = (await operator.profiles.list.query()).find((item) => item.profile.id === id);
  await operator.profiles.delete.mutate({ id });
  return row?.actors.map((a) => `${a.status}${a.failure ? `: ${a.failure.summary}` : ''}`) ?? [];
}

describe('a verification with the Director sending', () => {
  it.each<SmtpAuthMechanism>(['plain', 'login', 'cram-md5', 'ntlm'])(
    'through SMTP with %s',
    async (authType) => {
      await operator.settings.mail.update.mutate(smtp(authType));
      expect(await verifyProfile('smtp')).toEqual(['verified']);
    },
  );

  it('through Office 365 (Graph sendMail)', async () => {
    await operator.settings.mail.update.mutate({
      method: 'graph',
      fromAddress: GRAPH_SENDER,
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: SECRET,
    });
    expect(await verifyProfile('graph')).toEqual(['verified']);
  });

  it('through the Gmail API, after the Google consent', async () => {
    await operator.settings.mail.update.mutate(gmailSettings(google));
    const granted = await consent(env.director.url, operator, google, { target: 'mail-settings' });
    expect(granted.outcome).toBe('granted');
    expect(await verifyProfile('gmail')).toEqual(['verified']);
  });
});
