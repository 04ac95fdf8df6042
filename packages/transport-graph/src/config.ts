// What the Graph transport needs from a profile, the Microsoft cloud it lives in, and the tuning
// knobs (timeouts, retries, polling) that tests and the Director may change.
import type { EmailProfile, GraphCloud } from '@email-profiles/core';
import { defaultRetryPolicy, type RetryPolicy } from '@email-profiles/transport-net';

type GraphProfile = Extract<EmailProfile, { serverType: 'graph' }>;

/** Base URLs: where the token endpoint (Entra ID) and Microsoft Graph are reached. */
export type GraphEndpoints = { login: string; graph: string };

export type GraphConfig = Pick<GraphProfile, 'tenantId' | 'clientId' | 'emailAddress' | 'cloud'> & {
  /** The client secret's Value; a stored profile's (branded) secret fits as it is. */
  clientSecret: string;
  /** Another mailbox of the tenant the app must not read (the least-privilege check). */
  canaryAddress?: string;
  /**
   * Overrides the cloud's base URLs (a reverse proxy, the local fake). Only where requests go
   * changes: the token is still asked for the cloud's own Graph resource.
   */
  endpoints?: GraphEndpoints;
};

export type GraphTransportOptions = {
  /** Each HTTP request (token or Graph), from sending it to the whole response read. */
  requestTimeoutMs?: number;
  /** Retries of a throttled (429) or unavailable (503) request, as Retry-After says. */
  retry?: RetryPolicy;
  /** Find code: the first wait between polls, doubled per poll up to `maxPollMs`. */
  firstPollMs?: number;
  maxPollMs?: number;
  /** Find code: messages per page ($top) and pages per poll (following @odata.nextLink). */
  pageSize?: number;
  maxPages?: number;
};

export type ResolvedOptions = Required<GraphTransportOptions>;

export const defaultGraphOptions: ResolvedOptions = {
  requestTimeoutMs: 30_000,
  retry: defaultRetryPolicy,
  firstPollMs: 1_000,
  maxPollMs: 10_000,
  pageSize: 50,
  maxPages: 4,
};

export function resolveOptions(options: GraphTransportOptions = {}): ResolvedOptions {
  const d = defaultGraphOptions;
  return {
    requestTimeoutMs: options.requestTimeoutMs ?? d.requestTimeoutMs,
    retry: options.retry ?? d.retry,
    firstPollMs: options.firstPollMs ?? d.firstPollMs,
    maxPollMs: options.maxPollMs ?? d.maxPollMs,
    // Graph pages messages by at most 1000.
    pageSize: Math.min(Math.max(Math.floor(options.pageSize ?? d.pageSize), 1), 1000),
    maxPages: Math.max(Math.floor(options.maxPages ?? d.maxPages), 1),
  };
}

/** The public endpoints of each Microsoft cloud (learn.microsoft.com/graph/deployments). */
export const cloudEndpoints: Record<GraphCloud, GraphEndpoints> = {
  global: { login: 'https://login.microsoftonline.com', graph: 'https://graph.microsoft.com' },
  usgov: { login: 'https://login.microsoftonline.us', graph: 'https://graph.microsoft.us' },
  china: {
    login: 'https://login.chinacloudapi.cn',
    graph: 'https://microsoftgraph.chinacloudapi.cn',
  },
};

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export type ResolvedGraph = {
  login: string;
  graph: string;
  /** The client-credentials scope: the cloud's Graph resource, `/.default`. */
  scope: string;
  tokenUrl: string;
  /** `{graph}/v1.0/users/{address}`, the root of every mailbox request. */
  mailboxUrl: string;
};

export function resolveGraph(config: GraphConfig): ResolvedGraph {
  const endpoints = config.endpoints ?? cloudEndpoints[config.cloud];
  const login = trimSlash(endpoints.login);
  const graph = trimSlash(endpoints.graph);
  return {
    login,
    graph,
    scope: `${cloudEndpoints[config.cloud].graph}/.default`,
    tokenUrl: `${login}/${encodeURIComponent(config.tenantId)}/oauth2/v2.0/token`,
    mailboxUrl: `${graph}/v1.0/users/${encodeURIComponent(config.emailAddress)}`,
  };
}
