import { z } from 'zod';
import { displayNameSchema, idSchema } from '../validation/fields.js';

export const actorConnectionSchema = z.enum(['online', 'offline']);
export type ActorConnection = z.infer<typeof actorConnectionSchema>;

/** An Actor: an agent process on a host, in one Security Zone. */
export const actorSchema = z.object({
  id: idSchema,
  name: displayNameSchema,
  zoneId: idSchema,
  connection: actorConnectionSchema,
  lastSeenAt: z.iso.datetime({ offset: true }).nullable(),
});
export type Actor = z.infer<typeof actorSchema>;
