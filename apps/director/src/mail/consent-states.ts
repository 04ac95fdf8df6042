// Pending Google consents, in memory only: each `state` value is random, single-use, expires after
// a few minutes, and is bound to the operator's session and to what is being authorised. Only a
// hash of it is kept. A Director restart drops them; the operator simply starts again.
import { createHash, randomBytes } from 'node:crypto';
import type { ConsentTarget } from '@email-profiles/core';
import type { Conn } from '../db/index.js';

export const CONSENT_TTL_MS = 5 * 60_000;
/** Expired states are remembered this long more, so a late callback says "expired", not "unknown". */
const REMEMBER_EXPIRED_MS = 60 * 60_000;
/** A bound on memory: the oldest pending consents go first. */
const MAX_PENDING = 200;

export type PendingConsent = {
  userId: string;
  sessionHash: string;
  target: ConsentTarget;
  /** The client ID and address the consent was started for; a change since voids it. */
  clientId: string;
  emailAddress: string;
  redirectUri: string;
  expiresAt: number;
};

export type TakenConsent =
  { ok: true; pending: PendingConsent } | { ok: false; reason: 'unknown' | 'expired' };

const hash = (state: string) => createHash('sha256').update(state).digest('hex');

export class ConsentStates {
  private readonly pending = new Map<string, PendingConsent>();

  /** A new state value for `pending` (its expiry is set here). */
  create(pending: Omit<PendingConsent, 'expiresAt'>): { state: string; expiresAt: number } {
    this.prune();
    const state = randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + CONSENT_TTL_MS;
    this.pending.set(hash(state), { ...pending, expiresAt });
    while (this.pending.size > MAX_PENDING) {
      const oldest = this.pending.keys().next().value;
      if (oldest === undefined) break;
      this.pending.delete(oldest);
    }
    return { state, expiresAt };
  }

  /** The pending consent of a state value, which is used up by this call. */
  take(state: string): TakenConsent {
    const key = hash(state);
    const pending = this.pending.get(key);
    if (!pending) return { ok: false, reason: 'unknown' };
    this.pending.delete(key);
    if (pending.expiresAt <= Date.now()) return { ok: false, reason: 'expired' };
    return { ok: true, pending };
  }

  private prune(): void {
    const now = Date.now();
    for (const [key, pending] of this.pending) {
      if (pending.expiresAt + REMEMBER_EXPIRED_MS <= now) this.pending.delete(key);
    }
  }
}

// One store per Director. Keyed by its database connection, which both the tRPC procedures and
// the callback route see, so the shared service wiring needs no new member.
const stores = new WeakMap<Conn, ConsentStates>();

export function consentStates(db: Conn): ConsentStates {
  let store = stores.get(db);
  if (!store) {
    store = new ConsentStates();
    stores.set(db, store);
  }
  return store;
}
