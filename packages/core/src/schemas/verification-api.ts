// The operator's side of verification and diagnostics: what Verify, Cancel, the live status
// stream, the history and the connectivity check take and return.
import { z } from 'zod';
import { failureSchema } from '../failures/taxonomy.js';
import { idSchema, timestampSchema } from '../validation/fields.js';
import { probeReportSchema, probeStepSchema } from '../transport/interfaces.js';
import { deliverySchema } from '../transport/delivery.js';
import { reportedTextSchema } from '../validation/text.js';
import { attemptSchema, verificationModeSchema } from '../verification/state.js';
import { emailProfileCreateSchema, emailProfileUpdateSchema } from './profile.js';
import { utcMinute } from './health.js';
import { listedFailureSchema, profileListItemSchema } from './profile-list.js';

/** Verify or cancel one profile: all its actors, or one of them. */
export const verificationTargetSchema = z.object({
  profileId: idSchema,
  actorId: idSchema.optional(),
});
export type VerificationTarget = z.infer<typeof verificationTargetSchema>;

export const verifyResultSchema = z.object({
  /** Actors whose attempt started now. */
  started: z.array(idSchema),
  /** Actors already being verified: Verify is idempotent and left them alone. */
  alreadyRunning: z.array(idSchema),
});
export type VerifyResult = z.infer<typeof verifyResultSchema>;

export const cancelResultSchema = z.object({ cancelled: z.array(idSchema) });
export type CancelResult = z.infer<typeof cancelResultSchema>;

/** The live status stream: a profile's row each time any of its actors' statuses changes. */
export const profileStatusEventSchema = profileListItemSchema;
export type ProfileStatusEvent = z.infer<typeof profileStatusEventSchema>;

export const HISTORY_LIMIT = 20;

/** One actor of one profile, e.g. for its failure in full. */
export const actorTargetSchema = z.object({ profileId: idSchema, actorId: idSchema });
export type ActorTarget = z.infer<typeof actorTargetSchema>;

export const verificationHistoryQuerySchema = verificationTargetSchema.extend({
  limit: z.number().int().min(1).max(100).default(HISTORY_LIMIT),
});
export type VerificationHistoryQuery = z.input<typeof verificationHistoryQuerySchema>;

export const ATTEMPT_OUTCOMES = ['in_progress', 'verified', 'failed'] as const;
export const attemptOutcomeSchema = z.enum(ATTEMPT_OUTCOMES);

/** One finished (or running) attempt of one actor, newest first in a history. */
export const attemptRecordSchema = z.object({
  attemptId: idSchema,
  actorId: idSchema,
  mode: verificationModeSchema,
  requestedAt: timestampSchema,
  endedAt: timestampSchema.optional(),
  outcome: attemptOutcomeSchema,
  failure: failureSchema.optional(),
  /** Where the email landed, when found. */
  delivery: deliverySchema.optional(),
  /** Automatic mode: when and by which server the coded email was accepted, and its reply. */
  sent: attemptSchema.shape.sent,
  /** When the actor took the task and began to look. */
  receivedAt: timestampSchema.optional(),
  /** The folders the actor searched, when it did not find the email. */
  searched: z.array(reportedTextSchema(200)).max(10).optional(),
});
export type AttemptRecord = z.infer<typeof attemptRecordSchema>;

export const verificationHistorySchema = z.array(attemptRecordSchema);

/** A connectivity check: the probe run by one or all of a profile's actors. */
export const diagnosticsRunSchema = verificationTargetSchema;

/**
 * A connectivity check of a profile as the form holds it, from one of the actors it assigns:
 * nothing is stored. An edit's blank secret keeps the stored one under the rule Save applies (only
 * while where it is sent stays the same).
 */
export const diagnosticsDraftSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('new'), actorId: idSchema, profile: emailProfileCreateSchema }),
  z.object({ kind: z.literal('edit'), actorId: idSchema, profile: emailProfileUpdateSchema }),
]);
export type DiagnosticsDraft = z.infer<typeof diagnosticsDraftSchema>;
export type DiagnosticsDraftInput = z.input<typeof diagnosticsDraftSchema>;

export const diagnosticsActorSchema = z.object({
  actorId: idSchema,
  taskId: idSchema,
  status: z.enum(['queued', 'running', 'done', 'failed']),
  /** The steps reported so far, in order. */
  steps: z.array(probeStepSchema),
  /** The whole report, once the actor finished. */
  report: probeReportSchema.optional(),
  /** Why the check could not run (actor offline, cancelled, ...). */
  failure: failureSchema.optional(),
});
export type DiagnosticsActor = z.infer<typeof diagnosticsActorSchema>;

/** A check in progress or done, as the UI shows it; streamed whole each time it changes. */
export const diagnosticsSnapshotSchema = z.object({
  runId: idSchema,
  /** Null for a check of a profile not saved yet. */
  profileId: idSchema.nullable(),
  startedAt: timestampSchema,
  done: z.boolean(),
  actors: z.array(diagnosticsActorSchema),
});
export type DiagnosticsSnapshot = z.infer<typeof diagnosticsSnapshotSchema>;

export const diagnosticsRunIdSchema = z.object({ runId: idSchema });

/** A profile's history at a glance (health.history). */
export const profileHistoryQuerySchema = z.object({ profileId: idSchema });

/** One attempt as the history shows it: when, how it ended, and where it failed. */
export const historyEntrySchema = attemptRecordSchema
  .pick({ attemptId: true, requestedAt: true, endedAt: true, outcome: true })
  .extend({ failure: listedFailureSchema.optional() });
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const profileHistorySchema = z.object({
  /** When the scheduler verifies the profile next; null without a schedule. */
  nextRunAt: timestampSchema.nullable(),
  actors: z.array(
    z.object({
      actorId: idSchema,
      lastVerifiedAt: timestampSchema.nullable(),
      /** Newest first, as many as the Director keeps (HISTORY_KEPT per actor). */
      attempts: z.array(historyEntrySchema),
    }),
  ),
});
export type ProfileHistory = z.infer<typeof profileHistorySchema>;

/**
 * One actor's history in a sentence, e.g. "Verified 30 times since 2026-11-04 03:00 UTC; failing
 * since 2026-12-01 03:00 UTC at auth (3 attempts)". `attempts` newest first.
 */
export function historySummary(attempts: readonly HistoryEntry[]): string {
  const ended = attempts.filter((attempt) => attempt.outcome !== 'in_progress');
  if (ended.length === 0) return attempts.length > 0 ? 'Verifying now' : 'Never verified';
  const failing: HistoryEntry[] = [];
  for (const attempt of ended) {
    if (attempt.outcome !== 'failed') break;
    failing.push(attempt);
  }
  const verified = ended.filter((attempt) => attempt.outcome === 'verified');
  const oldestVerified = verified.at(-1);
  const record =
    verified.length === 0 || oldestVerified === undefined
      ? 'Never verified'
      : `Verified ${verified.length === 1 ? 'once' : `${verified.length} times`} since ${utcMinute(oldestVerified.requestedAt)}`;
  const firstFailure = failing.at(-1);
  if (firstFailure === undefined) return record;
  const stage = firstFailure.failure ? ` at ${firstFailure.failure.stage}` : '';
  const count = failing.length === 1 ? 'once' : `${failing.length} attempts`;
  return `${record}; failing since ${utcMinute(firstFailure.requestedAt)}${stage} (${count})`;
}
