// What crosses the wire between the Director and its actors: enrollment, heartbeats, tasks and
// their progress and results. An actor receives a profile's credentials only inside a task, and
// only for a profile assigned to it.
import { z } from 'zod';
import { failureSchema } from '../failures/taxonomy.js';
import {
  displayNameSchema,
  idSchema,
  randomTokenSchema,
  timestampSchema,
  verificationCodeSchema,
} from '../validation/fields.js';
import { reportedTextSchema } from '../validation/text.js';
import {
  findCodeResultSchema,
  probeReportSchema,
  probeStepSchema,
} from '../transport/interfaces.js';
import { enrollmentTokenValueSchema } from './actor.js';
import { taskProfileSchema } from './profile.js';
import { securityZoneSchema } from './zone.js';

/** An actor's API credential: 32 random bytes, base64url; the Director stores only its hash. */
export const actorTokenSchema = randomTokenSchema('actor token');

export const actorEnrollSchema = z.object({
  enrollmentToken: enrollmentTokenValueSchema,
  name: displayNameSchema,
});
export type ActorEnroll = z.infer<typeof actorEnrollSchema>;

export const actorEnrollmentSchema = z.object({
  actorId: idSchema,
  /** Shown once: the actor keeps it (mode 0600) and presents it as `Authorization: Bearer`. */
  token: actorTokenSchema,
  zone: securityZoneSchema,
});
export type ActorEnrollment = z.infer<typeof actorEnrollmentSchema>;

export const TASK_KINDS = ['find_code', 'probe'] as const;
export const taskKindSchema = z.enum(TASK_KINDS);
export type TaskKind = z.infer<typeof taskKindSchema>;

/** What a find-code task asks for, beside the profile: the Director keeps it with the task. */
export const findCodeWorkSchema = z.object({
  code: verificationCodeSchema,
  /** Only mail received at or after this time counts. */
  since: timestampSchema,
  deadlineAt: timestampSchema,
});
export type FindCodeWork = z.infer<typeof findCodeWorkSchema>;

/** What a probe task carries beside the profile: the check it belongs to. */
export const probeWorkSchema = z.object({ runId: idSchema, deadlineAt: timestampSchema });
export type ProbeWork = z.infer<typeof probeWorkSchema>;

const leased = { id: idSchema, profile: taskProfileSchema, leaseExpiresAt: timestampSchema };

/** A task as an actor receives it (leased to it until `leaseExpiresAt`, renewed by heartbeats). */
export const actorTaskSchema = z.discriminatedUnion('kind', [
  findCodeWorkSchema.extend({ kind: z.literal('find_code'), ...leased }),
  probeWorkSchema.omit({ runId: true }).extend({ kind: z.literal('probe'), ...leased }),
]);
export type ActorTask = z.infer<typeof actorTaskSchema>;

export const MAX_TASKS_PER_POLL = 50;
export const MAX_POLL_WAIT_MS = 25_000;

/** Long-poll for work: answers as soon as a task is queued for the actor, or empty after `waitMs`. */
export const nextTasksSchema = z.object({
  max: z.number().int().min(1).max(MAX_TASKS_PER_POLL).default(10),
  waitMs: z.number().int().min(0).max(MAX_POLL_WAIT_MS).default(MAX_POLL_WAIT_MS),
  /**
   * The actor process has just started and runs nothing: tasks still leased to this actor (by a
   * process that stopped without handing them back) are handed to it again.
   */
  resume: z.boolean().default(false),
});
export type NextTasks = z.input<typeof nextTasksSchema>;

export const heartbeatSchema = z.object({
  /** Tasks the actor is working on: their leases are renewed. */
  runningTaskIds: z.array(idSchema).max(1000).default([]),
  version: reportedTextSchema(64).optional(),
});
export type Heartbeat = z.input<typeof heartbeatSchema>;

export const heartbeatReplySchema = z.object({
  serverTime: timestampSchema,
  /** Of the reported tasks, those the actor must stop (cancelled, or no longer its own). */
  cancelTaskIds: z.array(idSchema),
  leaseExpiresAt: timestampSchema,
});
export type HeartbeatReply = z.infer<typeof heartbeatReplySchema>;

/** Progress while a task runs: the mailbox check started, or a probe step completed. */
export const taskProgressSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('check_started'), taskId: idSchema, at: timestampSchema }),
  z.object({ type: z.literal('probe_step'), taskId: idSchema, step: probeStepSchema }),
]);
export type TaskProgress = z.infer<typeof taskProgressSchema>;

export const taskResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('find_code'), taskId: idSchema, result: findCodeResultSchema }),
  z.object({ kind: z.literal('probe'), taskId: idSchema, report: probeReportSchema }),
  /** The actor could not run the task at all (unsupported, crashed): a failure to show. */
  z.object({ kind: z.literal('error'), taskId: idSchema, failure: failureSchema }),
]);
export type TaskResult = z.infer<typeof taskResultSchema>;

/** Graceful shutdown: these tasks go back to the queue for this actor (or another run of it). */
export const releaseTasksSchema = z.object({ taskIds: z.array(idSchema).max(1000) });
export type ReleaseTasks = z.infer<typeof releaseTasksSchema>;

/** Whether the Director accepted a progress report or result (false: the task is gone or over). */
export const taskAckSchema = z.object({ accepted: z.boolean() });
export type TaskAck = z.infer<typeof taskAckSchema>;
