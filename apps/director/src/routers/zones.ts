// Security Zones: list, create, rename, delete (refused while actors are in the zone).
import {
  securityZoneCreateSchema,
  securityZoneDeleteSchema,
  securityZoneRenameSchema,
  securityZoneSchema,
} from '@email-profiles/core';
import { z } from 'zod';
import { createZone, deleteZone, listZones, renameZone } from '../db/index.js';
import { operatorProcedure, router } from '../trpc.js';

export const zonesRouter = router({
  list: operatorProcedure.output(z.array(securityZoneSchema)).query(({ ctx }) => listZones(ctx.db)),

  create: operatorProcedure
    .input(securityZoneCreateSchema)
    .output(securityZoneSchema)
    .mutation(({ ctx, input }) => {
      const zone = createZone(ctx.db, input);
      ctx.log.info({ zone }, 'zone created');
      return zone;
    }),

  rename: operatorProcedure
    .input(securityZoneRenameSchema)
    .output(securityZoneSchema)
    .mutation(({ ctx, input }) => {
      const zone = renameZone(ctx.db, input.id, { name: input.name });
      ctx.log.info({ zone }, 'zone renamed');
      // Its actors show under the new name.
      ctx.events.actorsWritten();
      return zone;
    }),

  delete: operatorProcedure
    .input(securityZoneDeleteSchema)
    .output(z.void())
    .mutation(({ ctx, input }) => {
      deleteZone(ctx.db, input.id);
      ctx.log.info({ zoneId: input.id }, 'zone deleted');
    }),
});
