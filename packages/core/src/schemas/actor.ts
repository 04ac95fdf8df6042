import { z } from 'zod';
import {
  displayNameSchema,
  idSchema,
  randomTokenSchema,
  timestampSchema,
} from '../validation/fields.js';

export const actorConnectionSchema = z.enum(['online', 'offline']);
export type ActorConnection = z.infer<typeof actorConnectionSchema>;

/** An Actor: an agent process on a host, in one Security Zone. */
export const actorSchema = z.object({
  id: idSchema,
  name: displayNameSchema,
  zoneId: idSchema,
  connection: actorConnectionSchema,
  lastSeenAt: timestampSchema.nullable(),
});
export type Actor = z.infer<typeof actorSchema>;

/** An actor as the actors table shows it: with the name of its zone. */
export const actorListItemSchema = actorSchema.extend({ zoneName: displayNameSchema });
export type ActorListItem = z.infer<typeof actorListItemSchema>;

/** Revoking an actor: it is removed, with its profile assignments and verification states. */
export const actorRevokeSchema = actorSchema.pick({ id: true });
export type ActorRevoke = z.infer<typeof actorRevokeSchema>;

export const ENROLLMENT_TOKEN_DEFAULT_MINUTES = 60;
export const ENROLLMENT_TOKEN_MAX_MINUTES = 7 * 24 * 60;

/** Asking for a one-time token an actor agent enrolls with, into the given zone. */
export const enrollmentTokenCreateSchema = z.object({
  zoneId: idSchema,
  expiresInMinutes: z
    .number({ error: 'Enter the validity in minutes' })
    .int('Enter whole minutes')
    .min(1, 'A token must be valid for at least 1 minute')
    .max(
      ENROLLMENT_TOKEN_MAX_MINUTES,
      `A token can be valid for at most 7 days (${ENROLLMENT_TOKEN_MAX_MINUTES} minutes)`,
    )
    .default(ENROLLMENT_TOKEN_DEFAULT_MINUTES),
});
export type EnrollmentTokenCreate = z.input<typeof enrollmentTokenCreateSchema>;

/** An enrollment token as issued: 32 random bytes, base64url (43 characters). */
export const enrollmentTokenValueSchema = randomTokenSchema('enrollment token');

/** The token, shown to the operator once (only its hash is stored), and when it expires. */
export const enrollmentTokenSchema = z.object({
  token: enrollmentTokenValueSchema,
  zoneId: idSchema,
  expiresAt: timestampSchema,
});
export type EnrollmentToken = z.infer<typeof enrollmentTokenSchema>;

/** The actor in one file the Director offers for download, and how to check it. */
export const ACTOR_DOWNLOAD_PATH = '/downloads/email-profiles-actor.mjs';
export const actorDownloadSchema = z.object({
  path: z.literal(ACTOR_DOWNLOAD_PATH),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
});
export type ActorDownload = z.infer<typeof actorDownloadSchema>;
