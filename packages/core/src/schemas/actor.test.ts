import { describe, expect, it } from 'vitest';
import {
  actorListItemSchema,
  actorRevokeSchema,
  enrollmentTokenCreateSchema,
  enrollmentTokenSchema,
} from './actor.js';
import { securityZoneDeleteSchema, securityZoneRenameSchema } from './zone.js';

const issues = (schema: { safeParse(input: unknown): unknown }, input: unknown) => {
  const result = schema.safeParse(input) as
    | { success: true }
    | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  return result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message]);
};

describe('enrollment tokens', () => {
  it('are valid for 60 minutes unless asked otherwise, and for at most 7 days', () => {
    expect(enrollmentTokenCreateSchema.parse({ zoneId: 'z1' })).toEqual({
      zoneId: 'z1',
      expiresInMinutes: 60,
    });
    expect(enrollmentTokenCreateSchema.parse({ zoneId: 'z1', expiresInMinutes: 10080 })).toEqual({
      zoneId: 'z1',
      expiresInMinutes: 10080,
    });
    expect(issues(enrollmentTokenCreateSchema, { zoneId: 'z1', expiresInMinutes: 10081 })).toEqual([
      ['expiresInMinutes', 'A token can be valid for at most 7 days (10080 minutes)'],
    ]);
    expect(issues(enrollmentTokenCreateSchema, { zoneId: 'z1', expiresInMinutes: 0 })).toEqual([
      ['expiresInMinutes', 'A token must be valid for at least 1 minute'],
    ]);
    expect(issues(enrollmentTokenCreateSchema, { zoneId: 'z1', expiresInMinutes: 1.5 })).toEqual([
      ['expiresInMinutes', 'Enter whole minutes'],
    ]);
    expect(issues(enrollmentTokenCreateSchema, { zoneId: 'no spaces' })).toEqual([
      ['zoneId', 'Expected an identifier of letters, digits, "-" or "_"'],
    ]);
  });

  it('are 43 base64url characters', () => {
    const token = 'A'.repeat(42) + '_';
    const expiresAt = '2030-01-01T00:00:00.000Z';
    expect(issues(enrollmentTokenSchema, { token, zoneId: 'z1', expiresAt })).toEqual([]);
    expect(issues(enrollmentTokenSchema, { token: `${token}=`, zoneId: 'z1', expiresAt })).toEqual([
      ['token', 'An enrollment token is 43 letters, digits, "-" or "_"'],
    ]);
  });
});

describe('actor and zone inputs', () => {
  it('list actors with their zone name, and address actors and zones by id', () => {
    expect(
      issues(actorListItemSchema, {
        id: 'a1',
        name: 'host 1',
        zoneId: 'z1',
        zoneName: 'DMZ',
        connection: 'online',
        lastSeenAt: '2030-01-01T00:00:00.000Z',
      }),
    ).toEqual([]);
    expect(issues(actorRevokeSchema, { id: '' })).toEqual([
      ['id', 'Expected an identifier of letters, digits, "-" or "_"'],
    ]);
    expect(issues(securityZoneDeleteSchema, { id: 'z1' })).toEqual([]);
    expect(issues(securityZoneRenameSchema, { id: 'z1', name: ' ' })).toEqual([
      ['name', 'Enter a name'],
    ]);
  });
});
