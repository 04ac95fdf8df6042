// The Add/Edit Email Profile form's state, its defaults, its steps, and how it becomes the
// create or update input of the core schemas (which validate it, in the browser and the server).
import {
  emailProfileCreateSchema,
  emailProfileUpdateSchema,
  emailProfileWarnings,
  hasMailServers,
  profileSecretCheck,
  serverTypeSchema,
  type EmailProfileCreateInput,
  type EmailProfileUpdateInput,
  type FieldWarning,
  type MailServerType,
  type PublicEmailProfile,
  type SecretCheck,
  type ServerType,
  withSecretCheck,
} from '@email-profiles/core';
import type { Path } from 'vee-validate';
import type { EveryVariant } from '../../forms/drafts';
import type { ServerDraft } from '../../forms/mail-server';
import { blankFields, draftFieldsOf, typeInputOf } from './server-fields';
import { numberOrUndefined } from '../../forms/zod-schema';

type Fields = EveryVariant<EmailProfileCreateInput, 'serverType'>;

/** Every server type's fields (core's create input), the servers as MailServerFields holds them. */
export type ProfileDraft = Required<Omit<Fields, 'incoming' | 'outgoing'>> & {
  serverType: ServerType;
  incoming: ServerDraft<Fields['incoming']>;
  /** The auth type is kept while "requires authentication" is off. */
  outgoing: ServerDraft<Required<Fields['outgoing']>>;
};

export const isMailServer = hasMailServers;

/** Whose default ports the incoming server has, by server type. */
export const incomingProtocol: Record<MailServerType, 'imap' | 'pop3'> = {
  imap: 'imap',
  pop3: 'pop3',
};

/** A new profile: IMAP over SSL/TLS (993); outgoing SMTP with encryption Off (25), as the seed says. */
export function newDraft(): ProfileDraft {
  return {
    serverType: 'imap',
    sendVerificationManually: false,
    schedule: 'default',
    emailAddress: '',
    zoneId: null,
    actorIds: [],
    ...blankFields(),
  };
}

/** A stored profile in the form; its secrets stay blank ("unchanged"). */
export function draftOf(profile: PublicEmailProfile): ProfileDraft {
  return {
    ...newDraft(),
    serverType: profile.serverType,
    sendVerificationManually: profile.sendVerificationManually,
    schedule: profile.schedule,
    emailAddress: profile.emailAddress,
    zoneId: profile.zoneId,
    actorIds: [...profile.actorIds],
    ...draftFieldsOf(profile),
  };
}

/** The schema's input for the draft's server type (only that type's fields). */
export function toCreateInput(draft: ProfileDraft): EmailProfileCreateInput {
  return {
    serverType: draft.serverType,
    emailAddress: draft.emailAddress,
    sendVerificationManually: draft.sendVerificationManually,
    schedule: draft.schedule,
    zoneId: draft.zoneId,
    actorIds: draft.actorIds,
    ...typeInputOf(draft),
  } as EmailProfileCreateInput;
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
export function secretStatusOf(stored: PublicEmailProfile, draft: ProfileDraft): SecretCheck {
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
  account: [
    'serverType',
    'schedule',
    'emailAddress',
    'zoneId',
    'actorIds',
    'username',
    'password',
    'clientSecretExpiresOn',
    'canaryAddress',
  ],
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
