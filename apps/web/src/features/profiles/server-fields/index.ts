// What the profile form does per server type, one entry each: the Account step's fields, a new
// draft's blanks, and the conversions from a stored profile and to core's create input. IMAP and
// POP3 then have their incoming and outgoing server steps (MailServerFields).
import type { PublicEmailProfile, ServerType } from '@email-profiles/core';
import type { ProfileDraft } from '../draft';
import { gmailForm } from './gmail';
import { graphForm } from './graph';
import { mailServerForm } from './mail-server';
import type { CommonField, ServerTypeForm, TypeDraft, TypeInput } from './types';

export const serverTypeForms: { [K in ServerType]: ServerTypeForm<K> } = {
  graph: graphForm,
  gmail: gmailForm,
  imap: mailServerForm,
  pop3: mailServerForm,
};

// The entry for a value's own type (TypeScript cannot correlate the two by itself).
const formOf = (type: ServerType) => serverTypeForms[type] as ServerTypeForm<ServerType>;

/** Every type's fields of a new draft: each type gives its own (a test checks none is missing). */
export function blankFields(): Omit<ProfileDraft, CommonField> {
  const blanks = Object.values(serverTypeForms).reduce<TypeDraft>(
    (all, form) => ({ ...all, ...form.blank }),
    {},
  );
  return blanks as Omit<ProfileDraft, CommonField>;
}

export const draftFieldsOf = (profile: PublicEmailProfile) =>
  formOf(profile.serverType).draftOf(profile);

export function typeInputOf(draft: ProfileDraft): TypeInput<ServerType> {
  return formOf(draft.serverType).inputOf(draft);
}
