// Login attempts are counted before they are checked: `reserve` takes one attempt from every
// counter at once, synchronously, before the (slow, asynchronous) password check. Concurrent
// attempts beyond a limit are therefore refused without being evaluated, and a batch of guesses
// costs as many attempts as it holds. A failed attempt stays counted for the window; a successful
// one is given back and clears the counters the caller names.

export type LimitDecision =
  { allowed: true; attempt: Attempt } | { allowed: false; retryAfterMs: number; key: string };

/** One counter: at most `max` attempts (failed or still being checked) per window. */
export type LimitRule = { key: string; max: number };

export type Attempt = {
  /** The attempt failed: it stays counted. */
  failed(): void;
  /** The attempt succeeded: it is given back, and these counters are cleared. */
  succeeded(clear?: readonly string[]): void;
};

type Entry = { time: number };

const SWEEP_EVERY_MS = 60_000;

export class FailureLimiter {
  private readonly attempts = new Map<string, Entry[]>();
  private lastSweep: number;

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSweep = now();
  }

  /** Takes one attempt from every counter, or none if any of them is used up. */
  reserve(rules: readonly (LimitRule | string)[]): LimitDecision {
    this.sweep();
    const limits = rules.map((rule) =>
      typeof rule === 'string' ? { key: rule, max: this.maxFailures } : rule,
    );
    let refused: { retryAfterMs: number; key: string } | undefined;
    for (const { key, max } of limits) {
      const recent = this.recent(key);
      if (recent.length < max) continue;
      // Free again when enough of the oldest attempts have left the window.
      const freeAt = (recent[recent.length - max]?.time ?? this.now()) + this.windowMs;
      const retryAfterMs = Math.max(1, freeAt - this.now());
      if (refused === undefined || retryAfterMs > refused.retryAfterMs)
        refused = { retryAfterMs, key };
    }
    if (refused) return { allowed: false, ...refused };
    const entry: Entry = { time: this.now() };
    for (const { key } of limits) this.attempts.set(key, [...this.recent(key), entry]);
    let settled = false;
    return {
      allowed: true,
      attempt: {
        failed: () => {
          settled = true;
        },
        succeeded: (clear = []) => {
          if (settled) return;
          settled = true;
          for (const { key } of limits) {
            const left = (this.attempts.get(key) ?? []).filter((other) => other !== entry);
            if (left.length === 0) this.attempts.delete(key);
            else this.attempts.set(key, left);
          }
          for (const key of clear) this.attempts.delete(key);
        },
      },
    };
  }

  private recent(key: string): Entry[] {
    const since = this.now() - this.windowMs;
    const recent = (this.attempts.get(key) ?? []).filter((entry) => entry.time > since);
    if (recent.length === 0) this.attempts.delete(key);
    else this.attempts.set(key, recent);
    return recent;
  }

  /** Forgets counters whose attempts all left the window, so the map stays small. */
  private sweep(): void {
    if (this.now() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = this.now();
    for (const key of [...this.attempts.keys()]) this.recent(key);
  }
}
