import { z } from 'zod';
import { displayNameSchema, idSchema } from '../validation/fields.js';

/** A Security Zone: a named group of actors (e.g. "DMZ", "Branch office"). */
export const securityZoneSchema = z.object({
  id: idSchema,
  name: displayNameSchema,
});
export type SecurityZone = z.infer<typeof securityZoneSchema>;

export const securityZoneCreateSchema = securityZoneSchema.omit({ id: true });
export type SecurityZoneCreate = z.infer<typeof securityZoneCreateSchema>;

/** Renaming a zone: which one, and its new name. */
export const securityZoneRenameSchema = securityZoneSchema;
export type SecurityZoneRename = z.infer<typeof securityZoneRenameSchema>;

/** Deleting a zone (refused while actors are in it). */
export const securityZoneDeleteSchema = securityZoneSchema.pick({ id: true });
export type SecurityZoneDelete = z.infer<typeof securityZoneDeleteSchema>;
