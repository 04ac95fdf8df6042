// One HTTP port for everything: the tRPC API under /api/trpc, a health endpoint, and the web app.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { actorTokenSchema } from '@email-profiles/core';
import { SESSION_COOKIE, hashToken, readCookie } from './auth/session.js';
import { findActorByTokenHash, sessionUser } from './db/index.js';
import { CALLBACK_PATH } from './mail/gmail-consent.js';
import { appRouter } from './router.js';
import { handleGmailCallback } from './routers/gmail-callback.js';
import { WEB_DIST, staticSite } from './static.js';
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

/** Who is calling: the session cookie's user, if the session is live. */
function requestContext(services: Services, req: IncomingMessage, res: ServerResponse): Context {
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
    clientAddress: req.socket.remoteAddress ?? 'unknown',
    secure: 'encrypted' in req.socket,
    setCookie: (cookie) => {
      res.appendHeader('set-cookie', cookie);
    },
  };
}

export async function startServer(services: Services): Promise<RunningServer> {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/api/trpc/',
    createContext: ({ req, res }) => requestContext(services, req, res),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        services.log.error({ err: error, path }, 'procedure failed');
    },
  });
  // The built web app (apps/web/dist), looked for at start: `npm start` builds it first.
  const site = staticSite(WEB_DIST, SECURITY_HEADERS);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/api/trpc/')) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
      trpc(req, res);
      return;
    }
    if (path === CALLBACK_PATH) {
      handleGmailCallback(services, req, res).catch((error: unknown) => {
        services.log.error({ err: error }, 'Google consent callback failed');
        if (!res.headersSent) send(res, 500, 'application/json', '{"error":"Internal error"}');
      });
      return;
    }
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
  });
  // A slow or silent client must not hold a connection forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
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
