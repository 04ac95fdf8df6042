// From a task's profile to the transport that reaches its mailbox. The configs are built from
// core's TaskProfile, field for field; nothing here keeps a credential beyond the call. Each
// transport is loaded on first use, so an actor holds in memory only the protocols it serves.
import {
  explainFailure,
  transportErrorCodes,
  type Failure,
  type FindCodeRequest,
  type FindCodeResult,
  type IncomingTransport,
  type MailServerType,
  type ProbeOptions,
  type ProbeReport,
  type ServerType,
  type TaskProfile,
} from '@email-profiles/core';
import type { GmailConfig, GmailTuning, GoogleEndpoints } from '@email-profiles/transport-gmail';
import type {
  GraphConfig,
  GraphEndpoints,
  GraphTransportOptions,
} from '@email-profiles/transport-graph';
import type { ImapConfig } from '@email-profiles/transport-imap';
import type { SmtpConfig } from '@email-profiles/transport-smtp';

/**
 * Where the cloud transports send their requests and how they pace them. Production leaves this
 * empty; tests point the endpoints at the local Graph and Google fakes.
 */
export type TransportOptions = {
  graph?: { endpoints?: GraphEndpoints; options?: GraphTransportOptions };
  gmail?: { endpoints?: Partial<GoogleEndpoints>; tuning?: Partial<GmailTuning> };
  /** IMAP without IDLE and POP3: the pause between looks (the transports' own pacing otherwise). */
  pollMs?: number;
};

type MailServerProfile = Extract<TaskProfile, { serverType: MailServerType }>;

/** The account on the incoming server (ImapConfig and Pop3Config are the same login config). */
export function incomingConfig(profile: MailServerProfile): ImapConfig {
  const { host, port, encryption, tlsTrust, authType } = profile.incoming;
  return {
    host,
    port,
    encryption,
    tlsTrust,
    authType,
    username: profile.username,
    password: profile.password,
  };
}

/** The profile's outgoing server; it logs in with the same account when it requires auth. */
export function outgoingConfig(profile: MailServerProfile): SmtpConfig {
  const { host, port, encryption, tlsTrust, requiresAuth, authType } = profile.outgoing;
  return {
    host,
    port,
    encryption,
    tlsTrust,
    ...(requiresAuth
      ? {
          auth: {
            type: authType ?? profile.incoming.authType,
            username: profile.username,
            password: profile.password,
          },
        }
      : {}),
  };
}

export function graphConfig(
  profile: Extract<TaskProfile, { serverType: 'graph' }>,
  options: TransportOptions,
): GraphConfig {
  return {
    tenantId: profile.tenantId,
    clientId: profile.clientId,
    clientSecret: profile.clientSecret,
    emailAddress: profile.emailAddress,
    cloud: profile.cloud,
    ...(profile.canaryAddress ? { canaryAddress: profile.canaryAddress } : {}),
    ...(options.graph?.endpoints ? { endpoints: options.graph.endpoints } : {}),
  };
}

/** The Gmail config, or undefined while the profile has no consent (no refresh token). */
export function gmailConfig(
  profile: Extract<TaskProfile, { serverType: 'gmail' }>,
  options: TransportOptions,
): GmailConfig | undefined {
  if (profile.refreshToken === undefined) return undefined;
  return {
    clientId: profile.clientId,
    clientSecret: profile.clientSecret,
    emailAddress: profile.emailAddress,
    refreshToken: profile.refreshToken,
    ...(options.gmail?.endpoints ? { endpoints: options.gmail.endpoints } : {}),
  };
}

const noConsent = (): Failure =>
  explainFailure({
    stage: 'consent',
    protocol: 'gmail',
    errorCode: transportErrorCodes.noRefreshToken,
  });

/** What reaches a profile's mailbox, or why nothing can (Gmail without consent). */
type Incoming = IncomingTransport | Failure;
type IncomingFactory<K extends ServerType> = (
  profile: Extract<TaskProfile, { serverType: K }>,
  options: TransportOptions,
) => Promise<Incoming>;

const pollOf = (options: TransportOptions) =>
  options.pollMs === undefined ? {} : { pollMs: options.pollMs };

/** Each server type's mailbox: which one a profile names, and the way to it. */
type MailboxAccess<K extends ServerType> = {
  /** Which account on which server: profiles that share it share its concurrency bound. */
  mailbox: (profile: Extract<TaskProfile, { serverType: K }>) => string;
  /** The transport, loaded on first use. */
  open: IncomingFactory<K>;
};

const mailServerKey = (profile: MailServerProfile) => {
  const { host, port } = profile.incoming;
  return `${profile.serverType}|${host.toLowerCase()}|${port}|${profile.username}`;
};

const incomingTransports: { [K in ServerType]: MailboxAccess<K> } = {
  imap: {
    mailbox: mailServerKey,
    open: async (profile, options) => {
      const { createImapTransport } = await import('@email-profiles/transport-imap');
      return createImapTransport(incomingConfig(profile), pollOf(options));
    },
  },
  pop3: {
    mailbox: mailServerKey,
    open: async (profile, options) => {
      const { createPop3Transport } = await import('@email-profiles/transport-pop3');
      return createPop3Transport(incomingConfig(profile), pollOf(options));
    },
  },
  graph: {
    mailbox: (profile) =>
      `graph|${profile.cloud}|${profile.tenantId}|${profile.emailAddress.toLowerCase()}`,
    open: async (profile, options) => {
      const { createGraphTransport } = await import('@email-profiles/transport-graph');
      return createGraphTransport(graphConfig(profile, options), options.graph?.options);
    },
  },
  gmail: {
    mailbox: (profile) => `gmail|${profile.emailAddress.toLowerCase()}`,
    open: async (profile, options) => {
      const config = gmailConfig(profile, options);
      if (!config) return noConsent();
      const { createGmailTransport } = await import('@email-profiles/transport-gmail');
      return createGmailTransport(config, options.gmail?.tuning);
    },
  },
};

/** The entry for the profile's own type (TypeScript cannot correlate the two by itself). */
const accessOf = (profile: TaskProfile) =>
  incomingTransports[profile.serverType] as MailboxAccess<ServerType>;

/** Which account on which server a profile reaches: profiles that share it share its bound. */
export function mailboxKey(profile: TaskProfile): string {
  return accessOf(profile).mailbox(profile);
}

export function incomingTransport(profile: TaskProfile, options: TransportOptions) {
  return accessOf(profile).open(profile, options);
}

const isFailure = (value: Incoming): value is Failure => !('findCode' in value);

export async function findCode(
  profile: TaskProfile,
  request: FindCodeRequest,
  signal: AbortSignal,
  options: TransportOptions,
): Promise<FindCodeResult> {
  const transport = await incomingTransport(profile, options);
  if (isFailure(transport)) return { found: false, failure: transport };
  return transport.findCode(request, { signal });
}

/** The incoming side's probe (the mailbox the actor reads). */
export async function probeIncoming(
  profile: TaskProfile,
  probe: ProbeOptions & { signal: AbortSignal },
  options: TransportOptions,
): Promise<ProbeReport> {
  const transport = await incomingTransport(profile, options);
  if (isFailure(transport)) return { ok: false, steps: [], failure: transport, durationMs: 0 };
  return transport.probe(probe);
}

/** The outgoing (SMTP) server's probe of an IMAP or POP3 profile. */
export async function probeOutgoing(
  profile: MailServerProfile,
  probe: ProbeOptions & { signal: AbortSignal },
): Promise<ProbeReport> {
  const { createSmtpTransport } = await import('@email-profiles/transport-smtp');
  return createSmtpTransport(outgoingConfig(profile)).probe(probe);
}
