// The Add/Edit Email Profile form's state, its defaults, its steps, and how it becomes the
// create or update input of the core schemas (which validate it, in the browser and the server).
import {
  defaultPort,
  emailProfileCreateSchema,
  emailProfileUpdateSchema,
  emailProfileWarnings,
  hasMailServers,
  profileSecretCheck,
  serverTypeSchema,
  type AuthType,
  type EmailProfileCreateInput,
  type EmailProfileUpdateInput,
  type Encryption,
  type FieldWarning,
  type GraphCloud,
  type PublicEmailProfile,
  type ServerType,
  withSecretCheck,
} from '@email-profiles/core';
import type { Path } from 'vee-validate';
import { systemTrustDraft, trustDraftOf, trustOf, type TlsTrustDraft } from '../../forms/tls-trust';
import { numberOrUndefined } from '../../forms/zod-schema';

export type ProfileDraft = {
  serverType: ServerType;
  sendVerificationManually: boolean;
  emailAddress: string;
  /** The Security Zone filter; null is "All zones". */
  zoneId: string | null;
  actorIds: string[];
  tenantId: string;
  clientId: string;
  clientSecret: string;
  cloud: GraphCloud;
  username: string;
  password: string;
  incoming: {
    host: string;
    port: number | undefined;
    encryption: Encryption;
    authType: AuthType;
    tlsTrust: TlsTrustDraft;
  };
  outgoing: {
    host: string;
    port: number | undefined;
    encryption: Encryption;
    requiresAuth: boolean;
    authType: AuthType;
    tlsTrust: TlsTrustDraft;
  };
};

export const isMailServer = hasMailServers;

/** A new profile: IMAP over SSL/TLS (993); outgoing SMTP with encryption Off (25), as the seed says. */
export function newDraft(): ProfileDraft {
  return {
    serverType: 'imap',
    sendVerificationManually: false,
    emailAddress: '',
    zoneId: null,
    actorIds: [],
    tenantId: '',
    clientId: '',
    clientSecret: '',
    cloud: 'global',
    username: '',
    password: '',
    incoming: {
      host: '',
      port: defaultPort('imap', 'ssl'),
      encryption: 'ssl',
      authType: 'plain',
      tlsTrust: systemTrustDraft(),
    },
    outgoing: {
      host: '',
      port: defaultPort('smtp', 'off'),
      encryption: 'off',
      requiresAuth: false,
      authType: 'plain',
      tlsTrust: systemTrustDraft(),
    },
  };
}

/** A stored profile in the form; its secrets stay blank ("unchanged"). */
export function draftOf(profile: PublicEmailProfile): ProfileDraft {
  const draft: ProfileDraft = {
    ...newDraft(),
    serverType: profile.serverType,
    sendVerificationManually: profile.sendVerificationManually,
    emailAddress: profile.emailAddress,
    zoneId: profile.zoneId,
    actorIds: [...profile.actorIds],
  };
  switch (profile.serverType) {
    case 'graph':
      return {
        ...draft,
        tenantId: profile.tenantId,
        clientId: profile.clientId,
        cloud: profile.cloud,
      };
    case 'gmail':
      return { ...draft, clientId: profile.clientId };
    case 'imap':
    case 'pop3':
      return {
        ...draft,
        username: profile.username,
        incoming: { ...profile.incoming, tlsTrust: trustDraftOf(profile.incoming.tlsTrust) },
        outgoing: {
          ...profile.outgoing,
          authType: profile.outgoing.authType ?? 'plain',
          tlsTrust: trustDraftOf(profile.outgoing.tlsTrust),
        },
      };
  }
}

/** The schema's input for the draft's server type (only that type's fields). */
export function toCreateInput(draft: ProfileDraft): EmailProfileCreateInput {
  const common = {
    emailAddress: draft.emailAddress,
    sendVerificationManually: draft.sendVerificationManually,
    zoneId: draft.zoneId,
    actorIds: draft.actorIds,
  };
  switch (draft.serverType) {
    case 'graph':
      return {
        serverType: 'graph',
        ...common,
        tenantId: draft.tenantId,
        clientId: draft.clientId,
        clientSecret: draft.clientSecret,
        cloud: draft.cloud,
      };
    case 'gmail':
      return {
        serverType: 'gmail',
        ...common,
        clientId: draft.clientId,
        clientSecret: draft.clientSecret,
      };
    case 'imap':
    case 'pop3':
      return {
        serverType: draft.serverType,
        ...common,
        username: draft.username,
        password: draft.password,
        incoming: {
          host: draft.incoming.host,
          port: numberOrUndefined(draft.incoming.port) as number,
          encryption: draft.incoming.encryption,
          authType: draft.incoming.authType,
          tlsTrust: trustOf(draft.incoming.tlsTrust),
        },
        outgoing: {
          host: draft.outgoing.host,
          port: numberOrUndefined(draft.outgoing.port) as number,
          encryption: draft.outgoing.encryption,
          requiresAuth: draft.outgoing.requiresAuth,
          ...(draft.outgoing.requiresAuth ? { authType: draft.outgoing.authType } : {}),
          tlsTrust: trustOf(draft.outgoing.tlsTrust),
        },
      };
  }
}

/** The update input: the whole profile again, where a blank secret keeps the stored one. */
export function toUpdateInput(id: string, draft: ProfileDraft): EmailProfileUpdateInput {
  return { ...toCreateInput(draft), id };
}

/**
 * The update schema, plus core's rule for a blank secret (profileSecretCheck, the Director's own):
 * it keeps the stored secret only while everything the secret is sent to is unchanged; otherwise
 * the secret is required, with the reason on its field.
 */
export function updateSchema(stored: () => PublicEmailProfile | undefined) {
  return withSecretCheck(emailProfileUpdateSchema, (value) => {
    const before = stored();
    // Checked also while other fields are invalid: only once the server type is one.
    if (before === undefined || !serverTypeSchema.safeParse(value.serverType).success) return;
    return profileSecretCheck(before, value);
  });
}

/** What becomes of each secret on edit: whether blank keeps it, or why it must be typed again. */
export function secretStatusOf(stored: PublicEmailProfile, draft: ProfileDraft) {
  return profileSecretCheck(stored, toUpdateInput(stored.id, draft));
}

export const createSchema = emailProfileCreateSchema;

export function profileWarnings(draft: ProfileDraft): FieldWarning[] {
  if (!isMailServer(draft.serverType)) return [];
  const incomingPort = numberOrUndefined(draft.incoming.port);
  const outgoingPort = numberOrUndefined(draft.outgoing.port);
  return emailProfileWarnings({
    serverType: draft.serverType,
    incoming: { port: incomingPort ?? 0, encryption: draft.incoming.encryption },
    outgoing: {
      port: outgoingPort ?? 0,
      encryption: draft.outgoing.encryption,
      requiresAuth: draft.outgoing.requiresAuth,
    },
  });
}

export type Step = 'account' | 'incoming' | 'outgoing';

export const STEPS: readonly { id: Step; title: string }[] = [
  { id: 'account', title: 'Account' },
  { id: 'incoming', title: 'Incoming mail server' },
  { id: 'outgoing', title: 'Outgoing mail server' },
];

/** Which step a field (by its path, e.g. "incoming.port") is on. */
export function stepOf(path: string): Step {
  if (path.startsWith('incoming')) return 'incoming';
  if (path.startsWith('outgoing')) return 'outgoing';
  return 'account';
}

/** The fields each step validates before Next. */
export const STEP_FIELDS: Record<Step, readonly Path<ProfileDraft>[]> = {
  account: ['serverType', 'emailAddress', 'zoneId', 'actorIds', 'username', 'password'],
  incoming: [
    'incoming.host',
    'incoming.port',
    'incoming.encryption',
    'incoming.tlsTrust.sha256',
    'incoming.tlsTrust.pem',
    'incoming.authType',
  ],
  outgoing: [
    'outgoing.host',
    'outgoing.port',
    'outgoing.encryption',
    'outgoing.tlsTrust.sha256',
    'outgoing.tlsTrust.pem',
    'outgoing.requiresAuth',
    'outgoing.authType',
  ],
};

/** The port to show after the protocol or encryption changed: the new default, unless the user typed another. */
export function followDefault(
  port: number | undefined,
  previousDefault: number,
  nextDefault: number,
): number {
  return port === undefined || port === previousDefault ? nextDefault : port;
}
