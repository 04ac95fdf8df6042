import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.js';
import { FailureLimiter } from './rate-limit.js';

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

describe('login rate limiting', () => {
  it('blocks after five failures in the window, for the address and the account', () => {
    let now = 0;
    const limiter = new FailureLimiter(5, 60_000, () => now);
    const keys = ['ip:203.0.113.7', 'account:admin@example.test'];
    for (let i = 0; i < 5; i += 1) {
      expect(limiter.check(keys)).toEqual({ allowed: true });
      limiter.fail(keys);
      now += 1000;
    }
    expect(limiter.check(keys)).toEqual({ allowed: false, retryAfterMs: 55_000 });
    expect(limiter.check(['ip:198.51.100.1', 'account:admin@example.test']).allowed).toBe(false);
    expect(limiter.check(['ip:198.51.100.1', 'account:other@example.test']).allowed).toBe(true);
    now += 60_000;
    expect(limiter.check(keys)).toEqual({ allowed: true });
  });

  it('clears an account after a successful login', () => {
    const limiter = new FailureLimiter(2, 60_000, () => 0);
    limiter.fail(['account:a']);
    limiter.fail(['account:a']);
    expect(limiter.check(['account:a']).allowed).toBe(false);
    limiter.succeed('account:a');
    expect(limiter.check(['account:a']).allowed).toBe(true);
  });
});
