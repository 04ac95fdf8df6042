// Operator accounts and their sessions. Only hashes are stored: of passwords (scrypt) and of
// session tokens (SHA-256), so a copy of the database logs nobody in.
import { randomUUID } from 'node:crypto';
import { and, count, eq, gt, lte } from 'drizzle-orm';
import type { CurrentUser } from '@email-profiles/core';
import { now, type Conn } from './database.js';
import { sessions, users } from './schema.js';

export function countUsers(db: Conn): number {
  return db.select({ n: count() }).from(users).get()?.n ?? 0;
}

export function createUser(db: Conn, email: string, passwordHash: string): string {
  const id = randomUUID();
  db.insert(users).values({ id, email: email.toLowerCase(), passwordHash, createdAt: now() }).run();
  return id;
}

export function findUserByEmail(
  db: Conn,
  email: string,
): { id: string; email: string; passwordHash: string } | undefined {
  return db
    .select({ id: users.id, email: users.email, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, email.toLowerCase()))
    .get();
}

export function createSession(db: Conn, userId: string, tokenHash: string, expiresAt: Date): void {
  db.delete(sessions).where(lte(sessions.expiresAt, now())).run();
  db.insert(sessions)
    .values({ tokenHash, userId, createdAt: now(), expiresAt: expiresAt.toISOString() })
    .run();
}

/** The user of a live session, or undefined. */
export function sessionUser(
  db: Conn,
  tokenHash: string,
): (CurrentUser & { id: string }) | undefined {
  return db
    .select({ id: users.id, email: users.email })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now())))
    .get();
}

export function deleteSession(db: Conn, tokenHash: string): void {
  db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).run();
}
