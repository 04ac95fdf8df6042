import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONSENT_TTL_MS, ConsentStates } from './consent-states.js';
import { publicBaseUrl } from './consent.js';

const pending = {
  userId: 'u1',
  sessionHash: 'h1',
  target: { target: 'mail-settings' as const },
  clientId: '1-a.apps.googleusercontent.com',
  emailAddress: 'director@example.test',
  redirectUri: 'http://127.0.0.1:8080/api/gmail/callback',
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('pending Google consents', () => {
  it('hands out unguessable states, each usable once', () => {
    const states = new ConsentStates();
    const { state, expiresAt } = states.create(pending);
    expect(state).toMatch(/^[\w-]{43}$/);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(CONSENT_TTL_MS);
    expect(states.create(pending).state).not.toBe(state);
    expect(states.take(state)).toEqual({ ok: true, pending: { ...pending, expiresAt } });
    expect(states.take(state)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('says "expired" for a late callback, then forgets it', () => {
    const states = new ConsentStates();
    const { state } = states.create(pending);
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + CONSENT_TTL_MS);
    expect(states.take(state)).toEqual({ ok: false, reason: 'expired' });
    expect(states.take(state)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('keeps memory bounded: the oldest pending consents go first', () => {
    const states = new ConsentStates();
    const first = states.create(pending).state;
    for (let i = 0; i < 250; i += 1) states.create(pending);
    expect(states.take(first)).toEqual({ ok: false, reason: 'unknown' });
  });
});

describe('the public URL the consent returns to', () => {
  it.each([
    [
      { publicUrl: 'https://profiles.example.test', host: '0.0.0.0', port: 8080 },
      'https://profiles.example.test',
    ],
    [{ publicUrl: undefined, host: '127.0.0.1', port: 8080 }, 'http://127.0.0.1:8080'],
    [{ publicUrl: undefined, host: '0.0.0.0', port: 9000 }, 'http://localhost:9000'],
    [{ publicUrl: undefined, host: '::1', port: 8080 }, 'http://[::1]:8080'],
  ])('%j -> %s', (config, expected) => {
    expect(publicBaseUrl(config)).toBe(expected);
  });
});
