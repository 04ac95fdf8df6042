// A local stand-in for Microsoft Entra ID's token endpoint and the parts of Microsoft Graph the
// transport uses, on 127.0.0.1. It answers as the services document (status codes, JSON bodies,
// error codes and messages) and checks every request it gets: method, path, query parameters,
// bearer token, body shape. A request the real service would not accept, or that reads more than
// headers (bodies, attachments), is recorded in `violations` and answered with a 400.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type FakeApp = {
  tenantId: string;
  clientId: string;
  secret: string;
  /** Application permissions granted with admin consent: the token's `roles` claim. */
  roles: string[];
  secretExpired?: boolean;
  /** Answer token requests with AADSTS65001 (consent_required). */
  consentRequired?: boolean;
  /** Seconds; 3599 by default, as Entra ID issues. */
  expiresIn?: number;
  /** Issue access tokens that are not JWTs (the transport cannot read their roles). */
  opaqueToken?: boolean;
  /**
   * Exchange RBAC for Applications: management role assignments ("Application Mail.Read" …)
   * scoped to these mailboxes. They add to the Entra grants above and are not in the token.
   */
  exchangeScoped?: { roles: string[]; mailboxes: string[] };
};

export type FakeMessage = {
  id: string;
  subject: string;
  receivedDateTime: string;
  /** Kept so a test can see that it is never asked for. */
  body: string;
  /** The well-known folder it is in (Graph files spam into `junkemail`). */
  folder: 'inbox' | 'junkemail';
  /** Its internet headers, as Graph's internetMessageHeaders lists them. */
  headers: { name: string; value: string }[];
};

export type FakeMailbox = {
  messages: FakeMessage[];
  /** Answer 404 MailboxNotEnabledForRESTAPI (on-premises, inactive or unlicensed mailbox). */
  restDisabled?: boolean;
  /** Answer 403 as an Exchange application access policy that excludes this mailbox does. */
  blockedByPolicy?: boolean;
};

export type RecordedRequest = {
  method: string;
  path: string;
  query: Record<string, string>;
  mailbox?: string;
};

/** What the next request(s) of a kind get instead of the normal answer. */
export type Interruption =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'stall' }
  | { kind: 'malformed' }
  /** The normal answer, this many milliseconds late. */
  | { kind: 'delay'; ms: number };

export const throttled = (retryAfter = '0'): Interruption => ({
  kind: 'status',
  status: 429,
  headers: { 'retry-after': retryAfter },
  body: {
    error: {
      code: 'ApplicationThrottled',
      message: 'Application is over its MailboxConcurrency limit.',
    },
  },
});

export const unavailable = (retryAfter = '0'): Interruption => ({
  kind: 'status',
  status: 503,
  headers: { 'retry-after': retryAfter },
  body: {
    error: { code: 'ServiceUnavailable', message: 'Service is temporarily unavailable.' },
  },
});

/** The Graph resource the client-credentials scope must name (the global cloud's). */
const RESOURCE = 'https://graph.microsoft.com';
const MAILBOX_CONCURRENCY = 4;
const READ_ROLES = ['Mail.Read', 'Mail.ReadWrite', 'Mail.ReadBasic.All'];

const graphDate = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export class FakeGraph {
  readonly apps: FakeApp[] = [];
  readonly mailboxes = new Map<string, FakeMailbox>();
  readonly violations: string[] = [];
  readonly requests: RecordedRequest[] = [];
  tokenRequests = 0;
  /** The most Graph requests one mailbox had in flight at once. */
  maxInFlight = 0;
  /** Where @odata.nextLink points (the real service's own host, e.g. behind a proxy). */
  nextLinkBase: string | undefined;
  /** Every access token issued, so tests can check none of them leaks. */
  readonly issuedTokens: string[] = [];

  private readonly tokens = new Map<string, { app: FakeApp; expires: number }>();
  private readonly inFlight = new Map<string, number>();
  private readonly interruptions: Record<'token' | 'graph', Interruption[]> = {
    token: [],
    graph: [],
  };

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeGraph> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const fake = new FakeGraph(server, `http://127.0.0.1:${address.port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      fake.handle(req, res);
    });
    return fake;
  }

  /** Base URLs for GraphConfig.endpoints: login and Graph on this server. */
  get endpoints(): { login: string; graph: string } {
    return { login: this.url, graph: this.url };
  }

  addApp(app: FakeApp): FakeApp {
    this.apps.push(app);
    return app;
  }

  addMailbox(address: string, mailbox: Partial<FakeMailbox> = {}): FakeMailbox {
    const created = { messages: [], ...mailbox };
    this.mailboxes.set(address.toLowerCase(), created);
    return created;
  }

  /** Puts a message into a mailbox's Inbox (or Junk Email), received at `at` (now by default). */
  deliver(
    address: string,
    subject: string,
    at = new Date(),
    options: Partial<Pick<FakeMessage, 'folder' | 'headers'>> = {},
  ): FakeMessage {
    const mailbox = this.mailboxes.get(address.toLowerCase());
    if (!mailbox) throw new Error(`No fake mailbox ${address}`);
    const message = {
      id: `AAMkAD${randomBytes(24).toString('base64url')}=`,
      subject,
      receivedDateTime: graphDate(at),
      body: 'Body text that must never be requested.',
      folder: options.folder ?? 'inbox',
      headers: options.headers ?? [],
    };
    mailbox.messages.push(message);
    return message;
  }

  /** The next requests to the token endpoint or to Graph get these answers, in order. */
  interrupt(target: 'token' | 'graph', ...interruptions: Interruption[]): void {
    this.interruptions[target].push(...interruptions);
  }

  /** Makes every access token issued so far unknown (as a revoked or rotated token is). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  graphRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.mailbox !== undefined);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  // --- request handling --------------------------------------------------------------------

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
      if (tokenPath) {
        this.requests.push({ method: req.method ?? '', path: url.pathname, query });
        this.token(req, res, decodeURIComponent(tokenPath[1] ?? ''), body);
        return;
      }
      const graphPath = /^\/v1\.0\/users\/([^/]+)(\/.*)?$/.exec(url.pathname);
      if (graphPath) {
        const mailbox = decodeURIComponent(graphPath[1] ?? '').toLowerCase();
        this.requests.push({ method: req.method ?? '', path: url.pathname, query, mailbox });
        const running = (this.inFlight.get(mailbox) ?? 0) + 1;
        this.inFlight.set(mailbox, running);
        this.maxInFlight = Math.max(this.maxInFlight, running);
        res.on('close', () => this.inFlight.set(mailbox, (this.inFlight.get(mailbox) ?? 1) - 1));
        if (running > MAILBOX_CONCURRENCY) {
          send(res, 429, throttledBody, { 'retry-after': '1' });
          return;
        }
        this.graph(req, res, mailbox, graphPath[2] ?? '', query, body);
        return;
      }
      this.violation(res, `Unknown endpoint ${req.method ?? ''} ${url.pathname}`);
    });
  }

  private violation(res: ServerResponse, what: string): void {
    this.violations.push(what);
    send(res, 400, { error: { code: 'FakeGraphViolation', message: what } });
  }

  /** Answers an interrupted request (true), or lets it through, maybe after a delay. */
  private interrupted(
    target: 'token' | 'graph',
    res: ServerResponse,
    proceed: () => void,
  ): boolean {
    const next = this.interruptions[target].shift();
    if (!next) return false;
    if (next.kind === 'delay') {
      const timer = setTimeout(proceed, next.ms);
      res.on('close', () => {
        clearTimeout(timer);
      });
      return true;
    }
    if (next.kind === 'stall') return true;
    if (next.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"value": [{"id": ');
      return true;
    }
    send(res, next.status, next.body, next.headers);
    return true;
  }

  private token(req: IncomingMessage, res: ServerResponse, tenant: string, body: string): void {
    this.tokenRequests += 1;
    if (req.method !== 'POST') {
      this.violation(res, `Token endpoint called with ${req.method ?? ''}`);
      return;
    }
    if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
      this.violation(res, 'Token request is not a form');
      return;
    }
    const form = Object.fromEntries(new URLSearchParams(body));
    const keys = Object.keys(form).sort().join(',');
    if (keys !== 'client_id,client_secret,grant_type,scope') {
      this.violation(res, `Token request has the fields ${keys}`);
      return;
    }
    if (form.grant_type !== 'client_credentials') {
      this.violation(res, `grant_type is ${form.grant_type ?? ''}`);
      return;
    }
    if (form.scope !== `${RESOURCE}/.default`) {
      this.violation(res, `scope is ${form.scope ?? ''}`);
      return;
    }
    if (
      this.interrupted('token', res, () => {
        this.issue(res, tenant, form);
      })
    )
      return;
    this.issue(res, tenant, form);
  }

  private issue(res: ServerResponse, tenant: string, form: Record<string, string>): void {
    if (res.destroyed) return;
    const inTenant = this.apps.filter((app) => app.tenantId === tenant.toLowerCase());
    if (inTenant.length === 0) {
      sendAadError(
        res,
        400,
        'invalid_tenant',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      );
      return;
    }
    // An app may have several secrets: one entry per secret.
    const sameApp = inTenant.filter((candidate) => candidate.clientId === form.client_id);
    const app = sameApp.find((candidate) => candidate.secret === form.client_secret) ?? sameApp[0];
    if (!app) {
      sendAadError(
        res,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.client_id ?? ''}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
      return;
    }
    if (app.secret !== form.client_secret) {
      sendAadError(
        res,
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
      );
      return;
    }
    if (app.secretExpired === true) {
      sendAadError(
        res,
        401,
        'invalid_client',
        7000222,
        `The provided client secret keys for app '${app.clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
      );
      return;
    }
    if (app.consentRequired === true) {
      sendAadError(
        res,
        400,
        'invalid_grant',
        65001,
        `The user or administrator has not consented to use the application with ID '${app.clientId}' named 'Email Profiles'. Send an interactive authorization request for this user and resource.`,
        { suberror: 'consent_required' },
      );
      return;
    }
    const expiresIn = app.expiresIn ?? 3599;
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: RESOURCE,
      iss: `https://sts.windows.net/${app.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + expiresIn,
      appid: app.clientId,
      idtyp: 'app',
      oid: randomUUID(),
      tid: app.tenantId,
      ...(app.roles.length > 0 ? { roles: app.roles } : {}),
    };
    const accessToken =
      app.opaqueToken === true
        ? `EwB${randomBytes(48).toString('base64url')}`
        : `${b64url({ typ: 'JWT', alg: 'RS256', kid: 'fake' })}.${b64url(claims)}.${randomBytes(64).toString('base64url')}`;
    this.tokens.set(accessToken, { app, expires: Date.now() + expiresIn * 1000 });
    this.issuedTokens.push(accessToken);
    send(res, 200, {
      token_type: 'Bearer',
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: accessToken,
    });
  }

  private graph(
    req: IncomingMessage,
    res: ServerResponse,
    address: string,
    rest: string,
    query: Record<string, string>,
    body: string,
  ): void {
    const method = req.method ?? '';
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const issued = bearer === undefined ? undefined : this.tokens.get(bearer);
    if (!issued || issued.expires < Date.now()) {
      send(res, 401, {
        error: {
          code: 'InvalidAuthenticationToken',
          message:
            bearer === undefined
              ? 'Access token is empty.'
              : 'Access token has expired or is not yet valid.',
        },
      });
      return;
    }
    const route =
      method === 'GET' && rest === '/mailFolders/inbox'
        ? 'folder'
        : method === 'GET' && /^\/mailFolders\/(inbox|junkemail)\/messages$/.test(rest)
          ? 'list'
          : method === 'POST' && rest === '/sendMail'
            ? 'send'
            : method === 'DELETE' && /^\/messages\/[^/]+$/.test(rest)
              ? 'delete'
              : undefined;
    if (route === undefined) {
      this.violation(res, `Not a request the transport may make: ${method} ${rest}`);
      return;
    }
    const problem = checkQuery(route, query);
    if (problem) {
      this.violation(res, problem);
      return;
    }
    const answer = () => {
      this.answer(req, res, issued.app, address, route, rest, query, body);
    };
    if (this.interrupted('graph', res, answer)) return;
    answer();
  }

  private answer(
    req: IncomingMessage,
    res: ServerResponse,
    app: FakeApp,
    address: string,
    route: 'folder' | 'list' | 'send' | 'delete',
    rest: string,
    query: Record<string, string>,
    body: string,
  ): void {
    if (res.destroyed) return;
    const mailbox = this.mailboxes.get(address);
    if (!mailbox) {
      send(res, 404, {
        error: { code: 'ErrorInvalidUser', message: `The requested user '${address}' is invalid.` },
      });
      return;
    }
    if (mailbox.restDisabled === true) {
      send(res, 404, {
        error: {
          code: 'MailboxNotEnabledForRESTAPI',
          message: 'REST API is not yet supported for this mailbox.',
        },
      });
      return;
    }
    const needed =
      route === 'send' ? ['Mail.Send'] : route === 'delete' ? ['Mail.ReadWrite'] : READ_ROLES;
    // The union of the tenant-wide Entra grant and any Exchange grant scoped to this mailbox.
    const scoped = app.exchangeScoped?.mailboxes.includes(address) === true;
    const roles = [...app.roles, ...(scoped ? (app.exchangeScoped?.roles ?? []) : [])];
    if (!roles.some((role) => needed.includes(role))) {
      send(res, 403, {
        error: {
          code: 'ErrorAccessDenied',
          message: 'Access is denied. Check credentials and try again.',
        },
      });
      return;
    }
    if (mailbox.blockedByPolicy === true) {
      send(res, 403, {
        error: {
          code: 'ErrorAccessDenied',
          message:
            'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.',
        },
      });
      return;
    }
    switch (route) {
      case 'folder': {
        send(res, 200, {
          '@odata.context': `${this.url}/v1.0/$metadata#users('${address}')/mailFolders(totalItemCount,unreadItemCount)/$entity`,
          id: 'AAMkADInbox=',
          totalItemCount: mailbox.messages.length,
          unreadItemCount: mailbox.messages.length,
        });
        return;
      }
      case 'list': {
        this.list(
          res,
          address,
          mailbox,
          query,
          rest.split('/')[2] === 'junkemail' ? 'junkemail' : 'inbox',
        );
        return;
      }
      case 'send': {
        this.sendMail(req, res, body);
        return;
      }
      case 'delete': {
        const id = decodeURIComponent(rest.slice('/messages/'.length));
        const index = mailbox.messages.findIndex((message) => message.id === id);
        if (index === -1) {
          send(res, 404, {
            error: {
              code: 'ErrorItemNotFound',
              message: 'The specified object was not found in the store.',
            },
          });
          return;
        }
        mailbox.messages.splice(index, 1);
        res.writeHead(204).end();
        return;
      }
    }
  }

  private list(
    res: ServerResponse,
    address: string,
    mailbox: FakeMailbox,
    query: Record<string, string>,
    folder: FakeMessage['folder'],
  ): void {
    const withHeaders = (query.$select ?? '').split(',').includes('internetMessageHeaders');
    const since = Date.parse(/^receivedDateTime ge (\S+)$/.exec(query.$filter ?? '')?.[1] ?? '');
    const top = Number(query.$top);
    const skip = Number(query.$skip ?? 0);
    const matching = mailbox.messages
      .filter(
        (message) => message.folder === folder && Date.parse(message.receivedDateTime) >= since,
      )
      .sort((a, b) => Date.parse(b.receivedDateTime) - Date.parse(a.receivedDateTime));
    const page = matching.slice(skip, skip + top);
    const next = new URLSearchParams({ ...query, $skip: String(skip + top) });
    send(res, 200, {
      '@odata.context': `${this.url}/v1.0/$metadata#users('${address}')/mailFolders('${folder}')/messages(${query.$select ?? ''})`,
      value: page.map((message) => ({
        '@odata.etag': 'W/"CQAAABYAAAA"',
        id: message.id,
        subject: message.subject,
        receivedDateTime: message.receivedDateTime,
        ...(withHeaders ? { internetMessageHeaders: message.headers } : {}),
      })),
      ...(skip + top < matching.length
        ? {
            '@odata.nextLink': `${this.nextLinkBase ?? this.url}/v1.0/users/${encodeURIComponent(address)}/mailFolders/${folder}/messages?${next.toString()}`,
          }
        : {}),
    });
  }

  private sendMail(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (!/^application\/json/.test(req.headers['content-type'] ?? '')) {
      this.violation(res, 'sendMail body is not JSON');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      this.violation(res, 'sendMail body is not valid JSON');
      return;
    }
    const problem = checkSendMail(parsed);
    if (problem) {
      this.violation(res, problem);
      return;
    }
    const { message } = parsed as {
      message: {
        subject: string;
        body: { content: string };
        toRecipients: { emailAddress: { address: string } }[];
      };
    };
    for (const recipient of message.toRecipients) {
      const mailbox = this.mailboxes.get(recipient.emailAddress.address.toLowerCase());
      if (mailbox) {
        this.deliver(recipient.emailAddress.address, message.subject).body = message.body.content;
      }
    }
    res.writeHead(202, { 'content-length': '0' }).end();
  }
}

const throttledBody = {
  error: {
    code: 'ApplicationThrottled',
    message: 'Application is over its MailboxConcurrency limit.',
  },
};

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** The body Entra ID sends with an AADSTS error (trace and correlation IDs included). */
function sendAadError(
  res: ServerResponse,
  status: number,
  error: string,
  code: number,
  description: string,
  extra: Record<string, string> = {},
): void {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
  send(res, status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    ...extra,
  });
}

const LIST_PARAMS = ['$filter', '$orderby', '$select', '$top'];

function checkQuery(route: string, query: Record<string, string>): string | undefined {
  const names = Object.keys(query).sort();
  if (route === 'folder') {
    return query.$select === 'totalItemCount,unreadItemCount' && names.length === 1
      ? undefined
      : `Inbox read with ${JSON.stringify(query)}`;
  }
  if (route !== 'list') {
    return names.length === 0 ? undefined : `${route} with query ${JSON.stringify(query)}`;
  }
  const extra = names.filter((name) => !LIST_PARAMS.includes(name) && name !== '$skip');
  if (extra.length > 0) return `Message list with unexpected parameters ${extra.join(', ')}`;
  const missing = LIST_PARAMS.filter((name) => !(name in query));
  if (missing.length > 0) return `Message list without ${missing.join(', ')}`;
  const filter = /^receivedDateTime ge (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)$/.exec(
    query.$filter ?? '',
  );
  if (!filter) return `$filter is ${query.$filter ?? ''}`;
  const selected = (query.$select ?? '').split(',').sort().join(',');
  if (selected !== 'internetMessageHeaders,receivedDateTime,subject')
    return `$select is ${query.$select ?? ''}`;
  if (query.$orderby !== 'receivedDateTime desc') return `$orderby is ${query.$orderby ?? ''}`;
  const top = Number(query.$top);
  if (!Number.isInteger(top) || top < 1 || top > 1000) return `$top is ${query.$top ?? ''}`;
  if (query.$skip !== undefined && !/^\d+$/.test(query.$skip)) return `$skip is ${query.$skip}`;
  return undefined;
}

function checkSendMail(parsed: unknown): string | undefined {
  const request = parsed as { message?: unknown; saveToSentItems?: unknown } | null;
  if (request === null || typeof request !== 'object') return 'sendMail body is not an object';
  const keys = Object.keys(request).sort().join(',');
  if (keys !== 'message,saveToSentItems') return `sendMail body has ${keys}`;
  if (request.saveToSentItems !== false) return 'saveToSentItems is not false';
  const message = request.message as {
    subject?: unknown;
    body?: { contentType?: unknown; content?: unknown };
    toRecipients?: unknown;
    from?: { emailAddress?: { address?: unknown } };
  } | null;
  if (message === null || typeof message !== 'object') return 'sendMail has no message';
  const allowed = ['body', 'from', 'subject', 'toRecipients'];
  const unexpected = Object.keys(message).filter((key) => !allowed.includes(key));
  if (unexpected.length > 0) return `message has ${unexpected.join(', ')}`;
  if (typeof message.subject !== 'string') return 'message.subject is not a string';
  if (message.body?.contentType !== 'Text' || typeof message.body.content !== 'string') {
    return 'message.body is not {contentType: "Text", content}';
  }
  const recipients = message.toRecipients as { emailAddress?: { address?: unknown } }[] | undefined;
  if (
    !Array.isArray(recipients) ||
    recipients.length === 0 ||
    recipients.some((r) => typeof r.emailAddress?.address !== 'string')
  ) {
    return 'message.toRecipients is not [{emailAddress: {address}}]';
  }
  if (message.from !== undefined && typeof message.from.emailAddress?.address !== 'string') {
    return 'message.from is not {emailAddress: {address}}';
  }
  return undefined;
}
