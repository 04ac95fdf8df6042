// Opens the Director's SQLite file and brings its schema up to date with the committed
// migrations in apps/director/drizzle.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** Next to the sources, not the working directory: apps/director/drizzle. */
export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

const BUSY_TIMEOUT_MS = 5000;

export function openDatabase(file: string): DatabaseHandle {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const sqlite = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('synchronous = NORMAL');
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder });
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

/** A failure a caller can show: `conflict` (e.g. a zone still in use), `not_found`, `invalid`. */
export class RepositoryError extends Error {
  override name = 'RepositoryError';
  constructor(
    readonly code: 'conflict' | 'not_found' | 'invalid',
    message: string,
  ) {
    super(message);
  }
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
