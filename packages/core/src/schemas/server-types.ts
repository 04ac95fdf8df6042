// The server types a profile can have, declared once: the list, the labels and what varies by
// type are read from here (the schemas' unions, the Director's database enum and CHECK, the form,
// the actor's transports). A new server type starts as a line here; the compiler then names each
// place that must handle it (every Record<ServerType, …> and exhaustive switch).
import { z } from 'zod';
import type { OAuthProvider } from './oauth-providers.js';

type ServerTypeTraits = {
  label: string;
  /** Reached through an incoming and an outgoing mail server the user enters (host, port, TLS). */
  mailServers: boolean;
  /** The mailbox owner's one-time OAuth consent is needed before the profile can work. */
  consent: OAuthProvider | undefined;
  /**
   * Operations an actor runs at once on one mailbox, under the provider's or server's limit:
   * Graph allows 4 concurrent requests per mailbox (Exchange Online's MailboxConcurrency), Gmail
   * throttles concurrent requests per user (4 as well); IMAP servers cap connections per account
   * and client address (Dovecot 10, Gmail 15) and a find-code holds one for its whole wait, so 4
   * leaves room for the account's own mail clients; a POP3 session locks the whole maildrop
   * (RFC 1939), so one at a time.
   */
  mailboxConcurrency: number;
};

export const SERVER_TYPES = {
  graph: {
    label: 'Microsoft Office 365 Graph API',
    mailServers: false,
    consent: undefined,
    mailboxConcurrency: 4,
  },
  gmail: { label: 'Gmail API', mailServers: false, consent: 'google', mailboxConcurrency: 4 },
  imap: { label: 'IMAP', mailServers: true, consent: undefined, mailboxConcurrency: 4 },
  pop3: { label: 'POP3', mailServers: true, consent: undefined, mailboxConcurrency: 1 },
} as const satisfies Record<string, ServerTypeTraits>;

export type ServerType = keyof typeof SERVER_TYPES;

/** The server types in their order, e.g. for z.enum and the database's CHECK. */
export const SERVER_TYPE_NAMES = Object.keys(SERVER_TYPES) as [ServerType, ...ServerType[]];

/** A value for each server type, e.g. a trait or what a schema derives per type. */
export function perServerType<T>(value: (type: ServerType) => T): Record<ServerType, T> {
  return Object.fromEntries(SERVER_TYPE_NAMES.map((type) => [type, value(type)])) as Record<
    ServerType,
    T
  >;
}

export const serverTypeSchema = z.enum(SERVER_TYPE_NAMES, { error: 'Choose a server type' });

export const serverTypeLabels = Object.fromEntries(
  SERVER_TYPE_NAMES.map((type) => [type, SERVER_TYPES[type].label]),
) as { [K in ServerType]: (typeof SERVER_TYPES)[K]['label'] };

/** The server types reached through mail servers the user enters (IMAP, POP3). */
export type MailServerType = {
  [K in ServerType]: (typeof SERVER_TYPES)[K]['mailServers'] extends true ? K : never;
}[ServerType];
/** The others: reached through a provider's API (Microsoft Graph, Gmail). */
export type ApiServerType = Exclude<ServerType, MailServerType>;

export const hasMailServers = (type: ServerType): type is MailServerType =>
  SERVER_TYPES[type].mailServers;

/** The same test on a whole profile (of any of core's profile shapes), narrowing it. */
export const isMailServerProfile = <P extends { serverType: ServerType }>(
  profile: P,
): profile is Extract<P, { serverType: MailServerType }> => hasMailServers(profile.serverType);

/** The server types whose mailbox owner consents once (OAuth) before the profile can work. */
export type ConsentServerType = {
  [K in ServerType]: (typeof SERVER_TYPES)[K]['consent'] extends undefined ? never : K;
}[ServerType];

export const needsConsent = (type: ServerType): type is ConsentServerType =>
  SERVER_TYPES[type].consent !== undefined;

/** The same test on a whole profile, narrowing it (to read its consent fields). */
export const isConsentProfile = <P extends { serverType: ServerType }>(
  profile: P,
): profile is Extract<P, { serverType: ConsentServerType }> => needsConsent(profile.serverType);
