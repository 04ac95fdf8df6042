// What the profiles table shows: each profile's public view and, per assigned actor, its display
// status and the last failure. Built from stored states only: no secret is needed or returned.
import { z } from 'zod';
import { failureSchema } from '../failures/taxonomy.js';
import {
  deliverySchema,
  mailboxAccessSchema,
  type Delivery,
  type MailboxAccess,
} from '../transport/delivery.js';
import {
  emailAddressSchema,
  idSchema,
  timestampSchema,
  verificationCodeSchema,
} from '../validation/fields.js';
import {
  displayStatus,
  type ActorVerificationStatus,
  type ProfileVerification,
} from '../verification/state.js';
import { verificationSubject } from '../verification/code.js';
import { profileSummary, profileSummarySchema, type PublicEmailProfile } from './profile.js';

/** Names one profile (get, delete, verification code). */
export const profileIdSchema = z.object({ id: idSchema });
export type ProfileId = z.infer<typeof profileIdSchema>;

export const displayStatusSchema = z.enum(['verified', 'unverified', 'in_progress']);

/**
 * A failure as the table shows it: what happened, where, and whose it was. The hint, the server's
 * words and the detail are for the troubleshooting view (verification.failure).
 */
export const listedFailureSchema = failureSchema.pick({
  stage: true,
  origin: true,
  signal: true,
  summary: true,
  transient: true,
});
export type ListedFailure = z.infer<typeof listedFailureSchema>;

export function listedFailure(failure: ListedFailure): ListedFailure {
  const { stage, origin, signal, summary, transient } = failure;
  const listed = { stage, origin, summary, transient };
  return signal === undefined ? listed : { ...listed, signal };
}

export const profileActorStatusSchema = z.object({
  actorId: idSchema,
  status: displayStatusSchema,
  /** Why the last attempt failed; present only while the actor's state is failed. */
  failure: listedFailureSchema.optional(),
  /** Verified, but the email was found in Junk/Spam: a warning (Email Actions would be skewed). */
  delivery: deliverySchema.optional(),
  /** In progress: when the attempt times out (the table counts down to it). */
  deadlineAt: timestampSchema.optional(),
});
export type ProfileActorStatus = z.infer<typeof profileActorStatusSchema>;

export const profileListItemSchema = z.object({
  profile: profileSummarySchema,
  /** One entry per assigned actor, in the profile's actor order (none: see profileNeedsActor). */
  actors: z.array(profileActorStatusSchema),
  /** The oldest of the actors' last successes (staleness); null while one has never verified. */
  oldestVerifiedAt: timestampSchema.nullable(),
  /** What the last verification saw of the app's access to other mailboxes (Graph). */
  access: mailboxAccessSchema.optional(),
});
export type ProfileListItem = z.infer<typeof profileListItemSchema>;

export const profileListSchema = z.array(profileListItemSchema);

/**
 * A profile without any actor (its only actor was revoked): nobody can verify or use it until an
 * actor is assigned. The table shows this instead of statuses; Verify is refused with it.
 */
export const NO_ACTOR_MESSAGE = 'No actor: assign an actor to verify this profile';

export function profileNeedsActor(
  profile: { actorIds: readonly string[] } | Pick<ProfileListItem, 'actors'>,
): boolean {
  return ('actorIds' in profile ? profile.actorIds : profile.actors).length === 0;
}

/**
 * The Director's own failure for a profile (it could not send the coded email), shown once for
 * the profile instead of once per actor: the actors were never reached. With the first actor it
 * was for (each has the same failure), to load the failure in full.
 */
export function directorFailureOf(
  item: Pick<ProfileListItem, 'actors'>,
): { actorId: string; failure: ListedFailure } | undefined {
  for (const { actorId, failure } of item.actors) {
    if (failure?.origin === 'director') return { actorId, failure };
  }
  return undefined;
}

/** What the Director keeps of each actor's successes, beside its current state. */
export type VerificationRecord = {
  /** When each actor last verified the profile (an actor that never has is missing). */
  lastVerifiedAt: Readonly<Record<string, string>>;
  access?: MailboxAccess | undefined;
};

/** The oldest of the actors' last successes; null while one of them has never verified. */
export function oldestVerifiedAt(
  actorIds: readonly string[],
  lastVerifiedAt: Readonly<Record<string, string | undefined>>,
): string | null {
  let oldest: string | null = null;
  for (const actorId of actorIds) {
    const at = lastVerifiedAt[actorId];
    if (at === undefined) return null;
    if (oldest === null || at < oldest) oldest = at;
  }
  return oldest;
}

/** A list row from the public profile and its verification; a missing state is unverified. */
export function profileListItem(
  profile: PublicEmailProfile,
  verification: ProfileVerification | undefined,
  record: VerificationRecord = { lastVerifiedAt: {} },
): ProfileListItem {
  return {
    profile: profileSummary(profile),
    oldestVerifiedAt: oldestVerifiedAt(profile.actorIds, record.lastVerifiedAt),
    ...(record.access ? { access: record.access } : {}),
    actors: profile.actorIds.map((actorId) => {
      const state = verification?.actors[actorId] ?? { status: 'unverified' as const };
      return profileActorStatus(actorId, {
        status: state.status,
        failure: state.status === 'failed' ? state.failure : undefined,
        delivery: state.status === 'verified' ? state.delivery : undefined,
        deadlineAt: 'attempt' in state ? state.attempt.deadlineAt : undefined,
      });
    }),
  };
}

/** What an actor's entry is made of: the parts of its stored state the table shows. */
export type ListedActorState = {
  status: ActorVerificationStatus;
  failure?: ListedFailure | undefined;
  delivery?: Delivery | undefined;
  deadlineAt?: string | undefined;
};

/**
 * One actor's entry from those parts of its stored state alone: what the Director's list reads
 * without parsing whole states. Each part is kept only in the status it belongs to: the failure
 * while failed, a delivery to Junk while verified, the deadline while in progress.
 */
export function profileActorStatus(
  actorId: string,
  { status, failure, delivery, deadlineAt }: ListedActorState,
): ProfileActorStatus {
  const shown = displayStatus({ status });
  if (status === 'failed' && failure !== undefined)
    return { actorId, status: shown, failure: listedFailure(failure) };
  if (status === 'verified' && delivery?.folder === 'junk')
    return { actorId, status: shown, delivery };
  if (shown === 'in_progress' && deadlineAt !== undefined)
    return { actorId, status: shown, deadlineAt };
  return { actorId, status: shown };
}

/** Manual mode: the code to put in the subject of an email sent by hand to the mailbox. */
export const manualVerificationSchema = z.object({
  code: verificationCodeSchema,
  to: emailAddressSchema,
  subject: z.string(),
});
export type ManualVerification = z.infer<typeof manualVerificationSchema>;

export function manualVerification(profile: {
  manualCode: string;
  emailAddress: string;
}): ManualVerification {
  return {
    code: profile.manualCode,
    to: profile.emailAddress,
    subject: verificationSubject(profile.manualCode),
  };
}
