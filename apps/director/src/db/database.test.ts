import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getZone, createZone } from './zones.js';
import { tempDatabase, type TestDatabase } from './test-support.js';
import { eq, sql } from 'drizzle-orm';
import { openDatabase, preparedQuery } from './database.js';
import { zones } from './schema.js';

let t: TestDatabase;
beforeEach(() => {
  t = tempDatabase();
});
afterEach(() => {
  t.cleanup();
});

const tablesOf = (t: TestDatabase) =>
  t.handle.sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all();

describe('openDatabase', () => {
  it('applies the migrations to a new file', () => {
    expect(tablesOf(t)).toEqual([
      '__drizzle_migrations',
      'actors',
      'attempts',
      'enrollment_tokens',
      'health_settings',
      'mail_settings',
      'profile_actors',
      'profile_health',
      'profiles',
      'sessions',
      'tasks',
      'users',
      'verifications',
      'zones',
    ]);
  });

  it('is idempotent on reopen', () => {
    const count = () =>
      t.handle.sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get();
    const before = count();
    expect(before).toBeGreaterThan(0);
    t.reopen();
    t.reopen();
    expect(count()).toBe(before);
  });

  it('turns on WAL, foreign keys and a busy timeout', () => {
    const { sqlite } = t.handle;
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    expect(() =>
      sqlite
        .prepare(
          "INSERT INTO actors (id, name, zone_id, token_hash, enrolled_at) VALUES ('a', 'a', 'nope', 'h', 'now')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY constraint failed/);
  });

  it('keeps data across close and reopen', () => {
    const zone = createZone(t.handle.db, { name: 'Branch office' });
    t.reopen();
    expect(getZone(t.handle.db, zone.id)).toEqual(zone);
  });

  it('allows one mail settings row only', () => {
    expect(() =>
      t.handle.sqlite
        .prepare(
          "INSERT INTO mail_settings (id, public_fields, sealed_secrets, updated_at) VALUES (2, '{}', '{}', 'now')",
        )
        .run(),
    ).toThrow(/CHECK constraint failed/);
  });
});

describe('prepared statements', () => {
  it('reuses a statement per SQL text, always in its default mode', () => {
    const handle = openDatabase(':memory:');
    try {
      const first = handle.sqlite.prepare('SELECT 1 AS one');
      expect(first.raw(true).get()).toEqual([1]);
      const again = handle.sqlite.prepare('SELECT 1 AS one');
      expect(again).toBe(first);
      expect(again.get()).toEqual({ one: 1 });
      expect(handle.sqlite.prepare('SELECT 1 AS one').pluck(true).get()).toBe(1);
      expect(handle.sqlite.prepare('SELECT 1 AS one').get()).toEqual({ one: 1 });
      // Statements that return no data are cached too.
      const insert = handle.sqlite.prepare('CREATE TABLE t (a INTEGER)');
      insert.run();
      expect(handle.sqlite.prepare('CREATE TABLE t (a INTEGER)')).toBe(insert);
    } finally {
      handle.close();
    }
  });
});

describe('preparedQuery', () => {
  const zoneNamed = preparedQuery((db) =>
    db
      .select({ id: zones.id })
      .from(zones)
      .where(eq(zones.name, sql.placeholder('name')))
      .prepare(),
  );

  it('runs on its own connection, and inside that connection’s transactions', () => {
    const other = openDatabase(':memory:');
    try {
      const here = createZone(t.handle.db, { name: 'HQ' });
      const there = createZone(other.db, { name: 'HQ' });
      expect(zoneNamed(t.handle.db).get({ name: 'HQ' })).toEqual({ id: here.id });
      expect(zoneNamed(other.db).get({ name: 'HQ' })).toEqual({ id: there.id });
      expect(() =>
        t.handle.db.transaction((tx) => {
          const inside = createZone(tx, { name: 'Branch' });
          expect(zoneNamed(tx).get({ name: 'Branch' })).toEqual({ id: inside.id });
          throw new Error('roll back');
        }),
      ).toThrow('roll back');
      expect(zoneNamed(t.handle.db).get({ name: 'Branch' })).toBeUndefined();
    } finally {
      other.close();
    }
  });
});
