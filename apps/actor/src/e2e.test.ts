// End to end: the real Director (HTTP, SQLite), real actor processes (the CLI: enroll, run), the
// real mail stack (the Director sends through Postfix into Dovecot; actors read over IMAP and
// POP3) and the HTTP fakes of Microsoft Graph and Google for those profile types.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import {
  verificationSubject,
  type EmailProfileCreateInput,
  type ProfileListItem,
} from '@email-profiles/core';
import { loadConfig, startDirector } from '@email-profiles/director';
import { loadProfile, saveProfile } from '@email-profiles/director/db';
import {
  ADMIN,
  browserTab,
  testDirector,
  type TestDirector,
} from '@email-profiles/director/testing';
import { mailboxSubjects } from '@email-profiles/mail-stack';
import type { FakeGraph } from '@email-profiles/transport-graph/testing';
import {
  startFakeGoogle,
  fakeMessage,
  type FakeGoogle,
} from '@email-profiles/transport-gmail/testing';
import { closedPort } from '@email-profiles/transport-net/testing';
import { createSmtpTransport } from '@email-profiles/transport-smtp';
import { TEST_ENDPOINTS_ENV } from './options.js';
import { GRAPH_CLIENT, GRAPH_SECRET, GRAPH_TENANT, startGraphFake } from './testing/profiles.js';
import { ActorFleet, runCli, type ActorProcess } from './testing/processes.js';

const stack = inject('mailStack');
const sender = stack.postfix!.users[0]!;
const [user1, user2] = stack.dovecot!.users;
const ca = { mode: 'ca', pem: stack.tls.caPem } as const;
const GRAPH_MAILBOX = 'actor1@contoso.example';
const TIMING = { leaseMs: 10_000, sweepMs: 200, deadlineGraceMs: 1_000 };
const VERIFY_TIMEOUT_MS = 30_000;

let env: TestDirector;
let operator: ReturnType<typeof browserTab>['client'];
let graph: FakeGraph;
let google: FakeGoogle;
let credentialsDir: string;
const fleet = new ActorFleet();
const zones: Record<string, string> = {};
type Enrolled = { id: string; credential: string; process?: ActorProcess };
const actors: Record<string, Enrolled> = {};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let value = await probe();
  while (!ok(value)) {
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(100);
    value = await probe();
  }
  return value;
}

function actorEnv(): Record<string, string> {
  return {
    [TEST_ENDPOINTS_ENV]: JSON.stringify({
      graph: graph.endpoints,
      gmail: { api: google.endpoints.api, token: google.endpoints.token },
      pollMs: 200,
    }),
  };
}

async function enroll(name: string, zone: string): Promise<Enrolled> {
  const { token } = await operator.actors.createEnrollmentToken.mutate({ zoneId: zones[zone]! });
  const credential = join(credentialsDir, `${name}.json`);
  const result = await runCli([
    'enroll',
    '--director',
    env.director.url,
    '--token',
    token,
    '--name',
    name,
    '--zone',
    zone,
    '--credential',
    credential,
  ]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const list = await operator.actors.list.query();
  const id = list.find((actor) => actor.name === name)!.id;
  return { id, credential };
}

async function startActor(name: string): Promise<void> {
  const actor = actors[name]!;
  actor.process = fleet.start(actor.credential, actorEnv());
  await until(
    `${name} online`,
    () => operator.actors.list.query(),
    (list) => list.some((a) => a.id === actor.id && a.connection === 'online'),
    60_000,
  );
}

type Overrides = Partial<{
  serverType: 'imap' | 'pop3';
  user: typeof user1;
  password: string;
  port: number;
  actors: string[];
  manual: boolean;
}>;

async function mailProfile(o: Overrides = {}): Promise<string> {
  const user = o.user ?? user1!;
  const serverType = o.serverType ?? 'imap';
  const input: EmailProfileCreateInput = {
    serverType,
    emailAddress: user.address,
    sendVerificationManually: o.manual ?? false,
    actorIds: (o.actors ?? ['alpha']).map((name) => actors[name]!.id),
    username: user.username,
    password: o.password ?? user.password,
    incoming: {
      host: '127.0.0.1',
      port:
        o.port ?? (serverType === 'imap' ? stack.dovecot!.ports.imap : stack.dovecot!.ports.pop3),
      encryption: 'starttls',
      authType: 'plain',
      tlsTrust: ca,
    },
    outgoing: {
      host: '127.0.0.1',
      port: stack.postfix!.ports.submission,
      encryption: 'starttls',
      requiresAuth: false,
      tlsTrust: ca,
    },
  };
  return (await operator.profiles.create.mutate(input)).id;
}

async function row(profileId: string): Promise<ProfileListItem> {
  const list = await operator.profiles.list.query();
  const found = list.find((item) => item.profile.id === profileId);
  if (!found) throw new Error(`no profile ${profileId}`);
  return found;
}

/** Waits until no actor of the profile is in progress any more; the row as it ended. */
async function settled(profileId: string, timeoutMs = VERIFY_TIMEOUT_MS): Promise<ProfileListItem> {
  return until(
    'the verification to end',
    () => row(profileId),
    (r) => r.actors.every((a) => a.status !== 'in_progress'),
    timeoutMs,
  );
}

async function verify(profileId: string): Promise<ProfileListItem> {
  const started = await operator.verification.verify.mutate({ profileId });
  expect(started.started.length).toBeGreaterThan(0);
  return settled(profileId);
}

/** Manual mode: the test sends the email itself, through the real SMTP server (Postfix). */
async function sendManually(to: string, code: string): Promise<void> {
  const sent = await createSmtpTransport({
    host: '127.0.0.1',
    port: stack.postfix!.ports.submission,
    encryption: 'starttls',
    tlsTrust: ca,
    auth: { type: 'plain', username: sender.username, password: sender.password },
  }).send({
    from: sender.address,
    to,
    subject: verificationSubject(code),
    text: 'Manual verification',
  });
  expect(sent.ok).toBe(true);
}

beforeAll(async () => {
  graph = await startGraphFake(GRAPH_MAILBOX);
  google = await startFakeGoogle();
  credentialsDir = mkdtempSync(join(tmpdir(), 'actor-e2e-'));
  env = await testDirector('actor-e2e', {
    log: pino({ level: 'silent' }),
    config: { verifyTimeoutMs: VERIFY_TIMEOUT_MS },
    timing: TIMING,
  });
  operator = browserTab(env.director.url).client;
  await operator.auth.setup.mutate(ADMIN);
  for (const name of ['DMZ', 'LAN'])
    zones[name] = (await operator.zones.create.mutate({ name })).id;
  await operator.settings.mail.update.mutate({
    method: 'smtp',
    fromAddress: sender.address,
    host: '127.0.0.1',
    port: stack.postfix!.ports.submission,
    encryption: 'starttls',
    requiresAuth: true,
    authType: 'plain',
    username: sender.username,
    password: sender.password,
    tlsTrust: ca,
  });
  actors.alpha = await enroll('alpha', 'DMZ');
  actors.beta = await enroll('beta', 'LAN');
  await Promise.all([startActor('alpha'), startActor('beta')]);
}, 120_000);

afterAll(async () => {
  await fleet.killAll();
  await env.close();
  await graph.close();
  await google.close();
  rmSync(credentialsDir, { recursive: true, force: true });
  expect(graph.violations).toEqual([]);
  expect(google.violations).toEqual([]);
  // Nothing secret in what the actors printed.
  const printed = fleet.processes.flatMap((p) => p.output).join('');
  for (const secret of [user1!.password, user2!.password, GRAPH_SECRET, google.state.clientSecret])
    expect(printed).not.toContain(secret);
}, 60_000);

describe('enroll', () => {
  it("stores the credential with mode 0600 and refuses a used token with the Director's reason", async () => {
    expect(statSync(actors.alpha!.credential).mode & 0o777).toBe(0o600);
    const { token } = await operator.actors.createEnrollmentToken.mutate({ zoneId: zones.DMZ! });
    const args = ['--director', env.director.url, '--token', token, '--name', 'gamma'];
    const credential = join(credentialsDir, 'gamma.json');
    expect((await runCli(['enroll', ...args, '--credential', credential])).code).toBe(0);
    const again = await runCli(['enroll', ...args, '--credential', join(credentialsDir, 'x.json')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already used/);
    actors.gamma = {
      id: (await operator.actors.list.query()).find((a) => a.name === 'gamma')!.id,
      credential,
    };
  });

  it('takes any token as printed: none starts with a dash, and one that does is still a token', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 64 }, () =>
        operator.actors.createEnrollmentToken.mutate({ zoneId: zones.DMZ! }),
      ),
    );
    expect(tokens.filter(({ token }) => token.startsWith('-'))).toEqual([]);
    // A dash-led value (an old token, a typo) reaches the Director instead of being an option.
    const dashed = await runCli([
      'enroll',
      '--director',
      env.director.url,
      '--token',
      `-${tokens[0]!.token.slice(1)}`,
      '--name',
      'dash',
      '--credential',
      join(credentialsDir, 'dash.json'),
    ]);
    expect(dashed.stderr).toMatch(/not known to the Director/);
    expect(dashed.code).toBe(1);
  });

  it('explains bad arguments', async () => {
    const missing = await runCli(['enroll', '--director', env.director.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Missing --token/);
    const badUrl = await runCli([
      'enroll',
      '--director',
      'ftp://x',
      '--token',
      'a'.repeat(43),
      '--name',
      'n',
      '--credential',
      join(credentialsDir, 'n.json'),
    ]);
    expect(badUrl.stderr).toMatch(/must start with https:\/\/ or http:\/\//);
    const noCredential = await runCli(['run', '--credential', join(credentialsDir, 'none.json')]);
    expect(noCredential.code).toBe(1);
    expect(noCredential.stderr).toMatch(/No actor credential .* enroll first/);
  });
});

describe('Verify → Verified', () => {
  it('an IMAP profile (the Director sends through Postfix, the actor finds it over IMAP)', async () => {
    const profileId = await mailProfile();
    expect((await verify(profileId)).actors).toEqual([
      { actorId: actors.alpha!.id, status: 'verified' },
    ]);
  });

  it('a POP3 profile', async () => {
    const profileId = await mailProfile({ serverType: 'pop3', user: user2 });
    expect((await verify(profileId)).actors).toMatchObject([{ status: 'verified' }]);
  });

  it('a Microsoft Graph profile (HTTP fake; the email arrives in the fake mailbox)', async () => {
    const profile = await operator.profiles.create.mutate({
      serverType: 'graph',
      emailAddress: GRAPH_MAILBOX,
      sendVerificationManually: true,
      actorIds: [actors.alpha!.id],
      tenantId: GRAPH_TENANT,
      clientId: GRAPH_CLIENT,
      clientSecret: GRAPH_SECRET,
    });
    graph.deliver(GRAPH_MAILBOX, verificationSubject(profile.manualCode));
    expect((await verify(profile.id)).actors).toMatchObject([{ status: 'verified' }]);
  });

  it('a Gmail profile (HTTP fake, after consent)', async () => {
    const profile = await operator.profiles.create.mutate({
      serverType: 'gmail',
      emailAddress: google.state.account,
      sendVerificationManually: true,
      actorIds: [actors.alpha!.id],
      clientId: google.state.clientId,
      clientSecret: google.state.clientSecret,
    });
    // Consent (Google's page) is the web app's part; here its result is stored directly.
    const stored = loadProfile(env.store.db, env.vault, profile.id)!;
    saveProfile(env.store.db, env.vault, {
      ...stored,
      refreshToken: google.state.refreshToken,
    } as typeof stored);
    google.state.messages.push(fakeMessage(verificationSubject(profile.manualCode)));
    expect((await verify(profile.id)).actors).toMatchObject([{ status: 'verified' }]);
  });

  it('two actors in different zones on one profile, each with its own code', async () => {
    const before = new Set(await mailboxSubjects(stack, user1!.address));
    const profileId = await mailProfile({ actors: ['alpha', 'beta'] });
    expect((await verify(profileId)).actors).toEqual([
      { actorId: actors.alpha!.id, status: 'verified' },
      { actorId: actors.beta!.id, status: 'verified' },
    ]);
    const added = (await mailboxSubjects(stack, user1!.address)).filter((s) => !before.has(s));
    const codes = new Set(added.map((s) => /\(([0-9a-f-]{36})\)/.exec(s)?.[1]));
    expect(codes.size).toBe(2);
  });

  it('manual mode: the email sent by the test through the real SMTP server, subject (<UUID>)', async () => {
    const profileId = await mailProfile({ manual: true });
    const manual = await operator.profiles.verificationCode.query({ id: profileId });
    expect(manual.subject).toBe(`(${manual.code})`);
    await sendManually(user1!.address, manual.code);
    expect((await verify(profileId)).actors).toMatchObject([{ status: 'verified' }]);
  });
});

describe('Verify → Unverified, with the stage and a hint', () => {
  it('a wrong password: the auth stage', async () => {
    const profileId = await mailProfile({ password: 'not-the-password' });
    const ended = await verify(profileId);
    expect(ended.actors[0]).toMatchObject({ status: 'unverified', failure: { stage: 'auth' } });
    const failure = await operator.verification.failure.query({
      profileId,
      actorId: ended.actors[0]!.actorId,
    });
    expect(failure?.hint.length).toBeGreaterThan(20);
  });

  it('a closed port: the tcp stage', async () => {
    const profileId = await mailProfile({ port: await closedPort() });
    const ended = await verify(profileId);
    expect(ended.actors[0]).toMatchObject({ status: 'unverified', failure: { stage: 'tcp' } });
  });
});

describe('connectivity check and cancel', () => {
  it('a connectivity check streams the incoming and outgoing steps from the actor', async () => {
    const profileId = await mailProfile({ password: 'not-the-password' });
    const { runId } = await operator.diagnostics.run.mutate({ profileId });
    const snapshot = await until(
      'the check to finish',
      () => operator.diagnostics.get.query({ runId }),
      (s) => s.done,
    );
    const [actor] = snapshot.actors;
    expect(actor).toMatchObject({ actorId: actors.alpha!.id, status: 'done' });
    const steps = actor!.steps.map((s) => `${String(s.facts?.server)}:${s.name}:${s.status}`);
    expect(steps).toContain('incoming:tcp:ok');
    expect(steps).toContain('incoming:auth:failed');
    expect(steps).toContain('outgoing:greeting:ok');
    expect(actor!.report?.failure?.stage).toBe('auth');
  });

  it('Cancel stops the actor search (the heartbeat reply names the task)', async () => {
    const profileId = await mailProfile({ manual: true, actors: ['beta'] });
    await operator.verification.verify.mutate({ profileId });
    const beta = actors.beta!.process!;
    await until(
      'beta to start looking',
      async () => beta.output.join(''),
      (out) => out.includes(`"kind":"find_code"`) && out.includes('task started'),
    );
    const before = beta.output.join('').split('task cancelled by the Director').length;
    expect((await operator.verification.cancel.mutate({ profileId })).cancelled).toHaveLength(1);
    await until(
      'beta to stop looking',
      async () => beta.output.join('').split('task cancelled by the Director').length,
      (count) => count > before,
    );
    expect((await row(profileId)).actors).toMatchObject([{ status: 'unverified' }]);
  });
});

describe('when things break', () => {
  it('the Director restarts while the actor waits: the actor reconnects and delivers its result', async () => {
    const profileId = await mailProfile({ manual: true, user: user2 });
    const { code } = await operator.profiles.verificationCode.query({ id: profileId });
    await operator.verification.verify.mutate({ profileId });
    // The actor is looking (its check started) before the Director goes away.
    const history = () => operator.verification.history.query({ profileId });
    await until('the check to start', history, (h) => h.length > 0);
    await sleep(1_000);
    const dataDir = dirname(env.director.databaseFile);
    const port = new URL(env.director.url).port;
    await env.director.close();
    // Found while the Director is down: the actor keeps the result until it can deliver it.
    await sendManually(user2!.address, code);
    await sleep(1_500);
    env.director = await startDirector(
      {
        ...loadConfig({ EMAIL_PROFILES_PORT: port, EMAIL_PROFILES_DATA_DIR: dataDir }),
        verifyTimeoutMs: VERIFY_TIMEOUT_MS,
      },
      pino({ level: 'silent' }),
      { timing: TIMING },
    );
    operator = browserTab(env.director.url).client;
    await operator.auth.login.mutate(ADMIN);
    expect((await settled(profileId)).actors).toMatchObject([{ status: 'verified' }]);
    const printed = actors.alpha!.process!.output.join('');
    expect(printed).toMatch(/"outcome":"found".*task finished[\s\S]*result kept for later/);
    expect(printed).toMatch(/Director reachable again/);
  });

  it('a graceful stop hands the running task back; the actor started again picks it up', async () => {
    const profileId = await mailProfile({ manual: true, actors: ['beta'] });
    const { code } = await operator.profiles.verificationCode.query({ id: profileId });
    await operator.verification.verify.mutate({ profileId });
    await until(
      'beta to take the task',
      () => operator.verification.history.query({ profileId }),
      (h) => h.length > 0,
    );
    await sleep(500);
    const beta = actors.beta!.process!;
    expect(await fleet.stop(beta)).toBe(0);
    expect(beta.output.join('')).toMatch(/"released":1,.*tasks handed back/);
    expect((await row(profileId)).actors).toMatchObject([{ status: 'in_progress' }]);
    await sendManually(user1!.address, code);
    await startActor('beta');
    expect((await settled(profileId)).actors).toMatchObject([{ status: 'verified' }]);
  });

  it('an actor killed mid-task: the Director sees the lease expire', async () => {
    await startActor('gamma');
    const profileId = await mailProfile({ manual: true, actors: ['gamma'] });
    await operator.verification.verify.mutate({ profileId });
    await until(
      'gamma to take the task',
      () => operator.verification.history.query({ profileId }),
      (h) => h.length > 0,
    );
    await sleep(500);
    const gamma = actors.gamma!.process!;
    process.kill(gamma.pid, 'SIGKILL');
    await gamma.exited;
    const ended = await settled(profileId);
    expect(ended.actors[0]).toMatchObject({ status: 'unverified' });
    expect(ended.actors[0]!.failure?.summary).toMatch(/actor/i);
  });

  it('a revoked actor stops, saying to enroll again', async () => {
    actors.delta = await enroll('delta', 'LAN');
    await startActor('delta');
    await operator.actors.revoke.mutate({ id: actors.delta.id });
    const delta = actors.delta.process!;
    expect(await delta.exited).toBe(1);
    expect(delta.output.join('')).toMatch(
      /refused this actor's token \(revoked\?\): enroll the actor again/,
    );
  });
});
