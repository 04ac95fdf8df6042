// The Email Settings form's state (every method's fields, as inputs hold them) and how it becomes
// the update input of the core schema for the chosen method.
import {
  defaultPort,
  directorMailSettingsUpdateSchema,
  directorMailSettingsWarnings,
  mailMethodSchema,
  mailSettingsSecretCheck,
  withSecretCheck,
  type DirectorMailSettingsUpdateInput,
  type FieldWarning,
  type MailMethod,
  type PublicDirectorMailSettings,
} from '@email-profiles/core';
import type { EveryVariant } from '../../forms/drafts';
import type { ServerDraft } from '../../forms/mail-server';
import { systemTrustDraft, trustDraftOf, trustOf } from '../../forms/tls-trust';
import { numberOrUndefined, optionalText } from '../../forms/zod-schema';

/** Every method's fields (core's update input), the SMTP server as MailServerFields holds it. */
export type MailSettingsDraft = ServerDraft<
  Required<EveryVariant<DirectorMailSettingsUpdateInput, 'method'>>
> & { method: MailMethod };

export function emptyDraft(): MailSettingsDraft {
  return {
    method: 'smtp',
    fromAddress: '',
    fromName: '',
    host: '',
    port: defaultPort('smtp', 'starttls'),
    encryption: 'starttls',
    requiresAuth: true,
    authType: 'plain',
    username: '',
    password: '',
    tlsTrust: systemTrustDraft(),
    tenantId: '',
    clientId: '',
    clientSecret: '',
    cloud: 'global',
    clientSecretExpiresOn: '',
    googleAppInTesting: false,
  };
}

/** The stored settings in the form; secrets stay blank (blank keeps the stored one). */
export function draftOf(settings: PublicDirectorMailSettings | null): MailSettingsDraft {
  const draft = emptyDraft();
  if (!settings) return draft;
  const common = { ...draft, fromAddress: settings.fromAddress, fromName: settings.fromName ?? '' };
  switch (settings.method) {
    case 'smtp':
      return {
        ...common,
        method: 'smtp',
        host: settings.host,
        port: settings.port,
        encryption: settings.encryption,
        requiresAuth: settings.requiresAuth,
        authType: settings.authType ?? 'plain',
        username: settings.username ?? '',
        tlsTrust: trustDraftOf(settings.tlsTrust),
      };
    case 'graph':
      return {
        ...common,
        method: 'graph',
        tenantId: settings.tenantId,
        clientId: settings.clientId,
        cloud: settings.cloud,
        clientSecretExpiresOn: settings.clientSecretExpiresOn ?? '',
      };
    case 'gmail':
      return {
        ...common,
        method: 'gmail',
        clientId: settings.clientId,
        googleAppInTesting: settings.googleAppInTesting,
      };
  }
}

export function toUpdateInput(draft: MailSettingsDraft): DirectorMailSettingsUpdateInput {
  const sender = { fromAddress: draft.fromAddress, fromName: optionalText(draft.fromName) };
  switch (draft.method) {
    case 'smtp':
      return {
        method: 'smtp',
        ...sender,
        host: draft.host,
        port: numberOrUndefined(draft.port) as number,
        encryption: draft.encryption,
        requiresAuth: draft.requiresAuth,
        tlsTrust: trustOf(draft.tlsTrust),
        ...(draft.requiresAuth
          ? {
              authType: draft.authType,
              username: optionalText(draft.username),
              password: draft.password,
            }
          : {}),
      };
    case 'graph':
      return {
        method: 'graph',
        ...sender,
        tenantId: draft.tenantId,
        clientId: draft.clientId,
        clientSecret: draft.clientSecret,
        cloud: draft.cloud,
        clientSecretExpiresOn: optionalText(draft.clientSecretExpiresOn),
      };
    case 'gmail':
      return {
        method: 'gmail',
        ...sender,
        clientId: draft.clientId,
        clientSecret: draft.clientSecret,
        googleAppInTesting: draft.googleAppInTesting,
      };
  }
}

/**
 * The update schema, plus core's rule for a blank secret (mailSettingsSecretCheck, the
 * Director's own): it keeps the stored secret only while everything the secret is sent to is
 * unchanged; otherwise, or with nothing stored, the secret is required, with the reason.
 */
export function mailSettingsSchema(stored: () => PublicDirectorMailSettings | null | undefined) {
  return withSecretCheck(directorMailSettingsUpdateSchema, (value) =>
    // Checked also while other fields are invalid: only once the method is one.
    mailMethodSchema.safeParse(value.method).success
      ? mailSettingsSecretCheck(stored(), value)
      : undefined,
  );
}

/** What becomes of each secret: whether blank keeps it, or why it must be typed again. */
export function secretStatusOf(
  stored: PublicDirectorMailSettings | null | undefined,
  draft: MailSettingsDraft,
) {
  return mailSettingsSecretCheck(stored, toUpdateInput(draft));
}

export function mailSettingsWarnings(draft: MailSettingsDraft): FieldWarning[] {
  const port = numberOrUndefined(draft.port);
  if (draft.method !== 'smtp' || port === undefined) return [];
  return directorMailSettingsWarnings({
    port,
    encryption: draft.encryption,
    requiresAuth: draft.requiresAuth,
  });
}
