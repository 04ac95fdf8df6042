// What every protocol package implements: probe (staged diagnostics), send, find code. The data
// that crosses the network (actor → Director → browser) is declared as schemas; the interfaces
// themselves are types only. Every text in them comes from a server through an actor: it is
// stored inert and bounded (reportedTextSchema), cut rather than refused.
import { z } from 'zod';
import { failureSchema, type Failure } from '../failures/taxonomy.js';
import type { Secret } from '../schemas/secret.js';
import { reportedTextSchema } from '../validation/text.js';
import { authenticationVerdictsSchema, mailboxAccessSchema, mailFolderSchema } from './delivery.js';

/** A list an actor reports, cut to its first `max` items rather than refused. */
function reportedList<T extends z.ZodType>(item: T, max: number) {
  return z.array(item).transform((items) => items.slice(0, max));
}

export const probeStepNameSchema = z.enum([
  'dns',
  'tcp',
  'tls',
  'greeting',
  'starttls',
  'auth',
  'mailbox',
  'token',
  'permission',
  /** Least privilege: whether the app can read mailboxes besides its own (Graph). */
  'access',
  'send',
]);
export type ProbeStepName = z.infer<typeof probeStepNameSchema>;

export const certificateSchema = z.object({
  subject: reportedTextSchema(1000),
  issuer: reportedTextSchema(1000),
  subjectAltNames: reportedList(reportedTextSchema(300), 500),
  validFrom: reportedTextSchema(64),
  validTo: reportedTextSchema(64),
  fingerprintSha256: reportedTextSchema(128),
  serialNumber: reportedTextSchema(128).optional(),
});
export type CertificateInfo = z.infer<typeof certificateSchema>;

export const probeStepSchema = z.object({
  name: probeStepNameSchema,
  status: z.enum(['ok', 'warning', 'failed', 'skipped']),
  /** Milliseconds the step took. */
  durationMs: z.number().min(0),
  /** One line a person reads, e.g. "Resolved mail.example.com to 192.0.2.10". */
  summary: reportedTextSchema(500),
  dns: z
    .object({
      addresses: z.array(
        z.object({
          address: reportedTextSchema(64),
          family: z.union([z.literal(4), z.literal(6)]),
        }),
      ),
    })
    .optional(),
  tls: z
    .object({
      protocol: reportedTextSchema(64),
      cipher: reportedTextSchema(200),
      certificate: certificateSchema.optional(),
      chainTrusted: z.boolean(),
      hostnameMatches: z.boolean(),
      /** Why the chain is not trusted, as OpenSSL says it (e.g. SELF_SIGNED_CERT_IN_CHAIN). */
      authorizationError: reportedTextSchema(200).optional(),
    })
    .optional(),
  greeting: z
    .object({
      banner: reportedTextSchema(1000),
      capabilities: reportedList(reportedTextSchema(200), 200),
      starttls: z.boolean(),
      authMechanisms: reportedList(reportedTextSchema(64), 50),
    })
    .optional(),
  /** Other facts worth showing (mechanism used, message count, token expiry...). */
  facts: z
    .record(reportedTextSchema(64), z.union([reportedTextSchema(500), z.number(), z.boolean()]))
    .optional(),
  failure: failureSchema.optional(),
});
export type ProbeStep = z.infer<typeof probeStepSchema>;

export const probeReportSchema = z.object({
  ok: z.boolean(),
  steps: z.array(probeStepSchema),
  failure: failureSchema.optional(),
  durationMs: z.number().min(0),
});
export type ProbeReport = z.infer<typeof probeReportSchema>;

export const sendResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    /** The server's own acceptance, e.g. "250 2.0.0 Ok: queued as 4F2" or "202 Accepted". */
    response: reportedTextSchema(1000),
    messageId: reportedTextSchema(1000).optional(),
  }),
  z.object({ ok: z.literal(false), failure: failureSchema }),
]);
export type SendResult = z.infer<typeof sendResultSchema>;

export const findCodeResultSchema = z.discriminatedUnion('found', [
  z.object({
    found: z.literal(true),
    /** The subject of the message that carried the code (headers only were read). */
    subject: reportedTextSchema(1000),
    receivedAt: reportedTextSchema(64).optional(),
    /** How the message was found: it was already there, or arrived while waiting. */
    via: z.enum(['search', 'idle', 'poll']),
    durationMs: z.number().min(0),
    /** Where it was: the Inbox, or the Junk/Spam folder (Verified, with a warning). */
    folder: mailFolderSchema.default('inbox'),
    folderName: reportedTextSchema(200).optional(),
    authentication: authenticationVerdictsSchema.optional(),
    /** Graph: what the app may read besides this mailbox (least privilege). */
    access: mailboxAccessSchema.optional(),
  }),
  z.object({
    found: z.literal(false),
    failure: failureSchema,
    /** The folders that were searched, by their names on the server. */
    searched: z.array(reportedTextSchema(200)).max(10).optional(),
  }),
]);
export type FindCodeResult = z.infer<typeof findCodeResultSchema>;

export type OperationOptions = {
  /** Aborts the operation: sockets are closed and the promise settles promptly. */
  signal?: AbortSignal;
};

export type ProbeOptions = OperationOptions & {
  /** Called as each step completes, so the UI can show steps as they happen. */
  onStep?: (step: ProbeStep) => void;
};

export type OutgoingMessage = {
  from: string;
  fromName?: string;
  to: string;
  subject: string;
  text: string;
};

export type FindCodeRequest = {
  code: string;
  /** Only messages received at or after this time are considered. */
  since: Date;
  /** When to give up and report the code as not found. */
  deadline: Date;
  /** Delete (or flag, where deleting is not possible) the message once found. Off by default. */
  removeWhenFound?: boolean;
};

/** Staged connectivity diagnostics, stopping at the first failing step. */
export interface MailboxProber {
  probe(options?: ProbeOptions): Promise<ProbeReport>;
}

export interface MailSender {
  send(message: OutgoingMessage, options?: OperationOptions): Promise<SendResult>;
}

/** Looks for a verification code in the mailbox, reading headers only, until found or deadline. */
export interface CodeFinder {
  findCode(request: FindCodeRequest, options?: OperationOptions): Promise<FindCodeResult>;
}

/** A mailbox reached through one API (Graph, Gmail): probe, send and find through one client. */
export type MailboxTransport = MailboxProber & MailSender & CodeFinder;

/** An incoming mail server (IMAP, POP3): probe, and find the code. */
export type IncomingTransport = MailboxProber & CodeFinder;

/** An outgoing mail server (SMTP): probe, and send. */
export type OutgoingTransport = MailboxProber & MailSender;

/** Where a provider's one-time consent starts: the page the mailbox owner is sent to. */
export type ConsentUrlRequest = {
  clientId: string;
  /** Must match one of the OAuth client's authorised redirect URIs exactly. */
  redirectUri: string;
  /** An unguessable value tying the callback to this request (checked by the caller). */
  state: string;
  /** The mailbox's address, so the provider preselects (or asks for) that account. */
  loginHint?: string;
};

/** The code the provider sent the browser back with, and what it is exchanged with. */
export type ConsentExchange = {
  clientId: string;
  clientSecret: Secret;
  /** The address the consent is for (compared with the account that consented). */
  emailAddress: string;
  code: string;
  /** The same redirect URI as in the consent URL. */
  redirectUri: string;
};

export type ConsentResult =
  | {
      ok: true;
      refreshToken: string;
      /** The account that consented, as the provider reports it. */
      consentedAddress: string;
      /** Whether that account is the expected address (case-insensitive). */
      matchesProfile: boolean;
      scopes: string[];
    }
  | { ok: false; failure: Failure };

/** A provider's one-time OAuth consent, for a profile or the Director's own sender. */
export interface OAuthConsent {
  consentUrl(request: ConsentUrlRequest): string;
  /** Never throws: failures come back with stage, the provider's words and a hint. */
  exchange(request: ConsentExchange, options?: OperationOptions): Promise<ConsentResult>;
  /** Whether a failed exchange means the code itself was refused (used twice, or too late). */
  codeRefused(failure: Failure): boolean;
}
