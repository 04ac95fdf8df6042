// What Verify, Cancel and a connectivity check are about: a profile, and one or all of its actors.
import {
  NO_ACTOR_MESSAGE,
  profileNeedsActor,
  type PublicEmailProfile,
  type VerificationTarget,
} from '@email-profiles/core';
import { getPublicProfile, type Conn } from '../db/index.js';
import { DomainError } from '../domain-error.js';

export function noSuchProfile(id: string): DomainError {
  return new DomainError('not_found', `There is no profile "${id}"`);
}

/** The target's profile and actors (all of them, or the one named, which must be assigned). */
export function resolveTarget(
  db: Conn,
  target: VerificationTarget,
): { profile: PublicEmailProfile; actorIds: string[] } {
  const profile = getPublicProfile(db, target.profileId);
  if (!profile) throw noSuchProfile(target.profileId);
  if (target.actorId === undefined) return { profile, actorIds: profile.actorIds };
  if (!profile.actorIds.includes(target.actorId)) {
    throw new DomainError('invalid', `Actor "${target.actorId}" is not assigned to this profile`);
  }
  return { profile, actorIds: [target.actorId] };
}

/** Verify and a connectivity check need an actor: a profile left without one says so. */
export function requireActors(profile: PublicEmailProfile): void {
  if (profileNeedsActor(profile)) {
    throw new DomainError(
      'precondition',
      `${NO_ACTOR_MESSAGE}: edit ${profile.emailAddress} and choose at least one actor`,
    );
  }
}
