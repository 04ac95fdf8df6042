// The Director's own failures are the Director's: with a correct profile and only the Director's
// Email Settings broken, every actor's attempt ends with origin "director", the same stage and
// signal as Send test email, and hints that name the Director and its Email Settings, never an
// actor or a profile. Through the real HTTP server and the mail stack's Postfix.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {
  DirectorMailSettingsUpdateInput,
  EmailProfileCreateInput,
} from '@email-profiles/core';
import { closedPort } from '@email-profiles/transport-net/testing';
import {
  ADMIN,
  actorClient,
  browserTab,
  enrollTestActor,
  postfixMailSettings,
  testDirector,
  type TestActor,
  type TestDirector,
} from './test-client.js';

const stack = inject('mailStack');
const mailbox = stack.dovecot!.users[0]!;
const namesTheActorSide = /\bactors?\b|\bactor's\b|\bprofiles?\b|\bprofile's\b/i;

let env: TestDirector;
let operator: ReturnType<typeof browserTab>['client'];
const actors: TestActor[] = [];

beforeAll(async () => {
  env = await testDirector('director-failures');
  operator = browserTab(env.director.url).client;
  await operator.auth.setup.mutate(ADMIN);
  const { id: zoneId } = await operator.zones.create.mutate({ name: 'LAN' });
  for (const name of ['hq-01', 'hq-02']) {
    actors.push(await enrollTestActor(env.director.url, operator, zoneId, name));
  }
});
afterAll(async () => {
  await env.close();
});

function profile(): EmailProfileCreateInput {
  return {
    serverType: 'imap',
    emailAddress: mailbox.address,
    actorIds: actors.map((actor) => actor.id),
    username: mailbox.address,
    password: mailbox.password,
    incoming: {
      host: stack.host,
      port: stack.dovecot!.ports.imaps,
      encryption: 'ssl',
      authType: 'plain',
    },
    outgoing: {
      host: stack.host,
      port: 587,
      encryption: 'starttls',
      requiresAuth: true,
      authType: 'plain',
    },
    tlsTrust: { mode: 'ca', pem: stack.tls.caPem },
  } as EmailProfileCreateInput;
}

const broken: [
  string,
  () => Promise<DirectorMailSettingsUpdateInput>,
  { stage: string; signal: string },
][] = [
  [
    'a wrong SMTP password',
    async () => ({ ...postfixMailSettings(stack), password: 'not the password' }),
    { stage: 'auth', signal: 'smtp-535-5.7.8' },
  ],
  [
    'a CA the Director does not trust',
    async () => ({ ...postfixMailSettings(stack), tlsTrust: { mode: 'system' } }),
    { stage: 'tls', signal: 'tls-untrusted' },
  ],
  [
    'nothing listening on its SMTP port',
    async () => ({ ...postfixMailSettings(stack), port: await closedPort() }),
    { stage: 'tcp', signal: 'tcp-refused' },
  ],
];

describe("the Director's own failures", () => {
  it.each(broken)(
    '%s: the Director is named, once for the profile, not the actors',
    async (_, settings, expected) => {
      await operator.settings.mail.update.mutate(await settings());
      // Both actors are online (their long-poll answers at once).
      for (const actor of actors)
        await actorClient(env.director.url, actor.token).actorApi.nextTasks.mutate({ waitMs: 0 });
      const { id } = await operator.profiles.create.mutate(profile());
      await operator.verification.verify.mutate({ profileId: id });
      let row = (await operator.profiles.list.query()).find((item) => item.profile.id === id);
      for (
        let i = 0;
        i < 400 && row?.actors.some((actor) => actor.status === 'in_progress');
        i += 1
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        row = (await operator.profiles.list.query()).find((item) => item.profile.id === id);
      }
      const listed = row?.actors.map((actor) => actor.failure) ?? [];
      expect(listed).toHaveLength(2);
      // In full, as the troubleshooting view reads it.
      const failures = await Promise.all(
        (row?.actors ?? []).map(({ actorId }) =>
          operator.verification.failure.query({ profileId: id, actorId }),
        ),
      );
      for (const [k, failure] of failures.entries()) {
        expect(listed[k]).toEqual({
          stage: failure?.stage,
          origin: failure?.origin,
          summary: failure?.summary,
          transient: failure?.transient,
          ...(failure?.signal === undefined ? {} : { signal: failure.signal }),
        });
        expect(failure).toMatchObject({ ...expected, origin: 'director' });
        expect(failure?.hint).not.toMatch(namesTheActorSide);
        expect(failure?.summary).not.toMatch(namesTheActorSide);
      }
      // Send test email says the same.
      const report = await operator.settings.mail.sendTest.mutate({ to: mailbox.address });
      expect(report.failure).toMatchObject({ ...expected, origin: 'director' });
      expect(report.failure?.hint).toBe(failures[0]?.hint);
      await operator.profiles.delete.mutate({ id });
    },
  );

  it("words the untrusted CA for the Director's Email Settings", async () => {
    const [, untrusted] = broken[1]!;
    await operator.settings.mail.update.mutate(await untrusted());
    const report = await operator.settings.mail.sendTest.mutate({ to: mailbox.address });
    expect(report.failure?.hint).toMatch(
      /the Director does not trust\. In the TLS trust settings of the Director's Email Settings/,
    );
  });
});
