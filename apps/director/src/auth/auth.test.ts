import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.js';
import { FailureLimiter } from './rate-limit.js';
import { newToken } from './session.js';

describe('password hashing', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
    expect(await hashPassword('correct horse battery staple')).not.toBe(hash);
  });

  it('treats Unicode forms of one password alike', async () => {
    const hash = await hashPassword('Ä');
    expect(await verifyPassword('A\u0308', hash)).toBe(true);
  });

  it.each([
    '',
    'bcrypt$1$2$3$4$5',
    'scrypt$x$8$1$c2FsdA$aGFzaA',
    'scrypt$32768$8$1$c2FsdA$c2hvcnQ',
  ])('rejects the malformed hash %j', async (stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false);
  });
});

describe('tokens', () => {
  it('are 256 random bits in base64url, never starting with a dash (1 in 64 would)', () => {
    const tokens = Array.from({ length: 5000 }, newToken);
    for (const token of tokens) expect(token).toMatch(/^[\w][\w-]{42}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });
});

describe('login rate limiting', () => {
  it('blocks after five failures in the window, on each of the counters', () => {
    let now = 0;
    const limiter = new FailureLimiter(5, 60_000, () => now);
    const keys = ['ip:203.0.113.7', 'account:admin@example.test'];
    for (let i = 0; i < 5; i += 1) {
      const decision = limiter.reserve(keys);
      expect(decision.allowed).toBe(true);
      if (decision.allowed) decision.attempt.failed();
      now += 1000;
    }
    expect(limiter.reserve(keys)).toEqual({
      allowed: false,
      retryAfterMs: 55_000,
      key: 'ip:203.0.113.7',
    });
    expect(limiter.reserve(['ip:198.51.100.1', 'account:admin@example.test']).allowed).toBe(false);
    expect(limiter.reserve(['ip:198.51.100.1', 'account:other@example.test']).allowed).toBe(true);
    now += 60_000;
    expect(limiter.reserve(keys).allowed).toBe(true);
  });

  it('counts an attempt while it is being checked, so concurrent attempts beyond the limit are refused', () => {
    const limiter = new FailureLimiter(3, 60_000, () => 0);
    const decisions = Array.from({ length: 10 }, () => limiter.reserve(['account:a']));
    expect(decisions.map((decision) => decision.allowed)).toEqual([
      ...Array<boolean>(3).fill(true),
      ...Array<boolean>(7).fill(false),
    ]);
  });

  it('gives a successful attempt back and clears the named counters', () => {
    const limiter = new FailureLimiter(2, 60_000, () => 0);
    const first = limiter.reserve(['account:a', 'address:x']);
    if (first.allowed) first.attempt.failed();
    const second = limiter.reserve(['account:a', 'address:x']);
    expect(limiter.reserve(['account:a']).allowed).toBe(false);
    if (second.allowed) second.attempt.succeeded(['account:a']);
    expect(limiter.reserve(['account:a']).allowed).toBe(true);
    // The address keeps its failure, not the successful attempt.
    expect(limiter.reserve(['address:x']).allowed).toBe(true);
    expect(limiter.reserve(['address:x']).allowed).toBe(false);
  });

  it('takes a limit per counter', () => {
    const limiter = new FailureLimiter(5, 60_000, () => 0);
    expect(limiter.reserve([{ key: 'device:d', max: 1 }]).allowed).toBe(true);
    expect(limiter.reserve([{ key: 'device:d', max: 1 }]).allowed).toBe(false);
  });
});
