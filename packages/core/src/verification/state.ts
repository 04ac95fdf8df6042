// Verification state per (profile, actor) and the events that move it, as zod schemas so the
// Director can validate what it loads and what actors report.
import { z } from 'zod';
import { failureSchema } from '../failures/taxonomy.js';
import { deliverySchema } from '../transport/delivery.js';
import { reportedTextSchema } from '../validation/text.js';
import { idSchema, timestampSchema, verificationCodeSchema } from '../validation/fields.js';

export const VERIFICATION_MODES = ['automatic', 'manual'] as const;
export const verificationModeSchema = z.enum(VERIFICATION_MODES);
export type VerificationMode = z.infer<typeof verificationModeSchema>;

export const attemptSchema = z.object({
  id: idSchema,
  mode: verificationModeSchema,
  code: verificationCodeSchema,
  requestedAt: timestampSchema,
  deadlineAt: timestampSchema,
  /** How many times this verification was retried after a failure (0 for the first attempt). */
  retries: z.number().int().min(0),
  /** Automatic mode: the Director's server accepted the coded email (its reply, with queue id). */
  sent: z
    .object({
      at: timestampSchema,
      /** Which server took it, e.g. "smtp.example.com:587" or "Microsoft Graph". */
      via: reportedTextSchema(300).optional(),
      response: reportedTextSchema(1000).optional(),
    })
    .optional(),
});
export type Attempt = z.infer<typeof attemptSchema>;

export const actorVerificationSchema = z
  .discriminatedUnion('status', [
    z.object({ status: z.literal('unverified') }),
    z.object({ status: z.literal('requested'), attempt: attemptSchema }),
    /** Automatic mode: the Director has sent the coded email; the actor has not started looking. */
    z.object({ status: z.literal('sent'), attempt: attemptSchema, sentAt: timestampSchema }),
    z.object({
      status: z.literal('checking'),
      attempt: attemptSchema,
      checkStartedAt: timestampSchema,
    }),
    z.object({
      status: z.literal('verified'),
      attempt: attemptSchema,
      verifiedAt: timestampSchema,
      /** Where the email landed, when the actor could tell. */
      delivery: deliverySchema.optional(),
    }),
    z.object({
      status: z.literal('failed'),
      attempt: attemptSchema,
      failedAt: timestampSchema,
      failure: failureSchema,
    }),
  ])
  .superRefine((state, ctx) => {
    if (state.status === 'sent' && state.attempt.mode !== 'automatic') {
      ctx.addIssue({ code: 'custom', message: 'Only automatic verification sends an email' });
    }
  });
export type ActorVerification = z.infer<typeof actorVerificationSchema>;
export type ActorVerificationStatus = ActorVerification['status'];

export const actorEventSchema = z.discriminatedUnion('type', [
  /** Start an attempt (from unverified, verified or failed). */
  z.object({ type: z.literal('requested'), attempt: attemptSchema }),
  /** Retry a failed attempt with a new attempt of the same mode. */
  z.object({ type: z.literal('retry'), attempt: attemptSchema }),
  z.object({
    type: z.literal('code_sent'),
    attemptId: idSchema,
    at: timestampSchema,
    via: reportedTextSchema(300).optional(),
    /** The server's acceptance, e.g. "250 2.0.0 Ok: queued as 4F2A1". */
    response: reportedTextSchema(1000).optional(),
  }),
  z.object({ type: z.literal('check_started'), attemptId: idSchema, at: timestampSchema }),
  z.object({
    type: z.literal('code_found'),
    attemptId: idSchema,
    at: timestampSchema,
    delivery: deliverySchema.optional(),
  }),
  z.object({
    type: z.literal('failed'),
    attemptId: idSchema,
    at: timestampSchema,
    failure: failureSchema,
  }),
  z.object({ type: z.literal('timed_out'), attemptId: idSchema, at: timestampSchema }),
  z.object({ type: z.literal('cancelled'), attemptId: idSchema, at: timestampSchema }),
  /** Something that affects the connection changed: the old result means nothing any more. */
  z.object({ type: z.literal('reset') }),
]);
export type ActorEvent = z.infer<typeof actorEventSchema>;
export type ActorEventType = ActorEvent['type'];

export const profileVerificationSchema = z
  .object({
    mode: verificationModeSchema,
    /** The profile's one verification UUID for manual mode. */
    manualCode: verificationCodeSchema,
    actors: z.record(idSchema, actorVerificationSchema),
  })
  .superRefine((state, ctx) => {
    for (const [actorId, actor] of Object.entries(state.actors)) {
      if (
        'attempt' in actor &&
        actor.attempt.mode === 'manual' &&
        actor.attempt.code !== state.manualCode
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['actors', actorId],
          message: "A manual attempt must use the profile's verification UUID",
        });
      }
    }
  });
export type ProfileVerification = z.infer<typeof profileVerificationSchema>;

export const profileEventSchema = z.discriminatedUnion('type', [
  /** Verify: start attempts for these actors; actors already in progress are left alone. */
  z.object({
    type: z.literal('verify'),
    attempts: z.array(z.object({ actorId: idSchema, attempt: attemptSchema })),
  }),
  z.object({ type: z.literal('actor'), actorId: idSchema, event: actorEventSchema }),
  z.object({ type: z.literal('actor_added'), actorId: idSchema }),
  z.object({ type: z.literal('actor_removed'), actorId: idSchema }),
  z.object({ type: z.literal('connection_changed') }),
  z.object({ type: z.literal('mode_changed'), mode: verificationModeSchema }),
]);
export type ProfileEvent = z.infer<typeof profileEventSchema>;

/** What the profiles table shows for one actor. */
export type DisplayStatus = 'verified' | 'unverified' | 'in_progress';

export function displayStatus(state: Pick<ActorVerification, 'status'>): DisplayStatus {
  switch (state.status) {
    case 'verified':
      return 'verified';
    case 'unverified':
    case 'failed':
      return 'unverified';
    case 'requested':
    case 'sent':
    case 'checking':
      return 'in_progress';
  }
}

export function isInProgress(state: ActorVerification): boolean {
  return displayStatus(state) === 'in_progress';
}
