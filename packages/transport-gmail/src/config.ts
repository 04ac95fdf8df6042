import type { EmailProfile } from '@email-profiles/core';
import { defaultRetryPolicy, type RetryPolicy } from '@email-profiles/transport-net';

export type GmailProfile = Extract<EmailProfile, { serverType: 'gmail' }>;

/** Where the Google services are; tests and proxies point these elsewhere. */
export type GoogleEndpoints = {
  /** The Gmail API root (googleapis' `rootUrl`). */
  api: string;
  /** The OAuth 2.0 token endpoint (refresh and code exchange). */
  token: string;
  /** The OAuth 2.0 authorisation (consent) page. */
  auth: string;
};

export const googleEndpoints: GoogleEndpoints = {
  api: 'https://gmail.googleapis.com/',
  token: 'https://oauth2.googleapis.com/token',
  auth: 'https://accounts.google.com/o/oauth2/v2/auth',
};

/** A Gmail profile as the transport needs it: consent must have given a refresh token. */
export type GmailConfig = Pick<GmailProfile, 'clientId' | 'clientSecret' | 'emailAddress'> & {
  refreshToken: NonNullable<GmailProfile['refreshToken']>;
  endpoints?: Partial<GoogleEndpoints>;
};

/**
 * The narrowest scopes that search and send: `gmail.metadata` cannot use the `q` search
 * parameter, and nothing here deletes or modifies mail, so `gmail.modify` is not asked for.
 */
export const gmailScopes = {
  read: 'https://www.googleapis.com/auth/gmail.readonly',
  send: 'https://www.googleapis.com/auth/gmail.send',
} as const;

/** Limits and pacing; the defaults suit production, tests shorten them. */
export type GmailTuning = {
  /** Each HTTP request (token or API), including reading the response. */
  requestTimeoutMs: number;
  /** The most bytes of one response body. */
  maxResponseBytes: number;
  /** Retries on throttling (429, 503, 403 rate limits), honouring Retry-After. */
  retry: RetryPolicy;
  /** Find code: the first wait between searches, growing by half each time up to `maxPollMs`. */
  firstPollMs: number;
  maxPollMs: number;
  /** Find code: the most matches of one search that are looked at. */
  maxResults: number;
};

export const defaultTuning: GmailTuning = {
  requestTimeoutMs: 20_000,
  maxResponseBytes: 1024 * 1024,
  retry: defaultRetryPolicy,
  firstPollMs: 1_000,
  maxPollMs: 5_000,
  maxResults: 20,
};

export function endpointsOf(endpoints: Partial<GoogleEndpoints> | undefined): GoogleEndpoints {
  return { ...googleEndpoints, ...endpoints };
}
