// Email profiles: the mailbox an actor uses and how to reach it, one variant per server type.
//
// Each server type is declared once as an unrefined object (its fields, secrets marked). The
// stored, create, update and public schemas are all derived from those declarations.
import { z } from 'zod';
import {
  accountUsernameSchema,
  emailAddressSchema,
  gmailClientIdSchema,
  graphClientIdSchema,
  idSchema,
  isGuid,
  tenantIdSchema,
  timestampSchema,
  verificationCodeSchema,
} from '../validation/fields.js';
import { lineSafe } from '../validation/text.js';
import { expiryDateSchema, profileScheduleSchema } from './health.js';
import { destination, publicObject, secret, updateObject } from './secret.js';
import {
  incomingServerSchema,
  outgoingServerSchema,
  serverWarnings,
  type FieldWarning,
} from './servers.js';
import {
  SERVER_TYPE_NAMES,
  serverTypeSchema,
  type ApiServerType,
  type MailServerType,
  type ServerType,
} from './server-types.js';

export const graphCloudSchema = z.enum(['global', 'usgov', 'china'], {
  error: 'Choose the Microsoft cloud',
});
export type GraphCloud = z.infer<typeof graphCloudSchema>;

/** Fields every server type has (the seed's first form step). */
const commonFields = {
  emailAddress: emailAddressSchema,
  sendVerificationManually: z.boolean().default(false),
  /** The Security Zone filter the actors were chosen with; null means "All zones". */
  zoneId: idSchema.nullable().default(null),
  /** How often the Director verifies the profile again on its own (automatic mode only). */
  schedule: profileScheduleSchema.default('default'),
  actorIds: z
    .array(idSchema, { error: 'Select at least one actor' })
    .min(1, 'Select at least one actor')
    .refine((ids) => new Set(ids).size === ids.length, 'An actor is selected more than once'),
};

const clientSecret = (label: string) =>
  secret(
    z
      .string({ error: `Enter the ${label}` })
      .trim()
      .min(1, `Enter the ${label}`)
      .max(1024, `The ${label} can be at most 1024 characters`),
  );

const accountPassword = secret(
  z
    .string({ error: 'Enter the account password' })
    .min(1, 'Enter the account password')
    .max(1024, 'A password can be at most 1024 characters')
    .refine(...lineSafe('password')),
);

/** An Entra ID app's client secret Value (also the Director's own Graph mail settings). */
export const graphClientSecretSchema = secret(
  z
    .string({ error: 'Enter the client secret value' })
    .trim()
    .min(1, 'Enter the client secret value')
    .max(1024, 'The client secret can be at most 1024 characters')
    .refine(
      (value) => !isGuid(value),
      "This looks like the secret ID (a GUID). Enter the secret's Value, shown once when the secret is created in Azure",
    ),
);

/** A Google OAuth client's secret (also the Director's own Gmail mail settings). */
export const gmailClientSecretSchema = clientSecret('client secret');

// Where each type's secret is sent is marked with `destination`: a blank secret on edit keeps the
// stored one only while those fields are unchanged (see checkBlankSecrets).
const serverType = <T extends ServerType>(type: T) =>
  destination(z.literal(type), 'the server type', { variant: true });

const graphFields = z.object({
  serverType: serverType('graph'),
  ...commonFields,
  tenantId: destination(tenantIdSchema, 'the tenant ID'),
  clientId: destination(graphClientIdSchema, 'the client ID'),
  clientSecret: graphClientSecretSchema,
  cloud: destination(graphCloudSchema.default('global'), 'the Microsoft cloud'),
  /** The client secret's "Expires" date in Entra ID, for the warnings before it runs out. */
  clientSecretExpiresOn: expiryDateSchema.optional(),
  /**
   * Another mailbox of the tenant that this app must not be able to read: each check tries to,
   * and a success shows the app is not scoped to its own mailbox (least privilege).
   */
  canaryAddress: emailAddressSchema.optional(),
});

const gmailFields = z.object({
  serverType: serverType('gmail'),
  ...commonFields,
  clientId: destination(gmailClientIdSchema, 'the client ID'),
  clientSecret: gmailClientSecretSchema,
  /** The Google app's publishing status is Testing: Google ends its consent after 7 days. */
  googleAppInTesting: z.boolean().default(false),
});

/** The one account password goes to both servers: a change to either needs it again. */
const mailServerFields = {
  ...commonFields,
  username: destination(accountUsernameSchema, 'the account username'),
  password: accountPassword,
  incoming: destination(incomingServerSchema, 'the incoming server'),
  outgoing: destination(outgoingServerSchema, 'the outgoing server'),
};
const imapFields = z.object({ serverType: serverType('imap'), ...mailServerFields });
const pop3Fields = z.object({ serverType: serverType('pop3'), ...mailServerFields });

/** What the Director adds to a profile: identity, manual-mode code, and Gmail's consent. */
const storedFields = {
  id: idSchema,
  /** The profile's verification UUID for manual mode: one per profile, shown to the user. */
  manualCode: verificationCodeSchema,
  /**
   * Stored and shown, a profile may have no actor: revoking its only actor leaves it so, and it
   * then waits for one (see profileNeedsActor). Creating or editing one still needs at least one.
   */
  actorIds: z
    .array(idSchema)
    .refine((ids) => new Set(ids).size === ids.length, 'An actor is assigned more than once'),
};

/** What the one-time Google consent adds (to a Gmail profile, or the Director's Gmail settings). */
export const consentFields = {
  refreshToken: secret(z.string().min(1)).optional(),
  /** The Google account that granted consent, as Google reported it. */
  consentedAddress: z.string().optional(),
  /** When that consent was given (an app in Testing loses it 7 days later). */
  consentedAt: timestampSchema.optional(),
};

/** The user-entered fields of each server type, for code that needs one variant's schema. */
export const profileFieldSchemas = {
  graph: graphFields,
  gmail: gmailFields,
  imap: imapFields,
  pop3: pop3Fields,
} as const satisfies Record<ServerType, z.ZodObject>;

/**
 * One variant per server type, in the registry's order: every union below is made from a map
 * keyed by server type, so a new type in SERVER_TYPES is missing from each map until added, and
 * the compiler names each one.
 */
export function byServerType<M extends Record<ServerType, z.ZodObject>>(
  variants: M,
  params?: { error: string },
) {
  // The registry's order, as a non-empty tuple of the map's own variant types.
  const options = SERVER_TYPE_NAMES.map((type) => variants[type]) as [
    M[ServerType],
    ...M[ServerType][],
  ];
  return z.discriminatedUnion('serverType', options, params);
}

/** The stored schema of each server type, e.g. to find every field to encrypt at rest. */
export const storedProfileSchemas = {
  graph: graphFields.extend(storedFields),
  gmail: gmailFields.extend({ ...storedFields, ...consentFields }),
  imap: imapFields.extend(storedFields),
  pop3: pop3Fields.extend(storedFields),
} as const satisfies Record<ServerType, z.ZodObject>;

/** A profile as the Director stores it (secrets decrypted in memory only). */
export const emailProfileSchema = byServerType(storedProfileSchemas);
export type EmailProfile = z.infer<typeof emailProfileSchema>;

/**
 * What the profiles table shows of a profile: its mailbox and server type (its actors are the
 * row's statuses). The servers, certificates and app ids are for the form (profiles.get), not for
 * every row of the table.
 */
export const profileSummarySchema = z.object({
  id: storedFields.id,
  serverType: serverTypeSchema,
  emailAddress: commonFields.emailAddress,
  sendVerificationManually: z.boolean(),
  zoneId: idSchema.nullable(),
  /** A server type whose mailbox owner consents (Gmail): whether they have. */
  consentGranted: z.boolean().optional(),
  // What the health summary needs (see health.ts).
  schedule: profileScheduleSchema,
  clientSecretExpiresOn: expiryDateSchema.optional(),
  consentedAt: timestampSchema.optional(),
  googleAppInTesting: z.boolean().optional(),
});
export type ProfileSummary = z.infer<typeof profileSummarySchema>;

/** The summary of a public profile: the schema keeps its fields and drops the rest. */
export const profileSummary = (profile: PublicEmailProfile): ProfileSummary =>
  profileSummarySchema.parse(profile);

/** A profile as the API returns it: every secret field removed. */
export const publicEmailProfileSchema = byServerType({
  graph: publicObject(storedProfileSchemas.graph),
  gmail: publicObject(storedProfileSchemas.gmail).extend({ consentGranted: z.boolean() }),
  imap: publicObject(storedProfileSchemas.imap),
  pop3: publicObject(storedProfileSchemas.pop3),
});
export type PublicEmailProfile = z.infer<typeof publicEmailProfileSchema>;

const connectionOnly = { actorIds: true, zoneId: true, manualCode: true } as const;

/**
 * The profile as an actor needs it for one task: the connection and its secrets, without the
 * profile's other actors, zone filter or manual code.
 */
export const taskProfileSchema = byServerType({
  graph: storedProfileSchemas.graph.omit(connectionOnly),
  gmail: storedProfileSchemas.gmail.omit(connectionOnly),
  imap: storedProfileSchemas.imap.omit(connectionOnly),
  pop3: storedProfileSchemas.pop3.omit(connectionOnly),
});
export type TaskProfile = z.infer<typeof taskProfileSchema>;

const CHOOSE = { error: 'Choose a server type' };

export const emailProfileCreateSchema = byServerType(profileFieldSchemas, CHOOSE);
export type EmailProfileCreate = z.infer<typeof emailProfileCreateSchema>;
export type EmailProfileCreateInput = z.input<typeof emailProfileCreateSchema>;

/** Update input: the whole profile again, where a blank secret keeps the stored one. */
export const emailProfileUpdateSchema = byServerType(
  {
    graph: updateObject(graphFields).extend({ id: idSchema }),
    gmail: updateObject(gmailFields).extend({ id: idSchema }),
    imap: updateObject(imapFields).extend({ id: idSchema }),
    pop3: updateObject(pop3Fields).extend({ id: idSchema }),
  },
  CHOOSE,
);
export type EmailProfileUpdate = z.infer<typeof emailProfileUpdateSchema>;
export type EmailProfileUpdateInput = z.input<typeof emailProfileUpdateSchema>;

/** Port/encryption mismatch and clear-text password warnings for a profile's two servers. */
export function emailProfileWarnings(
  profile:
    | { serverType: ApiServerType }
    | {
        serverType: MailServerType;
        incoming: { port: number; encryption: z.infer<typeof incomingServerSchema>['encryption'] };
        outgoing: {
          port: number;
          encryption: z.infer<typeof outgoingServerSchema>['encryption'];
          requiresAuth: boolean;
        };
      },
): FieldWarning[] {
  if (!('incoming' in profile)) return [];
  return [
    ...serverWarnings({ ...profile.incoming, authenticates: true }, ['incoming']),
    ...serverWarnings({ ...profile.outgoing, authenticates: profile.outgoing.requiresAuth }, [
      'outgoing',
    ]),
  ];
}
