import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emailProfileCreateSchema, type EmailProfile } from '../schemas/profile.js';
import { gmailInput, graphInput, imapInput, stored } from '../schemas/profile.test.js';
import { reduceProfile } from './machine.js';
import { connectionChanged, profileChangeEvents } from './changes.js';
import type { ProfileVerification } from './state.js';

const base = stored(emailProfileCreateSchema.parse(imapInput({ actorIds: ['a1', 'a2'] })));

const edit = (changes: Record<string, unknown>): EmailProfile => ({ ...base, ...changes });

const verifiedEverywhere = (profile: EmailProfile): ProfileVerification => ({
  mode: 'automatic',
  manualCode: profile.manualCode,
  actors: Object.fromEntries(
    profile.actorIds.map((id) => [
      id,
      {
        status: 'verified' as const,
        verifiedAt: '2026-11-26T10:00:00.000Z',
        attempt: {
          id: `att-${id}`,
          mode: 'automatic' as const,
          code: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
          requestedAt: '2026-11-26T10:00:00.000Z',
          deadlineAt: '2026-11-26T10:02:00.000Z',
          retries: 0,
        },
      },
    ]),
  ),
});

function applyAll(
  state: ProfileVerification,
  before: EmailProfile,
  after: EmailProfile,
): ProfileVerification {
  return profileChangeEvents(before, after).reduce((current, event) => {
    const next = reduceProfile(current, event);
    if (!next.ok) throw new Error(next.rejection.message);
    return next.state;
  }, state);
}

const incoming = base.serverType === 'imap' ? base.incoming : undefined;
const outgoing = base.serverType === 'imap' ? base.outgoing : undefined;

describe('connectionChanged', () => {
  it.each<[string, Record<string, unknown>]>([
    ['server type', { serverType: 'pop3' }],
    ['email address', { emailAddress: 'other@example.test' }],
    ['username', { username: 'CORP\\actor1' }],
    ['password', { password: 'changed' }],
    ['incoming host', { incoming: { ...incoming, host: 'imap2.example.test' } }],
    ['incoming port', { incoming: { ...incoming, port: 143 } }],
    ['incoming encryption', { incoming: { ...incoming, encryption: 'starttls' } }],
    ['incoming auth', { incoming: { ...incoming, authType: 'ntlm' } }],
    [
      'TLS trust',
      { incoming: { ...incoming, tlsTrust: { mode: 'fingerprint', sha256: 'ab'.repeat(32) } } },
    ],
    ['outgoing auth', { outgoing: { ...outgoing, requiresAuth: false, authType: undefined } }],
  ])('is true when the %s changes', (_, changes) => {
    expect(connectionChanged(base, edit(changes))).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ['nothing', {}],
    ['manual mode', { sendVerificationManually: true }],
    ['zone filter', { zoneId: 'dmz' }],
    ['actors', { actorIds: ['a1'] }],
    ['re-verification schedule', { schedule: 'daily' }],
    [
      'key order only',
      JSON.parse(
        JSON.stringify({
          incoming: {
            authType: 'plain',
            encryption: 'ssl',
            port: 993,
            host: 'imap.example.test',
            tlsTrust: { mode: 'system' },
          },
        }),
      ) as Record<string, unknown>,
    ],
  ])('is false when only the %s changes', (_, changes) => {
    expect(connectionChanged(base, edit(changes))).toBe(false);
  });
});

describe('profileChangeEvents', () => {
  it('adds and removes actors without touching the others', () => {
    const after = edit({ actorIds: ['a2', 'a3'] });
    expect(profileChangeEvents(base, after)).toEqual([
      { type: 'actor_removed', actorId: 'a1' },
      { type: 'actor_added', actorId: 'a3' },
    ]);
    const state = applyAll(verifiedEverywhere(base), base, after);
    expect(state.actors.a2?.status).toBe('verified');
    expect(state.actors.a3?.status).toBe('unverified');
    expect(state.actors.a1).toBeUndefined();
  });

  it('switches the verification mode with the manual option', () => {
    expect(profileChangeEvents(base, edit({ sendVerificationManually: true }))).toEqual([
      { type: 'mode_changed', mode: 'manual' },
    ]);
  });

  it('resets every actor on any connection change (property)', () => {
    const profiles = [
      base,
      stored(emailProfileCreateSchema.parse(graphInput({ actorIds: ['a1', 'a2'] }))),
      stored(emailProfileCreateSchema.parse(gmailInput({ actorIds: ['a1'] }))),
    ];
    const connectionKey = (profile: EmailProfile) =>
      Object.keys(profile).filter(
        (key) =>
          ![
            'id',
            'manualCode',
            'sendVerificationManually',
            'zoneId',
            'actorIds',
            // health: when to verify again and what to warn of
            'schedule',
            'clientSecretExpiresOn',
            'canaryAddress',
            'googleAppInTesting',
          ].includes(key),
      );
    fc.assert(
      fc.property(
        fc.constantFrom(...profiles),
        fc.nat(),
        fc.string(),
        fc.subarray(['a1', 'a2', 'a3']),
        (profile, pick, value, actorIds) => {
          const keys = connectionKey(profile);
          const key = keys[pick % keys.length] ?? 'emailAddress';
          const current = (profile as Record<string, unknown>)[key];
          const after = {
            ...profile,
            [key]: JSON.stringify(current) === JSON.stringify(value) ? `${value}x` : value,
            actorIds,
          };
          const state = applyAll(verifiedEverywhere(profile), profile, after);
          expect(Object.keys(state.actors).sort()).toEqual([...actorIds].sort());
          expect(Object.values(state.actors).every((actor) => actor.status === 'unverified')).toBe(
            true,
          );
        },
      ),
    );
  });
});
