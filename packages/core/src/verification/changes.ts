// What an edit of a profile means for its verification.
import type { EmailProfile } from '../schemas/profile.js';
import { reduceProfile, type Transition } from './machine.js';
import type { ProfileEvent, ProfileVerification } from './state.js';

/**
 * Fields that do not affect how the mailbox is reached. Everything else (server type, addresses,
 * ports, encryption, auth, credentials, TLS trust, the email address itself and any field added
 * later) counts as a connection change: the safe default is to ask for verification again.
 */
const NON_CONNECTION_FIELDS = new Set<string>([
  'id',
  'manualCode',
  'sendVerificationManually',
  'zoneId',
  'actorIds',
  'consentedAddress',
  'consentedAt',
  // Health: when to verify again and what to warn of, not how the mailbox is reached.
  'schedule',
  'clientSecretExpiresOn',
  'canaryAddress',
  'googleAppInTesting',
]);

function stable(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function connectionPart(profile: EmailProfile): string {
  return stable(
    Object.fromEntries(Object.entries(profile).filter(([key]) => !NON_CONNECTION_FIELDS.has(key))),
  );
}

export function connectionChanged(before: EmailProfile, after: EmailProfile): boolean {
  return connectionPart(before) !== connectionPart(after);
}

/** The verification events an edit causes: a reset on connection change, actors added/removed. */
export function profileChangeEvents(before: EmailProfile, after: EmailProfile): ProfileEvent[] {
  const events: ProfileEvent[] = [];
  const beforeMode = before.sendVerificationManually ? 'manual' : 'automatic';
  const afterMode = after.sendVerificationManually ? 'manual' : 'automatic';
  if (beforeMode !== afterMode) events.push({ type: 'mode_changed', mode: afterMode });
  const removed = before.actorIds.filter((id) => !after.actorIds.includes(id));
  const added = after.actorIds.filter((id) => !before.actorIds.includes(id));
  for (const actorId of removed) events.push({ type: 'actor_removed', actorId });
  if (connectionChanged(before, after)) events.push({ type: 'connection_changed' });
  for (const actorId of added) events.push({ type: 'actor_added', actorId });
  return events;
}

/** The verification state after an edit from `before` to `after`, or why it cannot follow. */
export function followProfileChange(
  state: ProfileVerification,
  before: EmailProfile,
  after: EmailProfile,
): Transition<ProfileVerification> {
  let current: Transition<ProfileVerification> = { ok: true, state };
  for (const event of profileChangeEvents(before, after)) {
    if (!current.ok) break;
    current = reduceProfile(current.state, event);
  }
  return current;
}
