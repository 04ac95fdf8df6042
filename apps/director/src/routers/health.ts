// Mailbox health: the Director-wide settings (the default re-verification schedule, where
// alerts go; the webhook's signing secret write-only) and one profile's history at a glance.
import {
  healthSettingsUpdateSchema,
  listedFailure,
  mergeHealthSettings,
  profileHistoryQuerySchema,
  profileHistorySchema,
  publicHealthSettingsSchema,
} from '@email-profiles/core';
import {
  getProfileHealth,
  getPublicHealthSettings,
  getPublicProfile,
  lastVerifiedTimes,
  loadHealthSettings,
  attemptHistory,
  HISTORY_KEPT,
  saveHealthSettings,
} from '../db/index.js';
import { DomainError } from '../domain-error.js';
import { operatorProcedure, router } from '../trpc.js';
import { fieldErrors } from './errors.js';

export const healthRouter = router({
  settings: router({
    get: operatorProcedure
      .output(publicHealthSettingsSchema)
      .query(({ ctx }) => getPublicHealthSettings(ctx.db)),

    update: operatorProcedure
      .input(healthSettingsUpdateSchema)
      .output(publicHealthSettingsSchema)
      .mutation(({ ctx, input }) => {
        const saved = ctx.db.transaction((tx) => {
          const merged = mergeHealthSettings(loadHealthSettings(tx, ctx.vault), input);
          if (!merged.ok) throw fieldErrors(merged.issues);
          saveHealthSettings(tx, ctx.vault, merged.value);
          return getPublicHealthSettings(tx);
        });
        ctx.log.info(
          { defaultSchedule: saved.defaultSchedule, webhook: saved.webhookUrl !== undefined },
          'health settings updated',
        );
        return saved;
      }),
  }),

  /** A profile's verification history: each actor's attempts, its last success, the next run. */
  history: operatorProcedure
    .input(profileHistoryQuerySchema)
    .output(profileHistorySchema)
    .query(({ ctx, input }) => {
      const profile = getPublicProfile(ctx.db, input.profileId);
      if (!profile) throw new DomainError('not_found', `There is no profile "${input.profileId}"`);
      const lastVerifiedAt = lastVerifiedTimes(ctx.db, profile.id);
      return {
        nextRunAt: getProfileHealth(ctx.db, profile.id).nextRunAt,
        actors: profile.actorIds.map((actorId) => ({
          actorId,
          lastVerifiedAt: lastVerifiedAt[actorId] ?? null,
          attempts: attemptHistory(ctx.db, {
            profileId: profile.id,
            actorId,
            limit: HISTORY_KEPT,
          }).map(({ attemptId, requestedAt, endedAt, outcome, failure }) => ({
            attemptId,
            requestedAt,
            outcome,
            ...(endedAt === undefined ? {} : { endedAt }),
            ...(failure === undefined ? {} : { failure: listedFailure(failure) }),
          })),
        })),
      };
    }),
});
