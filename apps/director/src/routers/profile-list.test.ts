// profiles.list reads statuses straight from SQL and reuses rows it validated before: checked
// against core's profileListItem over every kind of state, and for staleness and secrets.
import { explainFailure, profileListItem, type ActorVerification } from '@email-profiles/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteProfile,
  getProfileVerification,
  getPublicProfile,
  openDatabase,
  putActorVerification,
  saveProfile,
  setProfileActors,
  touchActor,
} from '../db/index.js';
import { profileOf, SECRETS, seedActors, tempDatabase } from '../db/test-support.js';
import { profileList } from './profile-list.js';
import { ADMIN, browserTab, rejection, testDirector, type TestDirector } from './test-client.js';

let env: TestDirector;
let operator: ReturnType<typeof browserTab>['client'];
const bodies: string[] = [];
let actorIds: string[] = [];

const attempt = {
  id: 'attempt-1',
  mode: 'automatic',
  code: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
  requestedAt: '2024-05-01T10:00:00.000Z',
  deadlineAt: '2999-01-01T00:00:00.000Z', // not passed: verification would time it out
  retries: 0,
} as const;
const at = '2024-05-01T10:01:00.000Z';

/** One state of every kind; the last actor of each profile keeps no stored state. */
const states: ActorVerification[] = [
  { status: 'verified', attempt, verifiedAt: at },
  {
    status: 'failed',
    attempt,
    failedAt: at,
    failure: explainFailure({
      stage: 'auth',
      protocol: 'imap',
      serverText: 'NO [AUTHENTICATIONFAILED] Authentication failed.',
    }),
  },
  { status: 'requested', attempt },
  { status: 'sent', attempt, sentAt: at },
  { status: 'checking', attempt, checkStartedAt: at },
  { status: 'unverified' },
];

/** What core's own assembly gives for every stored profile. */
function expected(store = env.store) {
  const ids = store.sqlite
    .prepare('SELECT id FROM profiles ORDER BY created_at, rowid')
    .pluck()
    .all() as string[];
  return ids.map((id) => {
    const profile = getPublicProfile(store.db, id);
    if (!profile) throw new Error(`no profile ${id}`);
    return profileListItem(profile, getProfileVerification(store.db, id));
  });
}

beforeAll(async () => {
  env = await testDirector('profile-list');
  operator = browserTab(env.director.url, bodies).client;
  await operator.auth.setup.mutate(ADMIN);
  actorIds = seedActors(env.store, 7);
  const types = ['imap', 'pop3', 'graph', 'gmail'] as const;
  types.forEach((type, i) => {
    // Actors assigned in an order that is neither creation nor id order.
    const assigned = [...actorIds].reverse().slice(i % 2, 7);
    const profile = profileOf(type, assigned, `p-${type}`);
    saveProfile(env.store.db, env.vault, profile);
    setProfileActors(env.store.db, profile.id, assigned);
    states.forEach((state, k) => {
      const actorId = assigned[(k + i) % (assigned.length - 1)];
      if (actorId) putActorVerification(env.store.db, profile.id, actorId, state);
    });
  });
});
afterAll(async () => {
  await env.close();
});

describe('profiles.list', () => {
  it('lists what core assembles from whole states, in order, for every kind of state', async () => {
    const list = await operator.profiles.list.query();
    expect(list).toEqual(expected());
    const shown = new Set(list.flatMap((item) => item.actors.map((actor) => actor.status)));
    expect([...shown].sort()).toEqual(['in_progress', 'unverified', 'verified']);
    expect(list.some((item) => item.actors.some((actor) => actor.failure))).toBe(true);
  });

  it('shows a changed state, a new profile and a deleted one on the next call', async () => {
    await operator.profiles.list.query();
    const [first] = actorIds;
    putActorVerification(env.store.db, 'p-imap', first ?? '', {
      status: 'failed',
      attempt,
      failedAt: at,
      failure: explainFailure({ stage: 'tcp', errorCode: 'ECONNREFUSED' }),
    });
    env.store.sqlite.prepare('DELETE FROM profiles WHERE id = ?').run('p-pop3');
    const extra = profileOf('imap', [first ?? ''], 'p-extra');
    saveProfile(env.store.db, env.vault, extra);
    const list = await operator.profiles.list.query();
    expect(list).toEqual(expected());
    expect(list.map((item) => item.profile.id)).toEqual([
      'p-imap',
      'p-graph',
      'p-gmail',
      'p-extra',
    ]);
    const imap = list[0]?.actors.find((actor) => actor.actorId === first);
    expect(imap?.failure?.signal).toBe('tcp-refused');
  });

  it('strips a field the public schema does not have, even one slipped into a listed row', async () => {
    await operator.profiles.list.query();
    env.store.sqlite
      .prepare(
        `UPDATE profiles SET public_fields = json_set(public_fields, '$.password', ?) WHERE id = ?`,
      )
      .run('SmuggledPasswordDoNotLeak', 'p-imap');
    const list = await operator.profiles.list.query();
    expect(JSON.stringify(list)).not.toContain('SmuggledPasswordDoNotLeak');
    expect(list).toEqual(expected());
  });

  it('refuses to send a stored row the public schema rejects', async () => {
    env.store.sqlite
      .prepare(
        `UPDATE profiles SET public_fields = json_set(public_fields, '$.emailAddress', ?) WHERE id = ?`,
      )
      .run('not an address', 'p-graph');
    const refused = await rejection(operator.profiles.list.query());
    // The caller learns no internals (the Director's log has the details).
    expect([refused.data?.code, refused.message]).toEqual([
      'INTERNAL_SERVER_ERROR',
      'Internal error',
    ]);
  });

  it('never returns a secret', () => {
    const all = bodies.join('\n');
    for (const value of [...Object.values(SECRETS), 'SmuggledPasswordDoNotLeak']) {
      expect(all).not.toContain(value);
    }
  });
});

describe('profileList reuse', () => {
  it('reuses the list until something it reads changes, through any connection', () => {
    const t = tempDatabase();
    const other = openDatabase(t.file);
    try {
      const db = t.handle.db;
      const ids = seedActors(t.handle, 2);
      const [first = '', second = ''] = ids;
      saveProfile(db, t.vault, profileOf('imap', ids, 'p-1'));
      saveProfile(db, t.vault, profileOf('graph', [second], 'p-2'));
      const listed = profileList(db);
      expect(profileList(db)).toBe(listed);

      // Writes the list does not read (an actor calling in) keep it.
      touchActor(db, first);
      expect(profileList(db)).toBe(listed);

      // This connection's own writes, to each table the list reads.
      putActorVerification(db, 'p-1', first, { status: 'verified', attempt, verifiedAt: at });
      const verified = profileList(db);
      expect(verified).not.toBe(listed);
      expect(verified[0]?.actors[0]?.status).toBe('verified');
      expect(verified[1]).toBe(listed[1]); // an unchanged row is not validated again

      setProfileActors(db, 'p-1', [second, first]);
      expect(profileList(db)[0]?.actors.map((a) => a.actorId)).toEqual([second, first]);

      deleteProfile(db, 'p-2'); // its assignment and states go in cascade
      expect(profileList(db).map((item) => item.profile.id)).toEqual(['p-1']);

      saveProfile(db, t.vault, profileOf('pop3', [first], 'p-3'));
      saveProfile(db, t.vault, {
        ...profileOf('imap', [second, first], 'p-1'),
        emailAddress: 'edited@example.test',
      });
      const edited = profileList(db);
      expect(edited.map((item) => item.profile.id)).toEqual(['p-1', 'p-3']);
      expect(edited[0]?.profile.emailAddress).toBe('edited@example.test');
      expect(edited).toEqual(expected(t.handle));

      t.handle.sqlite
        .prepare(
          `UPDATE profiles SET public_fields = json_set(public_fields, '$.emailAddress', ?) WHERE id = ?`,
        )
        .run('moved@example.test', 'p-3');
      expect(profileList(db)[1]?.profile.emailAddress).toBe('moved@example.test');

      // Another connection's writes (another Director process, a restore) count as well.
      putActorVerification(other.db, 'p-3', first, { status: 'verified', attempt, verifiedAt: at });
      expect(profileList(db)[1]?.actors[0]?.status).toBe('verified');
      setProfileActors(other.db, 'p-3', [second]);
      expect(profileList(db)[1]?.actors.map((a) => a.actorId)).toEqual([second]);

      // A call that fails (a row the schema rejects) loses nothing written before it.
      const setAddress = t.handle.sqlite.prepare(
        `UPDATE profiles SET public_fields = json_set(public_fields, '$.emailAddress', ?) WHERE id = ?`,
      );
      putActorVerification(db, 'p-1', first, { status: 'requested', attempt });
      setAddress.run('not an address', 'p-3');
      expect(() => profileList(db)).toThrow('Output validation failed');
      setAddress.run('back@example.test', 'p-3');
      const repaired = profileList(db);
      expect(repaired).toEqual(expected(t.handle));
      expect(repaired[0]?.actors.find((actor) => actor.actorId === first)?.status).toBe(
        'in_progress',
      );
    } finally {
      other.close();
      t.cleanup();
    }
  });
});
