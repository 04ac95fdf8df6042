// What the profile form does differently for one server type.
import type {
  EmailProfileCreateInput,
  PublicEmailProfile,
  SecretCheck,
  ServerType,
} from '@email-profiles/core';
import type { Component } from 'vue';
import type { ProfileDraft } from '../draft';

/** The fields every server type has; the form keeps them itself. */
export type CommonField =
  'serverType' | 'emailAddress' | 'sendVerificationManually' | 'schedule' | 'zoneId' | 'actorIds';

/** A server type's own fields of core's create input (for a union of types, each its own). */
export type TypeInput<K extends ServerType> =
  Extract<EmailProfileCreateInput, { serverType: K }> extends infer U
    ? U extends unknown
      ? Omit<U, CommonField>
      : never
    : never;

/** The draft's fields that are not common to every type. */
export type TypeDraft = Partial<Omit<ProfileDraft, CommonField>>;

export type ServerTypeForm<K extends ServerType> = {
  /** Its fields on the Account step. */
  fields: Component<{ secrets: SecretCheck | undefined }>;
  /** Its fields of a new draft. */
  blank: TypeDraft;
  /** A stored profile's own fields in the draft (secrets stay blank: "unchanged"). */
  draftOf: (profile: Extract<PublicEmailProfile, { serverType: K }>) => TypeDraft;
  /** The draft's fields of this type, as core's create input takes them. */
  inputOf: (draft: ProfileDraft) => TypeInput<K>;
};
