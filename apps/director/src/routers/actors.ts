// Actors: the table of enrolled actors (zone, online/offline), live; one-time enrollment tokens,
// and revocation. Enrolling itself (the actor agent presenting its token) comes with the actor API.
import {
  actorDownloadSchema,
  actorListItemSchema,
  actorRevokeSchema,
  enrollmentTokenCreateSchema,
  enrollmentTokenSchema,
} from '@email-profiles/core';
import { z } from 'zod';
import { connectionOf, listActorsWithZones } from '../db/index.js';
import { issueEnrollmentToken } from '../db/enrollment.js';
import { operatorProcedure, router } from '../trpc.js';
import { followActors } from './actor-watch.js';

export const actorsRouter = router({
  list: operatorProcedure.output(z.array(actorListItemSchema)).query(({ ctx }) => {
    const at = Date.now();
    return listActorsWithZones(ctx.db).map((actor) => ({
      id: actor.id,
      name: actor.name,
      zoneId: actor.zoneId,
      zoneName: actor.zoneName,
      connection: connectionOf(actor.lastSeenAt, at),
      lastSeenAt: actor.lastSeenAt,
    }));
  }),

  /**
   * The actors table, live: every actor first, then what changes, as it changes: an actor enrolls,
   * is revoked, renamed (its zone), comes online or goes offline (see actor-watch.ts).
   */
  onChange: operatorProcedure.subscription(({ ctx, signal }) =>
    followActors(ctx.db, ctx.events, signal),
  ),

  /** The actor in one file and its SHA-256, for the Add actor dialog; null when not built. */
  download: operatorProcedure.output(actorDownloadSchema.nullable()).query(({ ctx }) => {
    const bundle = ctx.actorBundle?.();
    return bundle ? { path: bundle.path, sha256: bundle.sha256, bytes: bundle.bytes } : null;
  }),

  createEnrollmentToken: operatorProcedure
    .input(enrollmentTokenCreateSchema)
    .output(enrollmentTokenSchema)
    .mutation(({ ctx, input }) => {
      const expiresAt = new Date(Date.now() + input.expiresInMinutes * 60_000);
      const issued = issueEnrollmentToken(ctx.db, input.zoneId, expiresAt);
      // Never the token itself: only its holder may enroll.
      ctx.log.info(
        { zoneId: issued.zoneId, expiresAt: issued.expiresAt },
        'enrollment token issued',
      );
      return issued;
    }),

  /**
   * Always succeeds for an enrolled actor, also the only actor of a profile: its token stops
   * working at once. Returns the profiles it was removed from; `orphaned` ones have no actor now.
   */
  revoke: operatorProcedure
    .input(actorRevokeSchema)
    .output(
      z.object({
        profiles: z.array(
          z.object({ id: z.string(), emailAddress: z.string(), orphaned: z.boolean() }),
        ),
      }),
    )
    .mutation(({ ctx, input }) => {
      const profiles = ctx.tasks.revoke(input.id);
      ctx.events.actorsWritten();
      return { profiles };
    }),
});
