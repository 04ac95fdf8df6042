// One operation's view of Microsoft Graph: its connection pool, its AbortSignal, a token from the
// shared cache, and requests made one at a time (Graph allows only four concurrent requests per
// mailbox, shared by every actor and operation on it).
import type { FailureStage } from '@email-profiles/core';
import {
  httpWithRetry,
  type HttpRequest,
  type HttpResponse,
  type RetryPolicy,
} from '@email-profiles/transport-net';
import {
  resolveGraph,
  type GraphConfig,
  type ResolvedGraph,
  type ResolvedOptions,
} from './config.js';
import { asGraphError, graphResponseError, rolesGranting, type MailPermission } from './errors.js';
import { forgetToken, getToken, type AccessToken } from './token.js';

type Dispatcher = NonNullable<HttpRequest['dispatcher']>;

export type GraphCall = {
  method?: 'GET' | 'POST' | 'DELETE';
  /** Under the mailbox (`/sendMail`, `/mailFolders/inbox/messages`), or a `graphLink` URL. */
  path: string;
  /** OData parameters (`$filter`, `$select`...), encoded here. */
  query?: Record<string, string>;
  json?: unknown;
  stage: FailureStage;
  /** The permission this request needs, named in an access-denied failure. */
  need: MailPermission;
  /** The statuses that mean success. */
  ok: readonly number[];
  retry?: RetryPolicy;
};

export class GraphSession {
  readonly resolved: ResolvedGraph;

  constructor(
    private readonly config: GraphConfig,
    readonly options: ResolvedOptions,
    private readonly dispatcher: Dispatcher,
    readonly signal: AbortSignal | undefined,
  ) {
    this.resolved = resolveGraph(config);
  }

  token(fresh = false): Promise<AccessToken> {
    return getToken(this.config, {
      fresh,
      timeoutMs: this.options.requestTimeoutMs,
      retry: this.options.retry,
      ...(this.signal ? { signal: this.signal } : {}),
    });
  }

  async call(call: GraphCall): Promise<HttpResponse> {
    const token = await this.token();
    let response: HttpResponse;
    try {
      response = await httpWithRetry(
        {
          method: call.method ?? 'GET',
          url: this.url(call.path, call.query),
          headers: { authorization: `Bearer ${token.accessToken}` },
          ...(call.json === undefined ? {} : { json: call.json }),
          timeoutMs: this.options.requestTimeoutMs,
          dispatcher: this.dispatcher,
          ...(this.signal ? { signal: this.signal } : {}),
        },
        call.stage,
        'graph',
        call.retry ?? this.options.retry,
      );
    } catch (error) {
      throw asGraphError(error, call.stage);
    }
    if (call.ok.includes(response.status)) return response;
    // A refused token is dropped, unless it already carries the permission (then a new token
    // would not help: an access policy, or a mailbox the app may not touch).
    const carries = token.roles?.some((role) => rolesGranting[call.need].includes(role)) === true;
    if (response.status === 401 || (response.status === 403 && !carries)) forgetToken(token);
    throw graphResponseError(response, call.stage, call.need);
  }

  /**
   * A link Graph returned (@odata.nextLink), re-rooted on the configured Graph base so the bearer
   * token only ever goes there (a proxy's upstream writes its own host into links). Undefined
   * when it is not a Graph v1.0 link.
   */
  graphLink(link: string): string | undefined {
    let parsed: URL;
    try {
      parsed = new URL(link);
    } catch {
      return undefined;
    }
    const version = parsed.pathname.indexOf('/v1.0/');
    return version === -1
      ? undefined
      : `${this.resolved.graph}${parsed.pathname.slice(version)}${parsed.search}`;
  }

  private url(path: string, query?: Record<string, string>): string {
    const url = path.startsWith(this.resolved.graph) ? path : `${this.resolved.mailboxUrl}${path}`;
    if (query === undefined) return url;
    const pairs = Object.entries(query).map(
      ([name, value]) =>
        `${encodeURIComponent(name).replace(/^%24/, '$')}=${encodeURIComponent(value)}`,
    );
    return `${url}${url.includes('?') ? '&' : '?'}${pairs.join('&')}`;
  }
}
