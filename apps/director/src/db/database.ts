// Opens the Director's SQLite file and brings its schema up to date with the committed
// migrations in apps/director/drizzle.
import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS_FOLDER } from '../assets.js';
import { DomainError } from '../domain-error.js';
import Database, { type RunResult } from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { z } from 'zod';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface DatabaseHandle {
  db: Db;
  /** The underlying connection, for pragmas and checkpoints. */
  sqlite: Database.Database;
  close(): void;
}

const BUSY_TIMEOUT_MS = 5000;

/** The database file and the journal files SQLite keeps beside it. */
const JOURNAL_SUFFIXES = ['-wal', '-shm'] as const;

/**
 * Makes sure the database file exists with mode 0600 before SQLite opens it, whatever the umask:
 * SQLite creates its -wal and -shm files with the mode of the database file (checked in
 * database.test.ts). Files an earlier run left with a looser mode are tightened too.
 */
function ensurePrivateFiles(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fd = openSync(file, 'a', 0o600);
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  tightenJournals(file);
}

function tightenJournals(file: string): void {
  for (const suffix of JOURNAL_SUFFIXES) {
    try {
      chmodSync(`${file}${suffix}`, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** Distinct statements kept prepared per connection (the Director's queries number far fewer). */
const CACHED_STATEMENTS = 500;

/**
 * Keeps each SQL text's prepared statement for reuse. Drizzle prepares every query it runs, and
 * preparing was the largest part of the Director's CPU on the hot paths (leases, heartbeats,
 * results); the same query shape always gives the same text (values are bound, never inlined).
 * A statement is handed out in its default mode (better-sqlite3 keeps raw/pluck/expand as set by
 * its last user), and the least recently used is dropped past CACHED_STATEMENTS.
 */
function cacheStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (statement) {
      cache.delete(source);
    } else {
      statement = prepare(source);
      if (cache.size >= CACHED_STATEMENTS) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
    }
    cache.set(source, statement);
    if (statement.reader) statement.raw(false).pluck(false).expand(false);
    return statement;
  }) as typeof sqlite.prepare;
}

export function openDatabase(file: string): DatabaseHandle {
  if (file !== ':memory:') ensurePrivateFiles(file);
  const sqlite = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  cacheStatements(sqlite);
  try {
    sqlite.pragma('journal_mode = WAL');
    if (file !== ':memory:') tightenJournals(file);
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('synchronous = NORMAL');
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return {
      db,
      sqlite,
      close: () => {
        sqlite.close();
      },
    };
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

/** The current time as core's ISO 8601 timestamps. */
export function now(): string {
  return new Date().toISOString();
}

/** A database or a transaction on it: repositories accept either, so callers can compose them. */
export type Conn = BaseSQLiteDatabase<'sync', RunResult, typeof schema>;

/**
 * A query built once per connection and then run with bound values (`sql.placeholder`): drizzle
 * otherwise builds a query's SQL again on every call, which was most of the Director's CPU left
 * on the hot paths (leases, results, the actor token lookup) once statements were kept prepared.
 * A transaction shares its database's session (one connection), so a query built on either runs
 * in both; the session is drizzle's own field, which the repository tests exercise.
 */
export function preparedQuery<Q>(build: (db: Conn) => Q): (db: Conn) => Q {
  const bySession = new WeakMap<object, Q>();
  return (db) => {
    const session = (db as unknown as { session: object }).session;
    let query = bySession.get(session);
    if (query === undefined) {
      query = build(db);
      bySession.set(session, query);
    }
    return query;
  };
}

/** A refusal of the repository (a name taken, a row missing, a reference that does not fit). */
export class RepositoryError extends DomainError {
  override name = 'RepositoryError';
  declare readonly code: 'conflict' | 'not_found' | 'invalid';
}

/** Validates what was read back; the message lists paths and rules, never the values. */
export function parseStored<T>(schema: z.ZodType<T>, what: string, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new RepositoryError(
      'invalid',
      `The stored ${what} is not valid (${problems.join('; ')})`,
    );
  }
  return result.data;
}
