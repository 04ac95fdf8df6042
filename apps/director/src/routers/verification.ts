// Verification as operators drive it: Verify (idempotent), Cancel, the live status of every
// profile's actors, an actor's failure in full, and each actor's recent attempts.
import {
  actorTargetSchema,
  cancelResultSchema,
  failureSchema,
  profileStatusEventSchema,
  verificationHistoryQuerySchema,
  verificationHistorySchema,
  verificationTargetSchema,
  verifyResultSchema,
} from '@email-profiles/core';
import { z } from 'zod';
import { attemptHistory, getActorVerification } from '../db/index.js';
import { operatorProcedure, router } from '../trpc.js';
import { resolveTarget } from '../verification/target.js';
import { profileListRow } from './profile-list.js';

export const verificationRouter = router({
  verify: operatorProcedure
    .input(verificationTargetSchema)
    .output(verifyResultSchema)
    .mutation(({ ctx, input }) => ctx.verification.verify(input)),

  cancel: operatorProcedure
    .input(verificationTargetSchema)
    .output(cancelResultSchema)
    .mutation(({ ctx, input }) => ctx.verification.cancel(input)),

  /** The row of each profile whose statuses change, as they change (one profile, or all). */
  onStatus: operatorProcedure
    .input(z.object({ profileId: z.string().optional() }).optional())
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const profileId of ctx.events.profiles(signal)) {
        if (input?.profileId !== undefined && input.profileId !== profileId) continue;
        const row = profileListRow(ctx.db, profileId);
        if (row) yield profileStatusEventSchema.parse(row);
      }
    }),

  /**
   * The actor's failure in full (the hint, the server's words, the detail) while it is failed,
   * else null: the profiles table carries only what it shows of a failure.
   */
  failure: operatorProcedure
    .input(actorTargetSchema)
    .output(failureSchema.nullable())
    .query(({ ctx, input }) => {
      resolveTarget(ctx.db, input); // the profile exists, the actor is one of its own
      const state = getActorVerification(ctx.db, input.profileId, input.actorId);
      return state?.status === 'failed' ? state.failure : null;
    }),

  history: operatorProcedure
    .input(verificationHistoryQuerySchema)
    .output(verificationHistorySchema)
    .query(({ ctx, input }) => {
      resolveTarget(ctx.db, input); // the profile exists, the actor is one of its own
      return attemptHistory(ctx.db, input);
    }),
});
