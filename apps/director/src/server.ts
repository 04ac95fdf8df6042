// One HTTP port for everything: the tRPC API under /api/trpc, a health endpoint, and the web app.
//
// What a caller can hold of it is bounded: bodies (1 MB, refused before reading when declared
// larger, cut off when a chunked body grows beyond), connections per address and in all, and the
// time to send a request. Browser requests are checked for their Host (DNS rebinding) and, on
// the API, their Origin / Sec-Fetch-Site (cross-site requests).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import {
  actorTokenSchema,
  OAUTH_PROVIDER_NAMES,
  OAUTH_PROVIDERS,
  type OAuthProvider,
} from '@email-profiles/core';
import { TrustedProxies, addressBucket, normalizeAddress } from './auth/client-address.js';
import { DEVICE_COOKIE } from './auth/device.js';
import { crossOriginRefusal, hostAllowed, misdirectedMessage } from './auth/origin.js';
import { SESSION_COOKIE, hashToken, readCookie } from './auth/session.js';
import { findActorByTokenHash, sessionUser } from './db/index.js';
import { appRouter } from './router.js';
import { handleConsentCallback } from './routers/consent-callback.js';
import { WEB_DIST } from './assets.js';
import { staticSite } from './static.js';
import { serveDownload } from './downloads.js';
import { compressAnswer } from './http-compression.js';
import type { Context, Services } from './trpc.js';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
};

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

const PLACEHOLDER = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Email Profiles</title>
<body><h1>Email Profiles Director</h1><p>The Director is running, but the web app is not built.
Build it with <code>pnpm --filter @email-profiles/web build</code> (or start with <code>npm start</code>,
which builds it), then reload this page.</p></body></html>`;

export type RunningServer = { server: Server; url: string; close(): Promise<void> };

const TRPC_PREFIX = '/api/trpc/';
/** Calls in one batched request at most. */
export const MAX_BATCH_SIZE = 10;

/** Who is calling: the session cookie's user, if the session is live. */
function requestContext(
  services: Services,
  proxies: TrustedProxies,
  req: IncomingMessage,
  res: ServerResponse,
): Context {
  const clientAddress = proxies.clientAddress(req);
  const token = readCookie(req, SESSION_COOKIE);
  const sessionHash = token ? hashToken(token) : undefined;
  const bearer = actorTokenSchema.safeParse(
    /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1],
  ).data;
  return {
    ...services,
    user: sessionHash ? sessionUser(services.db, sessionHash) : undefined,
    sessionHash,
    actor: bearer ? findActorByTokenHash(services.db, hashToken(bearer)) : undefined,
    clientAddress,
    clientAddressBucket: addressBucket(clientAddress),
    deviceCookie: readCookie(req, DEVICE_COOKIE),
    secure: isTls(req) || services.config.publicUrl?.startsWith('https:') === true,
    setCookie: (cookie) => {
      res.appendHeader('set-cookie', cookie);
    },
  };
}

const isTls = (req: IncomingMessage) => 'encrypted' in req.socket;

/** The procedure paths of a tRPC URL path (several when batched). */
function procedurePaths(path: string): string[] {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.slice(TRPC_PREFIX.length));
  } catch {
    decoded = path.slice(TRPC_PREFIX.length);
  }
  return decoded.split(',');
}

/** Whether the request declares a body (a length above 0, or chunks). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Answers without reading (the rest of) the body: the connection closes after the answer, so
 * nothing more of the body is read and it cannot hold the connection open.
 */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  api: boolean,
): void {
  const close = hasBody(req) || !req.complete;
  const [code, rpcCode] = status === 413 ? ['PAYLOAD_TOO_LARGE', -32013] : ['FORBIDDEN', -32003];
  // On the API, in the shape tRPC clients read (one error for a whole batch); else plain text.
  const body = api
    ? JSON.stringify({
        error: { message, code: rpcCode, data: { code, httpStatus: status } },
      })
    : `${message}\n`;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': api ? 'application/json' : 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
  if (close) {
    req.pause();
    res.once('finish', () => {
      // Half-close first so the answer is read, then drop whatever the client still sends.
      req.socket.end();
      setTimeout(() => req.socket.destroy(), 1000).unref();
    });
  }
}

/**
 * Reads the body, at most `limit` bytes: resolves with it, or with undefined after answering 413
 * (a declared length beyond the limit is refused before a byte is read).
 */
function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  api: boolean,
): Promise<string | undefined> {
  const tooLarge = `The request body is larger than ${Math.round(limit / 1024)} KB`;
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    refuse(req, res, 413, tooLarge, api);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (body: string | undefined) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done(undefined);
        refuse(req, res, 413, tooLarge, api);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = () => {
      done(undefined);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * Connections per address (an IPv6 /64) and in all: one client holding hundreds of idle sockets
 * does not keep others out. Trusted proxies count only in all (everybody comes through them).
 */
function limitConnections(server: Server, services: Services, proxies: TrustedProxies): void {
  const { maxConnections, maxConnectionsPerAddress } = services.config.limits;
  const perAddress = new Map<string, number>();
  let total = 0;
  let warned = 0;
  server.on('connection', (socket: Socket) => {
    const address = normalizeAddress(socket.remoteAddress ?? 'unknown');
    const key = proxies.has(address) ? undefined : addressBucket(address);
    const mine = key === undefined ? 0 : (perAddress.get(key) ?? 0);
    if (total >= maxConnections || mine >= maxConnectionsPerAddress) {
      if (Date.now() - warned > 60_000) {
        warned = Date.now();
        services.log.warn(
          { address, total, fromAddress: mine },
          total >= maxConnections
            ? 'connection refused: too many connections'
            : 'connection refused: too many connections from one address',
        );
      }
      socket.destroy();
      return;
    }
    total += 1;
    if (key !== undefined) perAddress.set(key, mine + 1);
    socket.once('close', () => {
      total -= 1;
      if (key === undefined) return;
      const left = (perAddress.get(key) ?? 1) - 1;
      if (left <= 0) perAddress.delete(key);
      else perAddress.set(key, left);
    });
  });
}

export async function startServer(services: Services): Promise<RunningServer> {
  const { config } = services;
  const proxies = new TrustedProxies(config.trustedProxies);
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: TRPC_PREFIX,
    maxBodySize: config.limits.maxBodyBytes,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: ({ req, res, info }) => {
      // One login (or setup) per request: a batch would be many guesses for one request.
      if (
        info.isBatchCall &&
        info.calls.length > 1 &&
        info.calls.some((call) => call.path.startsWith('auth.'))
      ) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: 'auth procedures cannot be batched: send each in a request of its own',
        });
      }
      return requestContext(services, proxies, req, res);
    },
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        services.log.error({ err: error, path }, 'procedure failed');
    },
  });
  // The built web app (apps/web/dist), looked for at start: `npm start` builds it first.
  const site = staticSite(WEB_DIST, SECURITY_HEADERS);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const api = path.startsWith(TRPC_PREFIX);
    // Health answers to any name; the actor API is token-authenticated (see auth/origin.ts).
    const actorApiOnly = api && procedurePaths(path).every((p) => p.startsWith('actorApi.'));
    if (path !== '/api/health' && !actorApiOnly && !hostAllowed(req.headers.host, config)) {
      refuse(req, res, 421, misdirectedMessage(req.headers.host), api);
      return;
    }
    if (api) {
      const refusal = crossOriginRefusal(req, config, isTls(req) ? 'https' : 'http');
      if (refusal !== undefined) {
        refuse(req, res, 403, refusal, true);
        return;
      }
    }
    if (!hasBody(req)) {
      route(req, res, path);
      return;
    }
    void readBody(req, res, config.limits.maxBodyBytes, api).then((body) => {
      if (body === undefined) return;
      // tRPC's adapter takes a body read already (a string) as it is.
      (req as IncomingMessage & { body?: string }).body = body;
      route(req, res, path);
    });
  });
  limitConnections(server, services, proxies);
  const consentCallbacks = new Map<string, OAuthProvider>(
    OAUTH_PROVIDER_NAMES.map((provider) => [OAUTH_PROVIDERS[provider].callbackPath, provider]),
  );
  const route = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    if (path.startsWith(TRPC_PREFIX)) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
      compressAnswer(req, res, path.slice(TRPC_PREFIX.length).split(','));
      trpc(req, res);
      return;
    }
    const consent = consentCallbacks.get(path);
    if (consent !== undefined) {
      handleConsentCallback(services, consent, req, res).catch((error: unknown) => {
        services.log.error({ err: error, provider: consent }, 'consent callback failed');
        if (!res.headersSent) send(res, 500, 'application/json', '{"error":"Internal error"}');
      });
      return;
    }
    if (serveDownload(services.actorBundle, req, res, path, SECURITY_HEADERS)) return;
    if (path === '/api/health') {
      send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && !path.startsWith('/api/')) {
      if (!site) {
        send(res, 200, 'text/html; charset=utf-8', PLACEHOLDER);
        return;
      }
      site(req, res).catch((error: unknown) => {
        services.log.error({ err: error, path }, 'serving the web app failed');
        if (!res.headersSent) send(res, 500, 'application/json', '{"error":"Internal error"}');
      });
      return;
    }
    send(res, 404, 'application/json', JSON.stringify({ error: 'Not found' }));
  };
  // A slow or silent client must not hold a connection forever: the headers within 10 s, the
  // whole request (body included) within 30 s, and an idle kept-alive connection 5 s.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(services.config.port, services.config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = services.config.host.includes(':')
    ? `[${services.config.host}]`
    : services.config.host;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
