// Session tokens and the cookie that carries them: HttpOnly (no script can read it), SameSite
// Strict (no other site can send it), Secure when the Director is reached over HTTPS (a TLS
// socket, or an https:// public URL in front of it). A session that ends — logout or expiry —
// also ends the subscriptions opened with it (`sessionEnd`).
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { eq } from 'drizzle-orm';
import { deleteSession, tables, type Conn } from '../db/index.js';

export const SESSION_COOKIE = 'ep_session';
export const SESSION_TTL_MS = 12 * 3600_000;

/**
 * 256 random bits, base64url, never starting with "-": a token is pasted into command lines
 * (`enroll --token …`), where a leading dash reads as an option.
 */
export function newToken(): string {
  for (;;) {
    const token = randomBytes(32).toString('base64url');
    if (!token.startsWith('-')) return token;
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

export function sessionCookie(token: string | undefined, secure: boolean): string {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])];
  return token === undefined
    ? [`${SESSION_COOKIE}=`, 'Max-Age=0', ...attributes].join('; ')
    : [`${SESSION_COOKIE}=${token}`, `Max-Age=${SESSION_TTL_MS / 1000}`, ...attributes].join('; ');
}

// Sessions ended in this process, by token hash: what open subscriptions listen to.
const ended = new EventEmitter<{ ended: [tokenHash: string] }>();
ended.setMaxListeners(0);

/** Logs the session out: deletes it and ends what streams to it. */
export function endSession(db: Conn, tokenHash: string): void {
  deleteSession(db, tokenHash);
  ended.emit('ended', tokenHash);
}

/**
 * Resolves when the session ends: it is logged out (here), or it expires. `dispose` stops
 * waiting. A session that is already gone resolves at once.
 */
export function sessionEnd(db: Conn, tokenHash: string): { ended: Promise<void>; dispose(): void } {
  let dispose: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    const expiresAt = db
      .select({ expiresAt: tables.sessions.expiresAt })
      .from(tables.sessions)
      .where(eq(tables.sessions.tokenHash, tokenHash))
      .get()?.expiresAt;
    const onEnded = (hash: string) => {
      if (hash === tokenHash) finish();
    };
    // setTimeout holds at most 2^31 - 1 ms; a session lives 12 hours.
    const timer = setTimeout(
      () => {
        finish();
      },
      Math.min(
        2 ** 31 - 1,
        Math.max(0, expiresAt === undefined ? 0 : Date.parse(expiresAt) - Date.now()),
      ),
    );
    timer.unref();
    const finish = () => {
      dispose();
      resolve();
    };
    dispose = () => {
      clearTimeout(timer);
      ended.off('ended', onEnded);
    };
    ended.on('ended', onEnded);
  });
  return {
    ended: promise,
    dispose: () => {
      dispose();
    },
  };
}
