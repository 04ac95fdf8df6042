// The actor API: what an actor agent calls, with its own token (never an operator's session).
// An actor sees only its own tasks, and a profile's credentials only inside a task of a profile
// assigned to it.
import { TRPCError } from '@trpc/server';
import {
  actorEnrollSchema,
  actorEnrollmentSchema,
  actorTaskSchema,
  heartbeatReplySchema,
  heartbeatSchema,
  nextTasksSchema,
  releaseTasksSchema,
  taskAckSchema,
  taskProgressSchema,
  taskResultSchema,
} from '@email-profiles/core';
import { z } from 'zod';
import { hashToken, newToken } from '../auth/session.js';
import { consumeEnrollmentToken, type EnrollmentRefusal } from '../db/enrollment.js';
import { createActor } from '../db/index.js';
import { actorProcedure, publicProcedure, router } from '../trpc.js';

const REFUSALS: Record<EnrollmentRefusal, string> = {
  unknown: 'This enrollment token is not known to the Director: copy it again from the Actors page',
  expired: 'This enrollment token has expired: create a new one on the Actors page',
  used: 'This enrollment token was already used: each token enrolls one actor; create a new one',
};

export const actorApiRouter = router({
  /** Enrolls an actor with a one-time token from the Actors page; returns its own token (once). */
  enroll: publicProcedure
    .input(actorEnrollSchema)
    .output(actorEnrollmentSchema)
    .mutation(({ ctx, input }) => {
      const token = newToken();
      const enrolled = ctx.db.transaction((tx) => {
        const consumed = consumeEnrollmentToken(tx, input.enrollmentToken);
        if (!consumed.ok) {
          throw new TRPCError({ code: 'UNAUTHORIZED', message: REFUSALS[consumed.reason] });
        }
        const actor = createActor(tx, {
          name: input.name,
          zoneId: consumed.zone.id,
          tokenHash: hashToken(token),
        });
        return { actorId: actor.id, token, zone: consumed.zone };
      });
      ctx.log.info(
        { actorId: enrolled.actorId, zoneId: enrolled.zone.id, name: input.name },
        'actor enrolled',
      );
      return enrolled;
    }),

  heartbeat: actorProcedure
    .input(heartbeatSchema)
    .output(heartbeatReplySchema)
    .mutation(({ ctx, input }) => ctx.tasks.heartbeat(ctx.actor, input.runningTaskIds)),

  /** Long-poll: answers as soon as a task is queued for this actor, or empty after waitMs. */
  nextTasks: actorProcedure
    .input(nextTasksSchema)
    .output(z.array(actorTaskSchema))
    .mutation(({ ctx, input, signal }) => ctx.tasks.nextTasks(ctx.actor, input, signal)),

  progress: actorProcedure
    .input(taskProgressSchema)
    .output(taskAckSchema)
    .mutation(({ ctx, input }) => ctx.tasks.progress(ctx.actor, input)),

  complete: actorProcedure
    .input(taskResultSchema)
    .output(taskAckSchema)
    .mutation(({ ctx, input }) => ctx.tasks.complete(ctx.actor, input)),

  /** Graceful shutdown: the tasks go back to the queue. */
  release: actorProcedure
    .input(releaseTasksSchema)
    .output(z.object({ released: z.number().int() }))
    .mutation(({ ctx, input }) => ({
      released: ctx.tasks.release(ctx.actor, input.taskIds),
    })),
});
