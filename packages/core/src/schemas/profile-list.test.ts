import { describe, expect, expectTypeOf, it } from 'vitest';
import type { DisplayStatus, ProfileVerification } from '../verification/state.js';
import {
  emailProfileCreateSchema,
  emailProfileSchema,
  publicEmailProfileSchema,
} from './profile.js';
import {
  displayStatusSchema,
  manualVerification,
  manualVerificationSchema,
  profileIdSchema,
  profileListItem,
  profileListItemSchema,
  profileListSchema,
  profileNeedsActor,
} from './profile-list.js';

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
const MANUAL_CODE = '0f8fad5b-d9cb-469f-a165-70867728950e';
const stored = emailProfileSchema.parse({
  id: 'p1',
  manualCode: MANUAL_CODE,
  serverType: 'imap',
  emailAddress: 'actor1@example.test',
  actorIds: ['a1', 'a2', 'a3', 'a4'],
  username: 'actor1@example.test',
  password: 's3cret!',
  incoming: { host: 'imap.example.test', port: 993, encryption: 'ssl', authType: 'plain' },
  outgoing: { host: 'smtp.example.test', port: 587, encryption: 'starttls', requiresAuth: false },
});
const profile = publicEmailProfileSchema.parse(stored);

const attempt = {
  id: 'att-1',
  mode: 'automatic',
  code: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
  requestedAt: '2024-05-01T10:00:00.000Z',
  deadlineAt: '2024-05-01T10:02:00.000Z',
  retries: 0,
} as const;
const failure = {
  stage: 'auth',
  origin: 'actor',
  summary: 'The server refused the password',
  hint: 'Check the password',
  transient: false,
} as const;

describe('profile list', () => {
  it('shows each assigned actor in order with its display status and last failure', () => {
    const verification: ProfileVerification = {
      mode: 'automatic',
      manualCode: MANUAL_CODE,
      actors: {
        a1: { status: 'verified', attempt, verifiedAt: '2024-05-01T10:01:00.000Z' },
        a2: { status: 'failed', attempt, failedAt: '2024-05-01T10:01:00.000Z', failure },
        a3: { status: 'checking', attempt, checkStartedAt: '2024-05-01T10:00:30.000Z' },
      },
    };
    const item = profileListItem(profile, verification);
    // A failure as the table shows it: the hint, the server's words and the detail are not listed.
    const listed = { stage: 'auth', origin: 'actor', summary: failure.summary, transient: false };
    expect(item.actors).toEqual([
      { actorId: 'a1', status: 'verified' },
      { actorId: 'a2', status: 'unverified', failure: listed },
      // In progress: the table counts down to the attempt's deadline.
      { actorId: 'a3', status: 'in_progress', deadlineAt: attempt.deadlineAt },
      { actorId: 'a4', status: 'unverified' },
    ]);
    expect(profileListSchema.parse([item])).toEqual([item]);
  });

  it('lists what the table shows of a profile: not its servers, certificates or code', () => {
    const withCa = publicEmailProfileSchema.parse({
      ...stored,
      incoming: { host: 'imap.example.test', port: 993, encryption: 'ssl', authType: 'plain' },
      outgoing: {
        host: 'smtp.example.test',
        port: 587,
        encryption: 'starttls',
        requiresAuth: false,
        tlsTrust: { mode: 'ca', pem: CA_PEM },
      },
    });
    const item = profileListItem(withCa, undefined);
    expect(item.profile).toEqual({
      id: 'p1',
      serverType: 'imap',
      emailAddress: 'actor1@example.test',
      sendVerificationManually: false,
      zoneId: null,
      schedule: 'default',
    });
    expect(profileListItemSchema.parse({ ...item, profile: withCa })).toEqual(item);
  });

  it('treats a profile without a stored verification as unverified', () => {
    expect(profileListItem(profile, undefined).actors.map((a) => a.status)).toEqual([
      'unverified',
      'unverified',
      'unverified',
      'unverified',
    ]);
  });

  it('lists a profile left without actors (its only actor revoked) as needing one', () => {
    const orphan = publicEmailProfileSchema.parse({ ...profile, actorIds: [] });
    const item = profileListItem(orphan, undefined);
    expect(item.actors).toEqual([]);
    expect(profileListSchema.parse([item])).toEqual([item]);
    expect(profileNeedsActor(orphan)).toBe(true);
    expect(profileNeedsActor(profile)).toBe(false);
    // Stored that way too, but a form still has to choose one.
    expect(emailProfileSchema.safeParse({ ...stored, actorIds: [] }).success).toBe(true);
    expect(emailProfileSchema.safeParse({ ...stored, actorIds: ['a1', 'a1'] }).success).toBe(false);
    const input = { ...stored, id: undefined, manualCode: undefined };
    expect(emailProfileCreateSchema.safeParse({ ...input, actorIds: [] }).success).toBe(false);
    expect(emailProfileCreateSchema.safeParse({ ...input, actorIds: ['a1'] }).success).toBe(true);
  });

  it('carries no secret', () => {
    const item = profileListItem(profile, undefined);
    expect(JSON.stringify(profileListItemSchema.parse(item))).not.toContain('s3cret!');
    expect(
      profileListItemSchema.safeParse({ ...item, actors: [{ actorId: 'a1', status: 'done' }] })
        .success,
    ).toBe(false);
  });

  it('names the display statuses of core', () => {
    const statuses = displayStatusSchema.options;
    expectTypeOf<(typeof statuses)[number]>().toEqualTypeOf<DisplayStatus>();
    expect(statuses).toEqual(['verified', 'unverified', 'in_progress']);
  });

  it('validates a profile id', () => {
    expect(profileIdSchema.parse({ id: 'p1' })).toEqual({ id: 'p1' });
    expect(profileIdSchema.safeParse({ id: 'not an id' }).error?.issues[0]?.path).toEqual(['id']);
  });

  it('gives the code, the address and the subject for manual verification', () => {
    const manual = manualVerification(profile);
    expect(manual).toEqual({
      code: MANUAL_CODE,
      to: 'actor1@example.test',
      subject: `(${MANUAL_CODE})`,
    });
    expect(manualVerificationSchema.parse(manual)).toEqual(manual);
  });
});
