import { describe, expect, it } from 'vitest';
import { lastSeen } from './last-seen';

describe('lastSeen', () => {
  it('says how long ago in seconds, minutes or hours, and the date after a day', () => {
    const now = Date.parse('2030-01-02T12:00:00.000Z');
    expect(lastSeen('2030-01-02T11:59:48.000Z', now)).toBe('12 s ago');
    expect(lastSeen('2030-01-02T11:55:00.000Z', now)).toBe('5 min ago');
    expect(lastSeen('2030-01-02T09:00:00.000Z', now)).toBe('3 h ago');
    expect(lastSeen('2030-01-01T11:00:00.000Z', now)).toBe(
      new Date('2030-01-01T11:00:00.000Z').toLocaleString(),
    );
    // A clock slightly ahead of the browser's is "0 s ago", not negative.
    expect(lastSeen('2030-01-02T12:00:03.000Z', now)).toBe('0 s ago');
  });
});
