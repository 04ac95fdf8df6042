// App-only access tokens (OAuth2 client credentials). A token is cached until shortly before it
// expires and shared by concurrent operations: one token request in flight per tenant, client
// and secret. The cache is keyed by a hash, so no secret is held as a map key, and only
// successful answers are cached.
import { createHash } from 'node:crypto';
import { abortedError, httpWithRetry, type RetryPolicy } from '@email-profiles/transport-net';
import { resolveGraph, type GraphConfig } from './config.js';
import { asGraphError, tokenResponseError, unexpectedAnswer } from './errors.js';

export type AccessToken = {
  accessToken: string;
  /** When the token expires, in epoch milliseconds. */
  expiresAt: number;
  /** The application permissions in the token's `roles` claim; undefined when unreadable. */
  roles: string[] | undefined;
  /** The cache key it is stored under (a hash). */
  key: string;
};

export type TokenOptions = {
  signal?: AbortSignal;
  /** Skip the cache (the probe does, so a permission granted a minute ago shows). */
  fresh?: boolean;
  timeoutMs: number;
  retry: RetryPolicy;
};

/** A cached token is replaced this long before it expires. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

type Flight = {
  promise: Promise<AccessToken>;
  controller: AbortController;
  waiters: number;
  settled: boolean;
};

const cache = new Map<string, AccessToken>();
const flights = new Map<string, Flight>();

/** Forgets every cached token (tests; or after a profile's credentials changed). */
export function clearGraphTokenCache(): void {
  cache.clear();
}

/** Drops a token Graph refused (401/403), so the next operation asks for a new one. */
export function forgetToken(token: AccessToken): void {
  if (cache.get(token.key)?.accessToken === token.accessToken) cache.delete(token.key);
}

export async function getToken(config: GraphConfig, options: TokenOptions): Promise<AccessToken> {
  const resolved = resolveGraph(config);
  const key = createHash('sha256')
    .update(
      JSON.stringify([resolved.tokenUrl, config.clientId, config.clientSecret, resolved.scope]),
    )
    .digest('hex');
  if (options.fresh !== true) {
    const cached = cache.get(key);
    if (cached && cached.expiresAt - REFRESH_MARGIN_MS > Date.now()) return cached;
  }
  if (options.signal?.aborted) throw abortedError('auth', options.signal);
  const flight = flights.get(key) ?? startFlight(key, config, options);
  return join(flight, options.signal);
}

function startFlight(key: string, config: GraphConfig, options: TokenOptions): Flight {
  const controller = new AbortController();
  const flight: Flight = {
    controller,
    waiters: 0,
    settled: false,
    promise: requestToken(key, config, { ...options, signal: controller.signal })
      .then((token) => {
        if (token.expiresAt - REFRESH_MARGIN_MS > Date.now()) cache.set(key, token);
        return token;
      })
      .finally(() => {
        flight.settled = true;
        if (flights.get(key) === flight) flights.delete(key);
      }),
  };
  // Every joiner handles the outcome; this keeps an abandoned flight's rejection handled too.
  flight.promise.catch(() => undefined);
  flights.set(key, flight);
  return flight;
}

/**
 * Waits for a flight with the caller's own signal. The request itself is cancelled only when
 * every caller waiting for it has given up.
 */
function join(flight: Flight, signal: AbortSignal | undefined): Promise<AccessToken> {
  flight.waiters += 1;
  return new Promise<AccessToken>((resolve, reject) => {
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      signal?.removeEventListener('abort', onAbort);
      flight.waiters -= 1;
      if (flight.waiters === 0 && !flight.settled) flight.controller.abort();
    };
    const onAbort = () => {
      leave();
      reject(abortedError('auth', signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    flight.promise.then(
      (token) => {
        leave();
        resolve(token);
      },
      (error: unknown) => {
        leave();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

async function requestToken(
  key: string,
  config: GraphConfig,
  options: TokenOptions & { signal: AbortSignal },
): Promise<AccessToken> {
  const { tokenUrl, scope } = resolveGraph(config);
  let response;
  try {
    response = await httpWithRetry(
      {
        method: 'POST',
        url: tokenUrl,
        form: {
          client_id: config.clientId,
          client_secret: config.clientSecret,
          grant_type: 'client_credentials',
          scope,
        },
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        maxBytes: 256 * 1024,
      },
      'auth',
      'graph',
      options.retry,
    );
  } catch (error) {
    throw asGraphError(error, 'auth');
  }
  if (response.status !== 200) throw tokenResponseError(response);
  const body = response.json as { access_token?: unknown; expires_in?: unknown } | undefined;
  const expiresIn = Number(body?.expires_in);
  if (typeof body?.access_token !== 'string' || body.access_token === '') {
    throw unexpectedAnswer('auth', 'The token endpoint answered without an access token');
  }
  if (!Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw unexpectedAnswer('auth', 'The token endpoint answered without a valid expires_in');
  }
  return {
    accessToken: body.access_token,
    expiresAt: Date.now() + expiresIn * 1000,
    roles: tokenRoles(body.access_token),
    key,
  };
}

/**
 * The `roles` claim of an app-only access token (a JWT: the payload is base64url JSON). An
 * absent claim means no application permission was granted: []. Not a readable JWT: undefined.
 */
export function tokenRoles(accessToken: string): string[] | undefined {
  const payload = accessToken.split('.')[1];
  if (payload === undefined || payload === '') return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (claims === null || typeof claims !== 'object') return undefined;
    const roles = (claims as { roles?: unknown }).roles;
    if (roles === undefined) return [];
    return Array.isArray(roles)
      ? roles.filter((role): role is string => typeof role === 'string')
      : undefined;
  } catch {
    return undefined;
  }
}
