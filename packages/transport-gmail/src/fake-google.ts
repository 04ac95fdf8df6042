// Test only: a local stand-in for Google's OAuth token endpoint and the Gmail API on 127.0.0.1.
// It answers as Google documents (bodies, statuses, error shapes) and checks every request it gets
// (method, path, query, bearer token, form or JSON body): anything the transport should never send
// is recorded in `violations`, which the tests require to stay empty.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { GoogleEndpoints } from './config.js';

export type FakeMessage = {
  id: string;
  subject: string;
  /** Milliseconds since the epoch, as Gmail's internalDate. */
  internalDate: number;
  labelIds: string[];
  /** Its Authentication-Results header values, top first. */
  authenticationResults?: string[];
};

export type Route = 'token' | 'profile' | 'labels' | 'list' | 'get' | 'send';

/** A scripted answer instead of the fake's own, for the next request to a route. */
export type Scripted =
  | { status: number; json?: unknown; headers?: Record<string, string> }
  | { status: number; raw: string; contentType?: string; chunked?: boolean }
  | { hang: true };

export type RecordedRequest = {
  route: Route | 'unknown';
  method: string;
  path: string;
  query: Record<string, string[]>;
  authorization?: string;
  form?: Record<string, string>;
  json?: unknown;
};

export type FakeState = {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  redirectUri: string;
  /** The account the tokens belong to (users.getProfile). */
  account: string;
  /** What token responses report in `scope`. */
  scope: string;
  /** Authorisation codes that may be exchanged once, and whether each yields a refresh token. */
  codes: Map<string, { refreshToken: boolean }>;
  messages: FakeMessage[];
  /** Raw messages received by messages.send, decoded. */
  sent: string[];
  /** When set, messages.list returns every inbox message whatever the subject. */
  listEverything: boolean;
};

export type FakeGoogle = {
  endpoints: GoogleEndpoints;
  state: FakeState;
  requests: RecordedRequest[];
  violations: string[];
  /** Access tokens the token endpoint issued (so tests can check none leaks). */
  issuedTokens: string[];
  script(route: Route, ...answers: Scripted[]): void;
  reset(): void;
  close(): Promise<void>;
};

const JSON_TYPE = 'application/json; charset=UTF-8';

/** Google's OAuth error body. */
export const oauthError = (error: string, description: string) => ({
  error,
  error_description: description,
});

/** Google's API error body (AIP-193), with the legacy `errors` and an ErrorInfo detail. */
export function apiError(
  code: number,
  status: string,
  message: string,
  reason: string,
  domain = 'global',
  errorInfo?: { reason: string; metadata?: Record<string, string> },
) {
  return {
    error: {
      code,
      message,
      errors: [{ message, domain, reason }],
      status,
      ...(errorInfo
        ? {
            details: [
              {
                '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                reason: errorInfo.reason,
                domain: 'googleapis.com',
                metadata: { service: 'gmail.googleapis.com', ...errorInfo.metadata },
              },
            ],
          }
        : {}),
    },
  };
}

export const googleErrors = {
  invalidGrant: oauthError('invalid_grant', 'Token has been expired or revoked.'),
  invalidClient: oauthError('invalid_client', 'The OAuth client was not found.'),
  unauthorizedClient: oauthError('unauthorized_client', 'Unauthorized'),
  insufficientScope: apiError(
    403,
    'PERMISSION_DENIED',
    'Request had insufficient authentication scopes.',
    'insufficientPermissions',
    'global',
    { reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' },
  ),
  serviceDisabled: apiError(
    403,
    'PERMISSION_DENIED',
    'Gmail API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=123456789012 then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.',
    'accessNotConfigured',
    'usageLimits',
    { reason: 'SERVICE_DISABLED', metadata: { consumer: 'projects/123456789012' } },
  ),
  rateLimited: apiError(
    429,
    'RESOURCE_EXHAUSTED',
    'Rate Limit Exceeded',
    'rateLimitExceeded',
    'usageLimits',
  ),
  userRateLimited: apiError(
    403,
    'PERMISSION_DENIED',
    'User Rate Limit Exceeded',
    'userRateLimitExceeded',
    'usageLimits',
  ),
  notFound: apiError(404, 'NOT_FOUND', 'Requested entity was not found.', 'notFound'),
  mailServiceNotEnabled: apiError(
    400,
    'FAILED_PRECONDITION',
    'Mail service not enabled',
    'failedPrecondition',
  ),
  invalidCredentials: apiError(
    401,
    'UNAUTHENTICATED',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    'authError',
  ),
};

const UUID_QUERY = /^\{in:inbox in:spam\} subject:"([0-9a-f-]{36})" after:(\d+)$/;

function initialState(): FakeState {
  return {
    clientId: '1234567890-fake.apps.googleusercontent.com',
    clientSecret: `GOCSPX-${randomBytes(12).toString('hex')}`,
    refreshToken: `1//refresh-${randomBytes(12).toString('hex')}`,
    redirectUri: 'https://director.example.test/api/gmail/callback',
    account: 'mailbox@example.test',
    scope:
      'https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/gmail.readonly',
    codes: new Map(),
    messages: [],
    sent: [],
    listEverything: false,
  };
}

export async function startFakeGoogle(): Promise<FakeGoogle> {
  const sockets = new Set<Socket>();
  const scripts = new Map<Route, Scripted[]>();
  const hanging = new Set<ServerResponse>();
  const fake: FakeGoogle = {
    endpoints: { api: '', token: '', auth: '' },
    state: initialState(),
    requests: [],
    violations: [],
    issuedTokens: [],
    script(route, ...answers) {
      scripts.set(route, [...(scripts.get(route) ?? []), ...answers]);
    },
    reset() {
      fake.state = initialState();
      fake.requests.length = 0;
      fake.violations.length = 0;
      scripts.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };

  const violate = (request: RecordedRequest, what: string) =>
    fake.violations.push(`${request.method} ${request.path}: ${what}`);

  const send = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
    res.writeHead(status, { 'content-type': JSON_TYPE, ...headers }).end(JSON.stringify(body));
  };

  const answerScripted = (res: ServerResponse, answer: Scripted) => {
    if ('hang' in answer) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if ('raw' in answer) {
      res.writeHead(answer.status, { 'content-type': answer.contentType ?? JSON_TYPE });
      if (answer.chunked) {
        // Without Content-Length: only a bound while reading the body can stop it.
        const half = Math.floor(answer.raw.length / 2);
        res.write(answer.raw.slice(0, half));
        res.end(answer.raw.slice(half));
      } else res.end(answer.raw);
      return;
    }
    send(res, answer.status, answer.json ?? {}, answer.headers);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query: Record<string, string[]> = {};
    for (const [key, value] of url.searchParams) query[key] = [...(query[key] ?? []), value];
    const request: RecordedRequest = {
      route: routeOf(req.method ?? '', url.pathname),
      method: req.method ?? '',
      path: url.pathname,
      query,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    };
    fake.requests.push(request);
    const contentType = req.headers['content-type'] ?? '';
    if (request.route === 'token') {
      if (!contentType.startsWith('application/x-www-form-urlencoded'))
        violate(request, `token request with content type ${contentType}`);
      request.form = Object.fromEntries(new URLSearchParams(body));
    } else if (body !== '') {
      if (!contentType.startsWith('application/json'))
        violate(request, `API request with content type ${contentType}`);
      try {
        request.json = JSON.parse(body) as unknown;
      } catch {
        violate(request, 'body is not JSON');
      }
    }
    if (request.route === 'unknown') {
      violate(request, 'no such endpoint');
      send(res, 404, apiError(404, 'NOT_FOUND', 'Not Found', 'notFound'));
      return;
    }
    if (request.route !== 'token') {
      const token = /^Bearer (.+)$/.exec(request.authorization ?? '')?.[1];
      if (token === undefined || !fake.issuedTokens.includes(token)) {
        violate(request, 'no valid bearer token');
        send(res, 401, googleErrors.invalidCredentials, {
          'www-authenticate': 'Bearer realm="https://accounts.google.com/"',
        });
        return;
      }
    }
    checkRequest(request);
    const scripted = scripts.get(request.route)?.shift();
    if (scripted) {
      answerScripted(res, scripted);
      return;
    }
    const [status, answer] = answerOf(request);
    send(res, status, answer);
  };

  const checkRequest = (request: RecordedRequest) => {
    const expect = (ok: boolean, what: string) => {
      if (!ok) violate(request, what);
    };
    const only = (...allowed: string[]) => {
      for (const key of Object.keys(request.query))
        expect(allowed.includes(key), `unexpected query parameter ${key}`);
    };
    switch (request.route) {
      case 'token':
        expect(request.method === 'POST', 'token endpoint needs POST');
        only();
        break;
      case 'profile':
      case 'labels':
        expect(request.method === 'GET', 'needs GET');
        only();
        break;
      case 'list': {
        expect(request.method === 'GET', 'needs GET');
        only('q', 'maxResults', 'includeSpamTrash');
        expect(
          request.query.includeSpamTrash?.join() === 'true',
          'in:spam finds nothing without includeSpamTrash=true',
        );
        const q = request.query.q?.[0] ?? '';
        expect(UUID_QUERY.test(q), `unexpected search ${q}`);
        const max = Number(request.query.maxResults?.[0]);
        expect(Number.isInteger(max) && max >= 1 && max <= 500, 'maxResults must be 1..500');
        break;
      }
      case 'get':
        expect(request.method === 'GET', 'needs GET');
        only('format', 'metadataHeaders', 'fields');
        expect(request.query.format?.join() === 'metadata', 'messages.get must ask for metadata');
        expect(
          request.query.metadataHeaders?.join() === 'Subject,Authentication-Results',
          'messages.get must ask for the Subject and Authentication-Results headers only',
        );
        break;
      case 'send': {
        expect(request.method === 'POST', 'needs POST');
        only();
        const json = request.json as { raw?: unknown } | undefined;
        expect(
          typeof json?.raw === 'string' && /^[A-Za-z0-9_-]+$/.test(json.raw),
          'send needs a base64url raw message',
        );
        expect(Object.keys(json ?? {}).join() === 'raw', 'send takes only raw');
        break;
      }
    }
  };

  const answerOf = (request: RecordedRequest): [number, unknown] => {
    const { state } = fake;
    switch (request.route) {
      case 'token':
        return tokenAnswer(request.form ?? {});
      case 'profile':
        return [
          200,
          {
            emailAddress: state.account,
            messagesTotal: state.messages.length,
            threadsTotal: state.messages.length,
            historyId: '4242',
          },
        ];
      case 'labels':
        return [
          200,
          {
            labels: ['INBOX', 'SENT', 'SPAM', 'TRASH'].map((id) => ({
              id,
              name: id,
              type: 'system',
            })),
          },
        ];
      case 'list': {
        const [, code = '', after = '0'] = UUID_QUERY.exec(request.query.q?.[0] ?? '') ?? [];
        const max = Number(request.query.maxResults?.[0] ?? 100);
        const matches = [...state.messages]
          .sort((a, b) => b.internalDate - a.internalDate)
          .filter(
            (m) =>
              (m.labelIds.includes('INBOX') || m.labelIds.includes('SPAM')) &&
              m.internalDate / 1000 > Number(after) &&
              (state.listEverything || m.subject.toLowerCase().includes(code)),
          );
        const page = matches.slice(0, max).map(({ id }) => ({ id, threadId: id }));
        return [
          200,
          page.length > 0
            ? { messages: page, resultSizeEstimate: matches.length }
            : { resultSizeEstimate: 0 },
        ];
      }
      case 'get': {
        const id = request.path.split('/').pop() ?? '';
        const message = state.messages.find((m) => m.id === id);
        if (!message) return [404, googleErrors.notFound];
        return [
          200,
          {
            id: message.id,
            internalDate: String(message.internalDate),
            labelIds: message.labelIds,
            payload: {
              headers: [
                { name: 'Subject', value: message.subject },
                ...(message.authenticationResults ?? []).map((value) => ({
                  name: 'Authentication-Results',
                  value,
                })),
              ],
            },
          },
        ];
      }
      case 'send': {
        const raw = Buffer.from((request.json as { raw: string }).raw, 'base64url').toString();
        state.sent.push(raw);
        const id = randomBytes(8).toString('hex');
        return [200, { id, threadId: id, labelIds: ['SENT'] }];
      }
      default:
        return [404, {}];
    }
  };

  const tokenAnswer = (form: Record<string, string>): [number, unknown] => {
    const { state } = fake;
    if (form.client_id !== state.clientId) return [401, googleErrors.invalidClient];
    if (form.client_secret !== state.clientSecret)
      return [401, oauthError('invalid_client', 'Unauthorized')];
    const accessToken = `ya29.${randomBytes(16).toString('hex')}`;
    const tokens = {
      access_token: accessToken,
      expires_in: 3599,
      scope: state.scope,
      token_type: 'Bearer',
    };
    if (form.grant_type === 'refresh_token') {
      if (form.refresh_token !== state.refreshToken) return [400, googleErrors.invalidGrant];
      fake.issuedTokens.push(accessToken);
      return [200, tokens];
    }
    if (form.grant_type === 'authorization_code') {
      const code = state.codes.get(form.code ?? '');
      if (!code) return [400, oauthError('invalid_grant', 'Malformed auth code.')];
      if (form.redirect_uri !== state.redirectUri)
        return [400, oauthError('redirect_uri_mismatch', 'Bad Request')];
      state.codes.delete(form.code ?? '');
      fake.issuedTokens.push(accessToken);
      return [200, code.refreshToken ? { ...tokens, refresh_token: state.refreshToken } : tokens];
    }
    return [400, oauthError('unsupported_grant_type', 'Invalid grant_type: ')];
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const base = `http://127.0.0.1:${address.port}`;
  fake.endpoints = { api: `${base}/`, token: `${base}/token`, auth: `${base}/o/oauth2/v2/auth` };
  return fake;
}

function routeOf(method: string, path: string): Route | 'unknown' {
  if (path === '/token') return 'token';
  const api = /^\/gmail\/v1\/users\/me\/(.+)$/.exec(path)?.[1];
  if (api === 'profile') return 'profile';
  if (api === 'labels') return 'labels';
  if (api === 'messages') return 'list';
  if (api === 'messages/send') return 'send';
  if (api !== undefined && /^messages\/[^/]+$/.test(api) && method === 'GET') return 'get';
  return 'unknown';
}

/** A mailbox message received `ageMs` ago. */
export function fakeMessage(subject: string, ageMs = 0, labelIds = ['INBOX']): FakeMessage {
  return {
    id: randomBytes(8).toString('hex'),
    subject,
    internalDate: Date.now() - ageMs,
    labelIds,
  };
}
