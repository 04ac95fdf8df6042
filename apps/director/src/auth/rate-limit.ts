// Login attempts are limited per client address and per account, so neither guessing one
// account from many addresses nor many accounts from one address is cheap.

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether another attempt is allowed for all of these keys (e.g. `ip:…`, `account:…`). */
  check(keys: readonly string[]): LimitDecision {
    let retryAfterMs = 0;
    for (const key of keys) {
      const recent = this.recent(key);
      if (recent.length >= this.maxFailures) {
        retryAfterMs = Math.max(retryAfterMs, (recent[0] ?? 0) + this.windowMs - this.now());
      }
    }
    return retryAfterMs > 0 ? { allowed: false, retryAfterMs } : { allowed: true };
  }

  fail(keys: readonly string[]): void {
    for (const key of keys) this.failures.set(key, [...this.recent(key), this.now()]);
  }

  /** A successful login clears the account's failures (not the address's). */
  succeed(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const recent = (this.failures.get(key) ?? []).filter((time) => time > since);
    if (recent.length === 0) this.failures.delete(key);
    else this.failures.set(key, recent);
    return recent;
  }
}
