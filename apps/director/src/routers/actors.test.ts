import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeEnrollmentToken, issueEnrollmentToken } from '../db/enrollment.js';
import {
  createActor,
  createZone,
  deleteZone,
  findActorByTokenHash,
  getActorVerification,
  getPublicProfile,
  openDatabase,
  putActorVerification,
  saveProfile,
  tables,
  touchActor,
  type DatabaseHandle,
} from '../db/index.js';
import { profileOf, SECRETS, tempDatabase } from '../db/test-support.js';
import type { RunningDirector } from '../director.js';
import { Vault } from '../secrets/vault.js';
import { connectionOf, ONLINE_WINDOW_MS } from '../db/index.js';
import { ADMIN, browserTab, rejection, testDirector, type TestDirector } from './test-client.js';

const logs: string[] = [];
let env: TestDirector;
let director: RunningDirector;
/** A second connection to the Director's SQLite file, to enroll actors as the agent will. */
let side: DatabaseHandle;

/** Every response body the operator received, to look for secrets in. */
const responses: string[] = [];

const browser = () => browserTab(director.url, responses).client;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

let operator: ReturnType<typeof browser>;

beforeAll(async () => {
  env = await testDirector('actors', {
    log: pino({ level: 'info' }, { write: (line: string) => void logs.push(line) }),
  });
  director = env.director;
  side = env.store;
  operator = browser();
  await operator.auth.setup.mutate(ADMIN);
});
afterAll(async () => {
  await env.close();
});

/** Enrolls an actor as the agent will (issue 6): a token whose hash the Director keeps. */
function enroll(zoneId: string, name: string) {
  const token = randomBytes(32).toString('base64url');
  const actor = createActor(side.db, { name, zoneId, tokenHash: sha256(token) });
  return { ...actor, token };
}

describe('actors', () => {
  it('refuses every procedure to an anonymous caller', async () => {
    const anonymous = browser();
    for (const call of [
      () => anonymous.actors.list.query(),
      () => anonymous.actors.createEnrollmentToken.mutate({ zoneId: 'z1' }),
      () => anonymous.actors.revoke.mutate({ id: 'a1' }),
    ]) {
      expect((await rejection(call())).data?.code).toBe('UNAUTHORIZED');
    }
    expect(await operator.actors.list.query()).toEqual([]);
  });

  it('validates every input with field paths and messages', async () => {
    const token = await rejection(
      operator.actors.createEnrollmentToken.mutate({ zoneId: 'z 1', expiresInMinutes: 10081 }),
    );
    expect([token.data?.code, token.data?.fieldErrors]).toEqual([
      'BAD_REQUEST',
      [
        { path: ['zoneId'], message: 'Expected an identifier of letters, digits, "-" or "_"' },
        {
          path: ['expiresInMinutes'],
          message: 'A token can be valid for at most 7 days (10080 minutes)',
        },
      ],
    ]);
    const revoke = await rejection(operator.actors.revoke.mutate({ id: '' }));
    expect(revoke.data?.fieldErrors).toEqual([
      { path: ['id'], message: 'Expected an identifier of letters, digits, "-" or "_"' },
    ]);
  });

  it('lists each actor with its zone and whether it was seen within the last minute', async () => {
    const dmz = await operator.zones.create.mutate({ name: 'DMZ' });
    const lan = await operator.zones.create.mutate({ name: 'LAN' });
    const recent = new Date(Date.now() - 5_000).toISOString();
    const stale = new Date(Date.now() - ONLINE_WINDOW_MS - 5_000).toISOString();
    const a = enroll(dmz.id, 'alpha');
    const b = enroll(lan.id, 'bravo');
    const c = enroll(lan.id, 'charlie');
    touchActor(side.db, a.id, recent);
    touchActor(side.db, b.id, stale);
    expect(await operator.actors.list.query()).toEqual([
      {
        id: a.id,
        name: 'alpha',
        zoneId: dmz.id,
        zoneName: 'DMZ',
        connection: 'online',
        lastSeenAt: recent,
      },
      {
        id: b.id,
        name: 'bravo',
        zoneId: lan.id,
        zoneName: 'LAN',
        connection: 'offline',
        lastSeenAt: stale,
      },
      {
        id: c.id,
        name: 'charlie',
        zoneId: lan.id,
        zoneName: 'LAN',
        connection: 'offline',
        lastSeenAt: null,
      },
    ]);
    // A renamed zone shows under its new name.
    await operator.zones.rename.mutate({ id: lan.id, name: 'Office LAN' });
    const listed = await operator.actors.list.query();
    expect(listed.map((actor) => actor.zoneName)).toEqual(['DMZ', 'Office LAN', 'Office LAN']);
    for (const actor of [a, b, c]) await operator.actors.revoke.mutate({ id: actor.id });
    await operator.zones.delete.mutate({ id: dmz.id });
    await operator.zones.delete.mutate({ id: lan.id });
  });

  it('is online up to 60 seconds after it was last seen', () => {
    const at = Date.parse('2030-01-01T00:01:00.000Z');
    expect(connectionOf('2030-01-01T00:00:00.000Z', at)).toBe('online');
    expect(connectionOf('2030-01-01T00:00:59.999Z', at)).toBe('online');
    expect(connectionOf('2029-12-31T23:59:59.999Z', at)).toBe('offline');
    expect(connectionOf(null, at)).toBe('offline');
  });

  it('issues a one-time enrollment token, storing only its SHA-256 and expiry', async () => {
    const zone = await operator.zones.create.mutate({ name: 'Enrollment' });
    const before = Date.now();
    const issued = await operator.actors.createEnrollmentToken.mutate({ zoneId: zone.id });
    const after = Date.now();
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(issued.token, 'base64url')).toHaveLength(32);
    expect(issued.zoneId).toBe(zone.id);
    const expiresAt = Date.parse(issued.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 60 * 60_000);
    expect(expiresAt).toBeLessThanOrEqual(after + 60 * 60_000);

    const week = await operator.actors.createEnrollmentToken.mutate({
      zoneId: zone.id,
      expiresInMinutes: 7 * 24 * 60,
    });
    expect(Date.parse(week.expiresAt) - Date.now()).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);
    expect(week.token).not.toBe(issued.token);

    const rows = side.db.select().from(tables.enrollmentTokens).all();
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          tokenHash: sha256(issued.token),
          zoneId: zone.id,
          expiresAt: issued.expiresAt,
          usedAt: null,
        }),
      ]),
    );
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(issued.token);
    expect(stored).not.toContain(week.token);
    // The token is never logged; the issue is.
    expect(logs.join('')).not.toContain(issued.token);
    expect(logs.some((line) => line.includes('enrollment token issued'))).toBe(true);
    // The issued token is usable exactly once.
    expect(consumeEnrollmentToken(side.db, issued.token)).toEqual({ ok: true, zone });
    expect(consumeEnrollmentToken(side.db, issued.token)).toEqual({ ok: false, reason: 'used' });
  });

  it('answers NOT_FOUND for a token for a zone that does not exist', async () => {
    const error = await rejection(
      operator.actors.createEnrollmentToken.mutate({ zoneId: 'no-such-zone' }),
    );
    expect([error.data?.code, error.message]).toEqual([
      'NOT_FOUND',
      'There is no zone "no-such-zone"',
    ]);
  });

  it('revokes an actor: its assignments, verification states and token go with it', async () => {
    const zone = await operator.zones.create.mutate({ name: 'Revocation' });
    const keep = enroll(zone.id, 'keeper');
    const gone = enroll(zone.id, 'goner');
    const vault = new Vault(randomBytes(32));
    const shared = profileOf('imap', [gone.id, keep.id], 'p-shared');
    const only = profileOf('graph', [gone.id], 'p-only');
    saveProfile(side.db, vault, shared);
    saveProfile(side.db, vault, only);
    const verified = {
      status: 'verified' as const,
      attempt: {
        id: 'att-1',
        mode: 'automatic' as const,
        code: randomUUID(),
        requestedAt: '2030-01-01T00:00:00.000Z',
        deadlineAt: '2030-01-01T00:02:00.000Z',
        retries: 0,
      },
      verifiedAt: '2030-01-01T00:00:30.000Z',
    };
    putActorVerification(side.db, 'p-shared', gone.id, verified);
    putActorVerification(side.db, 'p-shared', keep.id, verified);

    // Always allowed, also for the only actor of a profile, which is then left without actors.
    expect(await operator.actors.revoke.mutate({ id: gone.id })).toEqual({
      profiles: [
        { id: 'p-only', emailAddress: 'graph@example.test', orphaned: true },
        { id: 'p-shared', emailAddress: 'imap@example.test', orphaned: false },
      ],
    });
    expect(getPublicProfile(side.db, 'p-only')?.actorIds).toEqual([]);
    expect((await operator.actors.list.query()).map((actor) => actor.id)).toEqual([keep.id]);
    expect(getPublicProfile(side.db, 'p-shared')?.actorIds).toEqual([keep.id]);
    expect(getActorVerification(side.db, 'p-shared', gone.id)).toBeUndefined();
    expect(getActorVerification(side.db, 'p-shared', keep.id)).toEqual(verified);
    expect(findActorByTokenHash(side.db, sha256(gone.token))).toBeUndefined();
    expect(findActorByTokenHash(side.db, sha256(keep.token))?.id).toBe(keep.id);
    expect(
      side.db
        .select()
        .from(tables.verifications)
        .all()
        .map((row) => row.actorId),
    ).not.toContain(gone.id);

    const again = await rejection(operator.actors.revoke.mutate({ id: gone.id }));
    expect([again.data?.code, again.message]).toEqual([
      'NOT_FOUND',
      `There is no actor "${gone.id}"`,
    ]);
  });

  it('never sends a secret or a token hash, and sends an enrollment token only once', async () => {
    const zone = await operator.zones.create.mutate({ name: 'Leaks' });
    const actor = enroll(zone.id, 'leaky');
    saveProfile(side.db, new Vault(randomBytes(32)), profileOf('pop3', [actor.id], 'p-leak'));
    responses.length = 0;
    await operator.actors.list.query();
    await operator.zones.list.query();
    const issued = await operator.actors.createEnrollmentToken.mutate({ zoneId: zone.id });
    await operator.actors.list.query();
    await rejection(operator.zones.delete.mutate({ id: zone.id }));
    const all = responses.join('\n');
    for (const secret of [
      ...Object.values(SECRETS),
      actor.token,
      sha256(actor.token),
      sha256(issued.token),
    ]) {
      expect(all).not.toContain(secret);
    }
    expect(responses.filter((body) => body.includes(issued.token))).toHaveLength(1);
    expect(logs.join('')).not.toContain(issued.token);
  });
});

describe('consumeEnrollmentToken', () => {
  it('marks a token used and returns its zone, or says why it cannot be used', () => {
    const test = tempDatabase();
    try {
      const { db } = test.handle;
      const zone = createZone(db, { name: 'DMZ' });
      const at = new Date('2030-01-01T00:00:00.000Z');
      const { token } = issueEnrollmentToken(db, zone.id, new Date(at.getTime() + 60_000));

      expect(consumeEnrollmentToken(db, 'A'.repeat(43), at)).toEqual({
        ok: false,
        reason: 'unknown',
      });
      // Expired at its expiry instant, and a refused token stays unused.
      expect(consumeEnrollmentToken(db, token, new Date(at.getTime() + 60_000))).toEqual({
        ok: false,
        reason: 'expired',
      });
      expect(consumeEnrollmentToken(db, token, at)).toEqual({ ok: true, zone });
      const row = db.select().from(tables.enrollmentTokens).get();
      expect(row?.usedAt).toBe(at.toISOString());
      expect(consumeEnrollmentToken(db, token, at)).toEqual({ ok: false, reason: 'used' });
      // Used beats expired: the token was spent.
      expect(consumeEnrollmentToken(db, token, new Date(at.getTime() + 3600_000))).toEqual({
        ok: false,
        reason: 'used',
      });

      // A zone's tokens go with the zone.
      const other = createZone(db, { name: 'Gone' });
      const orphan = issueEnrollmentToken(db, other.id, new Date(at.getTime() + 60_000));
      deleteZone(db, other.id);
      expect(consumeEnrollmentToken(db, orphan.token, at)).toEqual({
        ok: false,
        reason: 'unknown',
      });
    } finally {
      test.cleanup();
    }
  });

  it('lets a token be used once, whichever connection presents it', () => {
    const test = tempDatabase();
    const second = openDatabase(test.file);
    try {
      const zone = createZone(test.handle.db, { name: 'Race' });
      const { token } = issueEnrollmentToken(
        test.handle.db,
        zone.id,
        new Date(Date.now() + 60_000),
      );
      const results = [test.handle.db, second.db, test.handle.db, second.db].map((db) =>
        consumeEnrollmentToken(db, token),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.slice(1)).toEqual(Array(3).fill({ ok: false, reason: 'used' }));
    } finally {
      second.close();
      test.cleanup();
    }
  });
});
