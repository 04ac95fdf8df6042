import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listedFailure,
  type EmailProfileCreateInput,
  type EmailProfileUpdateInput,
} from '@email-profiles/core';
import {
  createActor,
  createZone,
  getProfileVerification,
  loadProfile,
  putProfileVerification,
  saveProfile,
  type DatabaseHandle,
} from '../db/index.js';
import type { RunningDirector } from '../director.js';
import type { Vault } from '../secrets/vault.js';
import { ADMIN, browserTab, rejection, testDirector, type TestDirector } from './test-client.js';

let env: TestDirector;
let director: RunningDirector;
/** A second connection to the Director's SQLite file, for what has no API yet. */
let store: DatabaseHandle;
let vault: Vault;
/** Every response body the API sent, to look for secrets in. */
const bodies: string[] = [];

const SECRETS = {
  imap: 'ImapPasswordDoNotLeak1',
  imapNew: 'ImapPasswordDoNotLeak2',
  graph: 'GraphSecret~Value.Do-Not-Leak-3',
  gmail: 'GOCSPX-GmailSecretDoNotLeak4',
  refreshToken: '1//RefreshTokenDoNotLeak5',
};

const browser = () => browserTab(director.url, bodies).client;

let operator: ReturnType<typeof browser>;
let zoneId: string;
let otherZoneId: string;
const actorIds: string[] = [];

beforeAll(async () => {
  env = await testDirector('profiles');
  director = env.director;
  store = env.store;
  vault = env.vault;
  operator = browser();
  await operator.auth.setup.mutate(ADMIN);
  zoneId = createZone(store.db, { name: 'DMZ' }).id;
  otherZoneId = createZone(store.db, { name: 'Branch office' }).id;
  for (const name of ['actor 1', 'actor 2', 'actor 3']) {
    actorIds.push(createActor(store.db, { name, zoneId, tokenHash: randomUUID() }).id);
  }
});
afterAll(async () => {
  await env.close();
});

const imap = (overrides: Partial<EmailProfileCreateInput> = {}): EmailProfileCreateInput =>
  ({
    serverType: 'imap',
    emailAddress: 'actor1@example.test',
    zoneId,
    actorIds: actorIds.slice(0, 2),
    username: 'actor1@example.test',
    password: SECRETS.imap,
    incoming: { host: 'imap.example.test', port: 993, encryption: 'ssl', authType: 'plain' },
    outgoing: {
      host: 'smtp.example.test',
      port: 587,
      encryption: 'starttls',
      requiresAuth: true,
      authType: 'plain',
    },
    ...overrides,
  }) as EmailProfileCreateInput;

const graph = (): Extract<EmailProfileCreateInput, { serverType: 'graph' }> => ({
  serverType: 'graph',
  emailAddress: 'actor@contoso.com',
  actorIds: [actorIds[0] ?? ''],
  tenantId: 'contoso.onmicrosoft.com',
  clientId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  clientSecret: SECRETS.graph,
});

const attempt = {
  id: 'attempt-1',
  mode: 'automatic',
  code: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
  requestedAt: '2024-05-01T10:00:00.000Z',
  deadlineAt: '2024-05-01T10:02:00.000Z',
  retries: 0,
} as const;
const failure = {
  stage: 'auth',
  origin: 'actor',
  summary: 'The server refused the password',
  hint: 'Check the password',
  transient: false,
} as const;

/** Marks the first actor verified and the second failed, as verification would. */
function setVerifiedAndFailed(profileId: string) {
  const state = getProfileVerification(store.db, profileId);
  if (!state) throw new Error('no such profile');
  putProfileVerification(store.db, profileId, {
    ...state,
    actors: {
      [actorIds[0] ?? '']: { status: 'verified', attempt, verifiedAt: '2024-05-01T10:01:00.000Z' },
      [actorIds[1] ?? '']: {
        status: 'failed',
        attempt,
        failedAt: '2024-05-01T10:01:00.000Z',
        failure,
      },
    },
  });
}

async function statuses(profileId: string) {
  const list = await operator.profiles.list.query();
  return list.find((item) => item.profile.id === profileId)?.actors;
}

type ImapUpdate = Extract<EmailProfileUpdateInput, { serverType: 'imap' }>;

/** An update input from the public view of an IMAP profile: the same again, password blank. */
async function editOf(id: string): Promise<ImapUpdate> {
  const profile = await operator.profiles.get.query({ id });
  if (profile.serverType !== 'imap') throw new Error('expected an IMAP profile');
  return profile;
}

describe('profiles', () => {
  it('refuses anonymous callers', async () => {
    const anonymous = browser();
    const id = randomUUID();
    const calls = [
      anonymous.profiles.list.query(),
      anonymous.profiles.get.query({ id }),
      anonymous.profiles.create.mutate(imap()),
      anonymous.profiles.update.mutate({ ...imap(), id }),
      anonymous.profiles.delete.mutate({ id }),
      anonymous.profiles.verificationCode.query({ id }),
    ];
    const errors = await Promise.all(calls.map(rejection));
    expect(errors.map((error) => error.data?.code)).toEqual(calls.map(() => 'UNAUTHORIZED'));
  });

  it('creates a profile: public view back, secret sealed, every actor stored unverified', async () => {
    const created = await operator.profiles.create.mutate(imap());
    expect(created).toMatchObject({
      serverType: 'imap',
      emailAddress: 'actor1@example.test',
      zoneId,
      actorIds: actorIds.slice(0, 2),
      sendVerificationManually: false,
    });
    expect(created).not.toHaveProperty('password');
    expect(created.manualCode).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(loadProfile(store.db, vault, created.id)).toMatchObject({ password: SECRETS.imap });
    const sqlite = new Database(director.databaseFile, { readonly: true });
    const rows = sqlite
      .prepare('select actor_id, state from verifications where profile_id = ?')
      .all(created.id) as { actor_id: string; state: string }[];
    sqlite.close();
    expect(rows.map((row) => [row.actor_id, JSON.parse(row.state) as unknown])).toEqual(
      expect.arrayContaining(actorIds.slice(0, 2).map((a) => [a, { status: 'unverified' }])),
    );
    expect(rows).toHaveLength(2);
    expect(await operator.profiles.get.query({ id: created.id })).toEqual(created);
    expect(await statuses(created.id)).toEqual([
      { actorId: actorIds[0], status: 'unverified' },
      { actorId: actorIds[1], status: 'unverified' },
    ]);
  });

  it('rejects invalid input and unknown actors with field paths', async () => {
    const invalid = await rejection(
      operator.profiles.create.mutate(imap({ password: '', emailAddress: 'nobody' })),
    );
    expect(invalid.data?.code).toBe('BAD_REQUEST');
    expect(invalid.data?.fieldErrors).toEqual([
      { path: ['emailAddress'], message: expect.stringContaining('@') as string },
      { path: ['password'], message: 'Enter the account password' },
    ]);
    const unknown = await rejection(
      operator.profiles.create.mutate(imap({ actorIds: [actorIds[0] ?? '', 'no-such-actor'] })),
    );
    expect(unknown.data?.fieldErrors).toEqual([
      { path: ['actorIds'], message: 'Unknown actor: no-such-actor' },
    ]);
    const zone = await rejection(operator.profiles.create.mutate(imap({ zoneId: 'no-such-zone' })));
    expect(zone.data?.fieldErrors).toEqual([
      { path: ['zoneId'], message: 'There is no zone "no-such-zone"' },
    ]);
  });

  it('gets one profile; a bad or unknown id is a clear error', async () => {
    const bad = await rejection(operator.profiles.get.query({ id: 'not an id' }));
    expect(bad.data?.fieldErrors).toEqual([
      { path: ['id'], message: 'Expected an identifier of letters, digits, "-" or "_"' },
    ]);
    const missing = await rejection(operator.profiles.get.query({ id: 'nope' }));
    expect([missing.data?.code, missing.message]).toEqual([
      'NOT_FOUND',
      'There is no profile "nope"',
    ]);
  });

  it('lists each actor with its status and last failure', async () => {
    const { id } = await operator.profiles.create.mutate(imap());
    setVerifiedAndFailed(id);
    expect(await statuses(id)).toEqual([
      { actorId: actorIds[0], status: 'verified' },
      { actorId: actorIds[1], status: 'unverified', failure: listedFailure(failure) },
    ]);
  });

  it('keeps verification on a zone filter change, resets it on a connection change', async () => {
    const { id } = await operator.profiles.create.mutate(imap());
    setVerifiedAndFailed(id);
    const edit = await editOf(id);
    const moved = await operator.profiles.update.mutate({ ...edit, zoneId: otherZoneId });
    expect(moved.zoneId).toBe(otherZoneId);
    expect((await statuses(id))?.map((a) => a.status)).toEqual(['verified', 'unverified']);
    expect(loadProfile(store.db, vault, id)).toMatchObject({ password: SECRETS.imap });

    if (moved.serverType !== 'imap') throw new Error('expected an IMAP profile');
    await operator.profiles.update.mutate({
      ...moved,
      password: SECRETS.imap, // a new server: the password is typed again
      incoming: { ...moved.incoming, host: 'imap2.example.test' },
    });
    expect(await statuses(id)).toEqual([
      { actorId: actorIds[0], status: 'unverified' },
      { actorId: actorIds[1], status: 'unverified' },
    ]);
  });

  it('starts added actors unverified and drops the state of removed ones', async () => {
    const { id } = await operator.profiles.create.mutate(imap());
    setVerifiedAndFailed(id);
    const edit = await editOf(id);
    await operator.profiles.update.mutate({
      ...edit,
      actorIds: [actorIds[0] ?? '', actorIds[2] ?? ''],
    });
    expect(await statuses(id)).toEqual([
      { actorId: actorIds[0], status: 'verified' },
      { actorId: actorIds[2], status: 'unverified' },
    ]);
    expect(Object.keys(getProfileVerification(store.db, id)?.actors ?? {})).toEqual([
      actorIds[0],
      actorIds[2],
    ]);
  });

  it('keeps a blank password, replaces a new one, and puts merge issues on fields', async () => {
    const { id } = await operator.profiles.create.mutate(imap());
    const edit = await editOf(id);
    await operator.profiles.update.mutate({ ...edit, password: SECRETS.imapNew });
    expect(loadProfile(store.db, vault, id)).toMatchObject({ password: SECRETS.imapNew });
    const switched = await rejection(
      operator.profiles.update.mutate({ ...graph(), id, clientSecret: '' }),
    );
    expect(switched.data?.code).toBe('BAD_REQUEST');
    expect(switched.data?.fieldErrors).toEqual([
      { path: ['clientSecret'], message: 'Enter the client secret value' },
    ]);
    const invalid = await rejection(
      operator.profiles.update.mutate({
        ...edit,
        incoming: { host: 'imap.example.test', port: 0, encryption: 'ssl', authType: 'plain' },
      }),
    );
    expect(invalid.data?.fieldErrors?.map((e) => e.path)).toEqual([['incoming', 'port']]);
    const unknown = await rejection(
      operator.profiles.update.mutate({ ...edit, actorIds: ['no-such-actor'] }),
    );
    expect(unknown.data?.fieldErrors).toEqual([
      { path: ['actorIds'], message: 'Unknown actor: no-such-actor' },
    ]);
    const missing = await rejection(
      operator.profiles.update.mutate({ ...edit, id: 'nope', password: 'x' }),
    );
    expect([missing.data?.code, missing.message]).toEqual([
      'NOT_FOUND',
      'There is no profile "nope"',
    ]);
  });

  it('gives the verification code in manual mode only', async () => {
    const automatic = await operator.profiles.create.mutate(imap());
    const refused = await rejection(operator.profiles.verificationCode.query({ id: automatic.id }));
    expect([refused.data?.code, refused.message]).toEqual([
      'PRECONDITION_FAILED',
      'Enable Send verification email manually to use a verification code',
    ]);
    const manual = await operator.profiles.create.mutate(imap({ sendVerificationManually: true }));
    expect(await operator.profiles.verificationCode.query({ id: manual.id })).toEqual({
      code: manual.manualCode,
      to: 'actor1@example.test',
      subject: `(${manual.manualCode})`,
    });
    const bad = await rejection(operator.profiles.verificationCode.query({ id: '' }));
    expect(bad.data?.fieldErrors?.map((e) => e.path)).toEqual([['id']]);
    const missing = await rejection(operator.profiles.verificationCode.query({ id: 'nope' }));
    expect(missing.data?.code).toBe('NOT_FOUND');
  });

  it('deletes a profile once', async () => {
    const { id } = await operator.profiles.create.mutate(graph());
    expect(await operator.profiles.delete.mutate({ id })).toEqual({ id });
    expect((await rejection(operator.profiles.get.query({ id }))).data?.code).toBe('NOT_FOUND');
    const again = await rejection(operator.profiles.delete.mutate({ id }));
    expect([again.data?.code, again.message]).toEqual(['NOT_FOUND', `There is no profile "${id}"`]);
    const bad = await rejection(operator.profiles.delete.mutate({ id: 'not an id' }));
    expect(bad.data?.fieldErrors?.map((e) => e.path)).toEqual([['id']]);
  });

  it('lists and gets profiles without opening any secret', async () => {
    const { id } = await operator.profiles.create.mutate(graph());
    saveProfile(store.db, vault, {
      id: 'gmail-with-consent',
      serverType: 'gmail',
      manualCode: '0f8fad5b-d9cb-469f-a165-70867728950e',
      emailAddress: 'actor@gmail.com',
      sendVerificationManually: false,
      zoneId: null,
      actorIds: [actorIds[0] ?? ''],
      clientId: '1234567890-abc123.apps.googleusercontent.com',
      clientSecret: SECRETS.gmail,
      refreshToken: SECRETS.refreshToken,
      consentedAddress: 'actor@gmail.com',
    } as Parameters<typeof saveProfile>[2]);
    expect(await operator.profiles.get.query({ id: 'gmail-with-consent' })).toMatchObject({
      consentGranted: true,
    });
    // Sealed values that no longer open: reading the public view must not try.
    store.sqlite
      .prepare(`update profiles set sealed_secrets = '{"clientSecret":"v1.broken"}' where id = ?`)
      .run(id);
    const list = await operator.profiles.list.query();
    expect(list.map((item) => item.profile.id)).toContain(id);
    expect(await operator.profiles.get.query({ id })).toMatchObject({ serverType: 'graph' });
  });

  it('never returns a secret', () => {
    expect(bodies.length).toBeGreaterThan(20);
    const all = bodies.join('\n');
    for (const value of Object.values(SECRETS)) expect(all).not.toContain(value);
  });
});
