// The form's side of an IMAP or POP3 profile: the account on the Account step, and the incoming
// and outgoing servers of the next two steps (MailServerFields), with their conversions.
import { defaultPort, type MailServerType } from '@email-profiles/core';
import { systemTrustDraft, trustDraftOf, trustOf } from '../../../forms/tls-trust';
import { numberOrUndefined } from '../../../forms/zod-schema';
import MailServerAccount from './MailServerAccount.vue';
import type { ServerTypeForm } from './types';

/** IMAP and POP3 share one account and two servers; only their default ports differ. */
export const mailServerForm = {
  fields: MailServerAccount,
  blank: {
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
  },
  draftOf: ({ username, incoming, outgoing }) => ({
    username,
    incoming: { ...incoming, tlsTrust: trustDraftOf(incoming.tlsTrust) },
    outgoing: {
      ...outgoing,
      authType: outgoing.authType ?? 'plain',
      tlsTrust: trustDraftOf(outgoing.tlsTrust),
    },
  }),
  inputOf: ({ username, password, incoming, outgoing }) => ({
    username,
    password,
    incoming: {
      host: incoming.host,
      // A blank port reaches the schema as undefined, which says "Enter the port".
      port: numberOrUndefined(incoming.port) as number,
      encryption: incoming.encryption,
      authType: incoming.authType,
      tlsTrust: trustOf(incoming.tlsTrust),
    },
    outgoing: {
      host: outgoing.host,
      port: numberOrUndefined(outgoing.port) as number,
      encryption: outgoing.encryption,
      requiresAuth: outgoing.requiresAuth,
      ...(outgoing.requiresAuth ? { authType: outgoing.authType } : {}),
      tlsTrust: trustOf(outgoing.tlsTrust),
    },
  }),
} satisfies ServerTypeForm<MailServerType>;
