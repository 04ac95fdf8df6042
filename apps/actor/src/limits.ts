// Bounds on concurrent work: per mailbox (so one actor never trips a provider's limit on one
// account) and overall (so a burst of tasks cannot exhaust the host).
import {
  perServerType,
  SERVER_TYPES,
  type ServerType,
  type TaskProfile,
} from '@email-profiles/core';
import { mailboxKey } from './transports.js';

/** Concurrent operations per mailbox, by server type (core's `mailboxConcurrency` trait). */
export const MAILBOX_CONCURRENCY = perServerType((type) => SERVER_TYPES[type].mailboxConcurrency);

/** Tasks one actor runs at once by default (each waits for its mailbox's slot inside this). */
export const DEFAULT_MAX_TASKS = 100;

/** A counting semaphore whose waiters leave the queue when their signal aborts. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.active < this.limit) {
      this.active += 1;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      this.waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; `active` stays the same.
      if (next) next();
      else this.active -= 1;
    };
  }
}

/** One semaphore per mailbox, dropped when nothing holds or waits for it. */
export class MailboxLimits {
  private readonly byMailbox = new Map<string, Semaphore>();

  constructor(private readonly bounds: Record<ServerType, number> = MAILBOX_CONCURRENCY) {}

  async acquire(profile: TaskProfile, signal?: AbortSignal): Promise<() => void> {
    const key = mailboxKey(profile);
    let semaphore = this.byMailbox.get(key);
    if (!semaphore) {
      semaphore = new Semaphore(this.bounds[profile.serverType]);
      this.byMailbox.set(key, semaphore);
    }
    const owned = semaphore;
    try {
      const release = await owned.acquire(signal);
      return () => {
        release();
        this.forget(key, owned);
      };
    } catch (error) {
      this.forget(key, owned);
      throw error;
    }
  }

  /** Mailboxes with work running or waiting (for tests and diagnostics). */
  get size(): number {
    return this.byMailbox.size;
  }

  private forget(key: string, semaphore: Semaphore): void {
    if (semaphore.inUse === 0 && semaphore.queued === 0 && this.byMailbox.get(key) === semaphore)
      this.byMailbox.delete(key);
  }
}
