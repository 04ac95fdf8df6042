// A stored secret follows its destination, through the real HTTP API: moving a profile's servers
// or the Director's SMTP server somewhere else with the secret left blank is refused on the
// secret's field, and nothing then sent (a connectivity check, Send test email) carries the stored
// secret to the new place. Typing the secret again moves it; other edits keep it.
import { createServer, Socket, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ActorTask, EmailProfileUpdateInput } from '@email-profiles/core';
import { loadMailSettings, loadProfile } from '../db/index.js';
import {
  ADMIN,
  browserTab,
  enrollTestActor,
  rejection,
  testDirector,
  type TestActor,
  type TestDirector,
} from './test-client.js';

const STORED = 'StoredPasswordMustStayHome1';
const TYPED = 'TypedAgainPassword2';

/**
 * A TCP server on 127.0.0.1 that keeps every byte it receives. It speaks just enough SMTP
 * (greeting, EHLO with AUTH PLAIN/LOGIN, accepting everything) that a client that would send a
 * password does send it.
 */
type Recorder = { port: number; received: () => string; connections: () => number };
const servers: Server[] = [];

async function recorder(): Promise<Recorder> {
  const chunks: Buffer[] = [];
  let connections = 0;
  const server = createServer((socket: Socket) => {
    connections += 1;
    let pending = '';
    let inData = false;
    let authStep: 'none' | 'plain' | 'user' | 'pass' = 'none';
    socket.on('error', () => undefined);
    socket.write('220 recorder ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      pending += chunk.toString('latin1');
      let end;
      while ((end = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, end).replace(/\r$/, '');
        pending = pending.slice(end + 1);
        const verb = line.split(' ')[0]?.toUpperCase() ?? '';
        if (inData) {
          if (line === '.') {
            inData = false;
            socket.write('250 2.0.0 queued\r\n');
          }
        } else if (authStep === 'plain' || authStep === 'pass') {
          authStep = 'none';
          socket.write('235 2.7.0 accepted\r\n');
        } else if (authStep === 'user') {
          authStep = 'pass';
          socket.write('334 UGFzc3dvcmQ6\r\n');
        } else if (verb === 'EHLO' || verb === 'HELO') {
          socket.write('250-recorder\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n');
        } else if (verb === 'AUTH') {
          const [, mechanism = '', initial] = line.split(' ');
          if (mechanism.toUpperCase() === 'LOGIN') {
            authStep = 'user';
            socket.write('334 VXNlcm5hbWU6\r\n');
          } else if (initial) socket.write('235 2.7.0 accepted\r\n');
          else {
            authStep = 'plain';
            socket.write('334 \r\n');
          }
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 2.0.0 bye\r\n');
        } else socket.write('250 ok\r\n');
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    received: () => Buffer.concat(chunks).toString('latin1'),
    connections: () => connections,
  };
}

/** Whether recorded traffic holds `secret`, as is or inside any base64 token (SASL PLAIN/LOGIN). */
function holds(traffic: string, secret: string): boolean {
  if (traffic.includes(secret)) return true;
  return (traffic.match(/[A-Za-z0-9+/=]{8,}/g) ?? []).some((token) =>
    Buffer.from(token, 'base64').toString('latin1').includes(secret),
  );
}

/**
 * What an actor does with a probe task, reduced to what matters here: it connects to each server
 * of the profile it was given and logs in there with the password it was given.
 */
async function actLikeAnActor(task: ActorTask): Promise<void> {
  const profile = task.profile;
  if (profile.serverType !== 'imap' && profile.serverType !== 'pop3') throw new Error('not IMAP');
  for (const server of [profile.incoming, profile.outgoing]) {
    await new Promise<void>((resolve) => {
      const socket = new Socket();
      socket.on('error', () => {
        resolve();
      });
      socket.connect(server.port, server.host, () => {
        socket.end(`a1 LOGIN ${profile.username} ${profile.password}\r\n`, () => {
          resolve();
        });
      });
    });
  }
}

let env: TestDirector;
let operator: ReturnType<typeof browserTab>['client'];
let actor: TestActor;

beforeAll(async () => {
  env = await testDirector('secret-destination');
  operator = browserTab(env.director.url).client;
  await operator.auth.setup.mutate(ADMIN);
  const zone = await operator.zones.create.mutate({ name: 'DMZ' });
  actor = await enrollTestActor(env.director.url, operator, zone.id, 'actor 1');
});
afterEach(async () => {
  // Let each test's connections finish before the next one counts its own.
  await new Promise((resolve) => setTimeout(resolve, 50));
});
afterAll(async () => {
  for (const server of servers) server.close();
  await env.close();
});

const imapProfile = (home: Recorder) => ({
  serverType: 'imap' as const,
  emailAddress: 'actor1@example.test',
  actorIds: [actor.id],
  username: 'actor1@example.test',
  password: STORED,
  incoming: {
    host: '127.0.0.1',
    port: home.port,
    encryption: 'off' as const,
    authType: 'plain' as const,
  },
  outgoing: {
    host: '127.0.0.1',
    port: home.port,
    encryption: 'off' as const,
    requiresAuth: true,
    authType: 'plain' as const,
  },
});

/** The edit form's input for a stored profile: its public view, the password blank. */
async function editOf(id: string) {
  const profile = await operator.profiles.get.query({ id });
  if (profile.serverType !== 'imap') throw new Error('expected an IMAP profile');
  return { ...profile, password: '' } satisfies EmailProfileUpdateInput;
}

/** Runs a connectivity check and lets the (test) actor carry out its probe task. */
async function connectivityCheck(profileId: string): Promise<void> {
  await actor.api.actorApi.heartbeat.mutate({});
  await operator.diagnostics.run.mutate({ profileId });
  const tasks = await actor.api.actorApi.nextTasks.mutate({ waitMs: 3_000 });
  const probe = tasks.find((task) => task.kind === 'probe');
  if (!probe) throw new Error('no probe task');
  await actLikeAnActor(probe);
}

const storedPassword = (id: string) => {
  const profile = loadProfile(env.store.db, env.vault, id);
  return profile?.serverType === 'imap' ? profile.password : undefined;
};

describe('profiles.update: the account password follows its servers', () => {
  it.each([
    ['incoming', 'host', 'the incoming server'],
    ['incoming', 'port', 'the incoming server'],
    ['outgoing', 'host', 'the outgoing server'],
    ['outgoing', 'port', 'the outgoing server'],
  ] as const)(
    'refuses moving the %s %s with the password blank; the new server never sees it',
    async (server, field, what) => {
      const home = await recorder();
      const elsewhere = await recorder();
      const { id } = await operator.profiles.create.mutate(imapProfile(home));
      const edit = await editOf(id);
      const moved = {
        ...edit,
        [server]: {
          ...edit[server],
          // 'localhost' is another host name for the same machine: a change of address.
          ...(field === 'host' ? { host: 'localhost' } : {}),
          port: elsewhere.port,
        },
      };
      const refused = await rejection(operator.profiles.update.mutate(moved));
      expect(refused.data?.code).toBe('BAD_REQUEST');
      expect(refused.data?.fieldErrors).toEqual([
        {
          path: ['password'],
          message: `Enter the password again: ${what} changed, so the stored password is not sent to it`,
        },
      ]);
      expect(loadProfile(env.store.db, env.vault, id)).toMatchObject({
        [server]: { port: home.port },
        password: STORED,
      });

      await connectivityCheck(id);
      expect(holds(home.received(), STORED)).toBe(true); // the actor did log in, at home
      expect(elsewhere.connections()).toBe(0);
      expect(holds(elsewhere.received(), STORED)).toBe(false);
      await operator.profiles.delete.mutate({ id });
    },
  );

  it('moves the servers when the password is typed again, and sends only that one there', async () => {
    const home = await recorder();
    const elsewhere = await recorder();
    const { id } = await operator.profiles.create.mutate(imapProfile(home));
    const edit = await editOf(id);
    await operator.profiles.update.mutate({
      ...edit,
      password: TYPED,
      incoming: { ...edit.incoming, port: elsewhere.port },
      outgoing: { ...edit.outgoing, port: elsewhere.port },
    });
    expect(storedPassword(id)).toBe(TYPED);
    await connectivityCheck(id);
    expect(holds(elsewhere.received(), TYPED)).toBe(true);
    expect(holds(elsewhere.received(), STORED)).toBe(false);
    await operator.profiles.delete.mutate({ id });
  });

  it('keeps the password on an edit that leaves the servers alone', async () => {
    const home = await recorder();
    const { id } = await operator.profiles.create.mutate(imapProfile(home));
    const edit = await editOf(id);
    const saved = await operator.profiles.update.mutate({
      ...edit,
      emailAddress: 'renamed@example.test',
      sendVerificationManually: true,
      // The same server, written differently: still the same destination.
      incoming: { ...edit.incoming, host: ' 127.0.0.1 ' },
    });
    expect(saved).toMatchObject({ emailAddress: 'renamed@example.test' });
    expect(storedPassword(id)).toBe(STORED);
    await operator.profiles.delete.mutate({ id });
  });
});

describe('settings.mail.update: the SMTP password follows its server', () => {
  const smtp = (home: Recorder, overrides: Record<string, unknown> = {}) =>
    ({
      method: 'smtp',
      fromAddress: 'director@example.test',
      host: '127.0.0.1',
      port: home.port,
      encryption: 'off',
      requiresAuth: true,
      authType: 'plain',
      username: 'director@example.test',
      password: STORED,
      ...overrides,
    }) as const;
  const storedSmtpPassword = () => {
    const settings = loadMailSettings(env.store.db, env.vault);
    return settings?.method === 'smtp' ? settings.password : undefined;
  };
  const sendTest = () => operator.settings.mail.sendTest.mutate({ to: 'someone@example.test' });

  it.each([
    ['host', { host: 'localhost' }, 'the server address and the port'],
    ['port', {}, 'the port'],
  ] as const)(
    'refuses moving the %s with the password blank; Send test email never reaches the new server',
    async (_, change, what) => {
      const home = await recorder();
      const elsewhere = await recorder();
      await operator.settings.mail.update.mutate(smtp(home));
      const refused = await rejection(
        operator.settings.mail.update.mutate(
          smtp(home, { ...change, port: elsewhere.port, password: '' }),
        ),
      );
      expect(refused.data?.fieldErrors).toEqual([
        {
          path: ['password'],
          message: `Enter the password again: ${what} changed, so the stored password is not sent to it`,
        },
      ]);
      expect(await operator.settings.mail.get.query()).toMatchObject({ port: home.port });

      const report = await sendTest();
      expect(report.ok).toBe(true);
      expect(holds(home.received(), STORED)).toBe(true); // it did log in, at home
      expect(elsewhere.connections()).toBe(0);
      expect(holds(elsewhere.received(), STORED)).toBe(false);
    },
  );

  it('moves the server when the password is typed again, and sends only that one there', async () => {
    const home = await recorder();
    const elsewhere = await recorder();
    await operator.settings.mail.update.mutate(smtp(home));
    await operator.settings.mail.update.mutate(smtp(elsewhere, { password: TYPED }));
    expect(storedSmtpPassword()).toBe(TYPED);
    expect((await sendTest()).ok).toBe(true);
    expect(holds(elsewhere.received(), TYPED)).toBe(true);
    expect(holds(elsewhere.received(), STORED)).toBe(false);
  });

  it('keeps the password on an edit that leaves the server alone', async () => {
    const home = await recorder();
    await operator.settings.mail.update.mutate(smtp(home));
    await operator.settings.mail.update.mutate(
      smtp(home, { password: '', fromName: 'Verification', host: '127.0.0.1 ' }),
    );
    expect(storedSmtpPassword()).toBe(STORED);
  });
});

describe('checks before saving: nothing is stored, and a stored secret goes only where it was entered for', () => {
  const smtpDraft = (port: number, password: string) =>
    ({
      method: 'smtp',
      fromAddress: 'director@example.test',
      host: '127.0.0.1',
      port,
      encryption: 'off',
      requiresAuth: true,
      authType: 'plain',
      username: 'director@example.test',
      password,
    }) as const;

  it('Send test email on unsaved settings: the stored password only to its own server', async () => {
    const home = await recorder();
    const elsewhere = await recorder();
    await operator.settings.mail.update.mutate(smtpDraft(home.port, STORED));
    const saved = await operator.settings.mail.get.query();

    // Moved, the password left blank: refused on the field, and nothing connects there.
    const refused = await rejection(
      operator.settings.mail.sendTest.mutate({
        to: 'someone@example.test',
        draft: smtpDraft(elsewhere.port, ''),
      }),
    );
    expect(refused.data?.fieldErrors).toEqual([
      {
        path: ['password'],
        message:
          'Enter the password again: the port changed, so the stored password is not sent to it',
      },
    ]);
    expect(elsewhere.connections()).toBe(0);

    // The same server, another from-name, the password blank: the stored one, at home.
    const atHome = await operator.settings.mail.sendTest.mutate({
      to: 'someone@example.test',
      draft: { ...smtpDraft(home.port, ''), fromName: 'Draft name' },
    });
    expect(atHome.ok).toBe(true);
    expect(holds(home.received(), STORED)).toBe(true);
    expect(home.received()).toContain('Draft name');

    // Moved with a password typed: that one, there; the stored settings are untouched.
    const moved = await operator.settings.mail.sendTest.mutate({
      to: 'someone@example.test',
      draft: smtpDraft(elsewhere.port, TYPED),
    });
    expect(moved.ok).toBe(true);
    expect(holds(elsewhere.received(), TYPED)).toBe(true);
    expect(holds(elsewhere.received(), STORED)).toBe(false);
    expect(await operator.settings.mail.get.query()).toEqual(saved);
    const stored = loadMailSettings(env.store.db, env.vault);
    expect(stored?.method === 'smtp' && stored.password).toBe(STORED);
  });

  /** Starts a draft's check and lets the (test) actor carry out the probe task it gets. */
  async function draftCheck(draft: Parameters<typeof operator.diagnostics.runDraft.mutate>[0]) {
    await actor.api.actorApi.heartbeat.mutate({});
    const run = await operator.diagnostics.runDraft.mutate(draft);
    const tasks = await actor.api.actorApi.nextTasks.mutate({ waitMs: 3_000 });
    const probe = tasks.find((task) => task.kind === 'probe');
    if (!probe) throw new Error('no probe task');
    await actLikeAnActor(probe);
    await actor.api.actorApi.complete.mutate({
      kind: 'probe',
      taskId: probe.id,
      report: { ok: true, steps: [], durationMs: 1 },
    });
    return { run, probe };
  }

  it("an unsaved edit's connectivity check: the stored password only to its own servers", async () => {
    const home = await recorder();
    const elsewhere = await recorder();
    const { id } = await operator.profiles.create.mutate(imapProfile(home));
    const edit = await editOf(id);
    const movedTo = (port: number, password: string) => ({
      ...edit,
      password,
      incoming: { ...edit.incoming, port },
      outgoing: { ...edit.outgoing, port },
    });

    const refused = await rejection(
      operator.diagnostics.runDraft.mutate({
        kind: 'edit',
        actorId: actor.id,
        profile: movedTo(elsewhere.port, ''),
      }),
    );
    expect(refused.data?.fieldErrors?.[0]?.path).toEqual(['password']);
    expect(await actor.api.actorApi.nextTasks.mutate({ waitMs: 0 })).toEqual([]);

    const { run, probe } = await draftCheck({
      kind: 'edit',
      actorId: actor.id,
      profile: movedTo(elsewhere.port, TYPED),
    });
    expect(run.profileId).toBe(id);
    expect(probe.profile).toMatchObject({ password: TYPED, incoming: { port: elsewhere.port } });
    expect(holds(elsewhere.received(), TYPED)).toBe(true);
    expect(holds(elsewhere.received(), STORED)).toBe(false);
    const after = await operator.diagnostics.get.query({ runId: run.runId });
    expect(after).toMatchObject({ done: true, actors: [{ status: 'done' }] });
    expect(JSON.stringify(after)).not.toContain(TYPED);
    // Nothing stored: the profile still has its servers and password.
    expect(loadProfile(env.store.db, env.vault, id)).toMatchObject({
      password: STORED,
      incoming: { port: home.port },
    });
    await operator.profiles.delete.mutate({ id });
  });

  it("a new profile's check runs from an actor it assigns, and stores nothing", async () => {
    const home = await recorder();
    const before = await operator.profiles.list.query();
    const draft = { ...imapProfile(home), password: TYPED };

    const other = await enrollTestActor(
      env.director.url,
      operator,
      (await operator.zones.list.query())[0]!.id,
      'actor 2',
    );
    const notAssigned = await rejection(
      operator.diagnostics.runDraft.mutate({ kind: 'new', actorId: other.id, profile: draft }),
    );
    expect(notAssigned.data?.code).toBe('BAD_REQUEST');
    expect(notAssigned.data?.fieldErrors?.[0]?.path).toEqual(['actorIds']);

    const { run, probe } = await draftCheck({ kind: 'new', actorId: actor.id, profile: draft });
    expect(run.profileId).toBeNull();
    expect(probe.profile).toMatchObject({ serverType: 'imap', password: TYPED });
    expect(holds(home.received(), TYPED)).toBe(true);
    // Only the actor it was queued for receives it.
    expect(await other.api.actorApi.nextTasks.mutate({ waitMs: 0 })).toEqual([]);
    expect(await operator.profiles.list.query()).toEqual(before);
    expect(
      JSON.stringify(await operator.diagnostics.get.query({ runId: run.runId })),
    ).not.toContain(TYPED);
  });
});
