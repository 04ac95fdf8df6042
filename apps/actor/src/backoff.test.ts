import { describe, expect, it } from 'vitest';
import { backoffDelay, pause } from './backoff.js';

describe('backoffDelay', () => {
  const backoff = { firstMs: 100, maxMs: 1_000 };

  it('doubles per attempt up to the maximum, keeping between half and all of it', () => {
    expect(backoffDelay(0, backoff, () => 0)).toBe(50);
    expect(backoffDelay(0, backoff, () => 1)).toBe(100);
    expect(backoffDelay(3, backoff, () => 0)).toBe(400);
    expect(backoffDelay(3, backoff, () => 1)).toBe(800);
    expect(backoffDelay(50, backoff, () => 1)).toBe(1_000);
    expect(backoffDelay(50, backoff, () => 0)).toBe(500);
  });

  it('spreads actors out (jitter)', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(4, backoff)));
    expect(delays.size).toBeGreaterThan(5);
  });
});

describe('pause', () => {
  it('ends early, without an error, when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const paused = pause(10_000, controller.signal);
    controller.abort();
    await paused;
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
