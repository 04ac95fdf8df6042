// Configuration from environment variables, validated once at start with messages that name the
// variable, what is wrong and what was given.
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { checkHost } from '@email-profiles/core';
import type { GoogleEndpoints } from '@email-profiles/transport-gmail';
import type { GraphEndpoints } from '@email-profiles/transport-graph';

/** An absolute http(s) URL without credentials, query or fragment; trailing slashes dropped. */
const baseUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        url.username === '' &&
        url.password === '' &&
        url.search === '' &&
        url.hash === ''
      );
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL without user, query or fragment')
  .transform((value) => value.replace(/\/+$/, ''))
  .optional();

/** One IP address or CIDR block, e.g. `10.0.0.5`, `10.0.0.0/8`, `fd00::/8`. */
function isAddressOrBlock(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A list of addresses and CIDR blocks, separated by commas or spaces. */
const addressList = z
  .string()
  .default('')
  .transform((value) => value.split(/[\s,]+/).filter((entry) => entry !== ''))
  .refine(
    (entries) => entries.every(isAddressOrBlock),
    'must be IP addresses or CIDR blocks (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8), separated by commas',
  );

const env = z.object({
  EMAIL_PROFILES_HOST: z
    .string()
    .default('127.0.0.1')
    .refine((value) => checkHost(value).ok, 'must be an IP address or host name to listen on'),
  EMAIL_PROFILES_PORT: z
    .string()
    .default('8080')
    .refine(
      (value) => /^\d+$/.test(value) && Number(value) <= 65535,
      'must be a port number from 0 to 65535',
    )
    .transform(Number),
  EMAIL_PROFILES_DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
  /** Base64 of 32 bytes; without it, a key file is created in the data directory. */
  EMAIL_PROFILES_MASTER_KEY: z.string().optional(),
  EMAIL_PROFILES_VERIFY_TIMEOUT_S: z
    .string()
    .default('120')
    .refine(
      (value) => /^\d+$/.test(value) && Number(value) >= 10 && Number(value) <= 3600,
      'must be whole seconds from 10 to 3600',
    )
    .transform(Number),
  EMAIL_PROFILES_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  /** How browsers reach the Director (behind a proxy); Google's consent redirects back here. */
  EMAIL_PROFILES_PUBLIC_URL: baseUrl,
  /** Reverse proxies whose X-Forwarded-For names the client (the rightmost address not in it). */
  EMAIL_PROFILES_TRUSTED_PROXIES: addressList,
  // Test or proxy overrides of where the Director's own Graph and Gmail senders send requests.
  EMAIL_PROFILES_GRAPH_LOGIN_URL: baseUrl,
  EMAIL_PROFILES_GRAPH_URL: baseUrl,
  EMAIL_PROFILES_GOOGLE_AUTH_URL: baseUrl,
  EMAIL_PROFILES_GOOGLE_TOKEN_URL: baseUrl,
  EMAIL_PROFILES_GOOGLE_API_URL: baseUrl,
});

/** Where the Director's Graph and Gmail senders go instead of Microsoft's and Google's hosts. */
export type MailEndpoints = { graph?: GraphEndpoints; google?: Partial<GoogleEndpoints> };

export type Config = {
  host: string;
  port: number;
  dataDir: string;
  masterKey: string | undefined;
  verifyTimeoutMs: number;
  logLevel: z.infer<typeof env>['EMAIL_PROFILES_LOG_LEVEL'];
  /** Undefined: the URL the Director listens on. */
  publicUrl: string | undefined;
  /** IPs and CIDR blocks of the reverse proxies whose `X-Forwarded-For` is believed. */
  trustedProxies: string[];
  mailEndpoints: MailEndpoints;
  limits: RequestLimits;
};

/** What one client may hold of the Director: settable in tests, not by environment variables. */
export type RequestLimits = {
  /** Largest request body read, in bytes (413 beyond). */
  maxBodyBytes: number;
  /** Open connections in all. */
  maxConnections: number;
  /** Open connections from one address (an IPv6 /64); trusted proxies count only in all. */
  maxConnectionsPerAddress: number;
};

export const DEFAULT_LIMITS: RequestLimits = {
  maxBodyBytes: 1024 * 1024,
  maxConnections: 2000,
  maxConnectionsPerAddress: 256,
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the configuration; every invalid variable is reported at once. */
export function loadConfig(variables: Record<string, string | undefined> = process.env): Config {
  const parsed = env
    .refine(
      (value) =>
        (value.EMAIL_PROFILES_GRAPH_LOGIN_URL === undefined) ===
        (value.EMAIL_PROFILES_GRAPH_URL === undefined),
      {
        path: ['EMAIL_PROFILES_GRAPH_URL'],
        error: 'and EMAIL_PROFILES_GRAPH_LOGIN_URL must be set together',
      },
    )
    .safeParse(variables);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const given = variables[name];
      return `  ${name} ${issue.message}${given === undefined ? '' : ` (got ${JSON.stringify(given)})`}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const value = parsed.data;
  return {
    host: value.EMAIL_PROFILES_HOST,
    port: value.EMAIL_PROFILES_PORT,
    dataDir: resolve(value.EMAIL_PROFILES_DATA_DIR),
    masterKey: value.EMAIL_PROFILES_MASTER_KEY === '' ? undefined : value.EMAIL_PROFILES_MASTER_KEY,
    verifyTimeoutMs: value.EMAIL_PROFILES_VERIFY_TIMEOUT_S * 1000,
    logLevel: value.EMAIL_PROFILES_LOG_LEVEL,
    publicUrl: value.EMAIL_PROFILES_PUBLIC_URL,
    trustedProxies: value.EMAIL_PROFILES_TRUSTED_PROXIES,
    mailEndpoints: mailEndpoints(value),
    limits: { ...DEFAULT_LIMITS },
  };
}

function mailEndpoints(value: z.infer<typeof env>): MailEndpoints {
  const google = Object.fromEntries(
    Object.entries({
      auth: value.EMAIL_PROFILES_GOOGLE_AUTH_URL,
      token: value.EMAIL_PROFILES_GOOGLE_TOKEN_URL,
      // googleapis joins paths onto its root URL, which therefore ends with a slash.
      api: value.EMAIL_PROFILES_GOOGLE_API_URL && `${value.EMAIL_PROFILES_GOOGLE_API_URL}/`,
    }).filter(([, url]) => url !== undefined),
  );
  const { EMAIL_PROFILES_GRAPH_LOGIN_URL: login, EMAIL_PROFILES_GRAPH_URL: graph } = value;
  return {
    ...(login !== undefined && graph !== undefined ? { graph: { login, graph } } : {}),
    ...(Object.keys(google).length > 0 ? { google } : {}),
  };
}
