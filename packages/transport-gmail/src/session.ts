// One Gmail operation's client: googleapis' Gmail API and google-auth-library's OAuth2 client
// over connection pools of their own, closed when the operation ends so no socket outlives it.
//
// googleapis sends through gaxios (node-fetch). Every request of the operation goes through the
// OAuth2 client's gaxios instance, configured here: our agents, a bound on the response body
// (node-fetch `size`, gaxios `maxContentLength`), no gaxios retries (throttling is retried here,
// honouring Retry-After), and none of google-auth-library's request logging (it would log tokens).
// Timeouts and aborts come from transport-net's `withTimeout`: its signal is set as the gaxios
// default for the duration of each call, so the token refresh that google-auth-library makes by
// itself before an API request is bounded and abortable too.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { gmail, type gmail_v1 } from '@googleapis/gmail';
import { OAuth2Client, type Credentials } from 'google-auth-library';
import { transportErrorCodes, type FailureStage } from '@email-profiles/core';
import { TransportError, retryAfterMs, sleep, withTimeout } from '@email-profiles/transport-net';
import type { GmailTuning, GoogleEndpoints } from './config.js';
import { isThrottled, responseOf, toTransportError, type GoogleResponse } from './errors.js';

export type SessionOptions = {
  clientId: string;
  clientSecret: string;
  endpoints: GoogleEndpoints;
  tuning: GmailTuning;
  signal?: AbortSignal | undefined;
  refreshToken?: string;
  redirectUri?: string;
};

export type AccessToken = { scopes: string[]; expiresAt?: number };

export class GmailSession {
  readonly api: gmail_v1.Gmail;
  readonly oauth: OAuth2Client;
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 4 });
  private readonly extraSecrets: string[] = [];

  constructor(private readonly options: SessionOptions) {
    const { endpoints, tuning } = options;
    this.oauth = new OAuth2Client({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      ...(options.redirectUri ? { redirectUri: options.redirectUri } : {}),
      endpoints: { oauth2TokenUrl: endpoints.token, oauth2AuthBaseUrl: endpoints.auth },
      useAuthRequestParameters: false,
      transporterOptions: {
        agent: (url: URL) => (url.protocol === 'http:' ? this.httpAgent : this.httpsAgent),
        // node-fetch's own bound while reading a body (maxContentLength only checks the header).
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        size: tuning.maxResponseBytes,
        maxContentLength: tuning.maxResponseBytes,
        retry: false,
        retryConfig: { retry: 0, noResponseRetries: 0 },
      },
    });
    if (options.refreshToken !== undefined)
      this.oauth.setCredentials({ refresh_token: options.refreshToken });
    // Every answer we use is a JSON object: anything else is refused here, before
    // google-auth-library tries to use it (and could quote it in an error message).
    this.oauth.transporter.interceptors.response.add({
      resolved: (response) => {
        const data: unknown = response.data;
        if (
          typeof data !== 'object' ||
          data === null ||
          Object.getPrototypeOf(data) !== Object.prototype
        )
          throw new TransportError({
            stage: 'config',
            protocol: 'gmail',
            errorCode: transportErrorCodes.protocolViolation,
            httpStatus: response.status,
            message: `Google answered HTTP ${response.status} with a body that is not a JSON object`,
          });
        return Promise.resolve(response);
      },
    });
    this.api = gmail({ version: 'v1', rootUrl: endpoints.api, auth: this.oauth, retry: false });
  }

  /** Keeps a value out of failure texts, like the client secret and tokens. */
  addSecret(value: string): void {
    this.extraSecrets.push(value);
  }

  get secrets(): string[] {
    const { access_token, refresh_token, id_token } = this.oauth.credentials;
    return [
      this.options.clientSecret,
      ...this.extraSecrets,
      ...[access_token, refresh_token, id_token].filter((s): s is string => !!s),
    ];
  }

  /**
   * One request (and the token refresh it may need), bounded by the request timeout and the
   * operation's signal; throttling is retried as the policy allows. Errors become TransportErrors
   * of `stage` with Google's words.
   */
  async call<T>(stage: FailureStage, request: () => Promise<T>): Promise<T> {
    const { tuning, signal } = this.options;
    const transporter = this.oauth.transporter;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await withTimeout(stage, tuning.requestTimeoutMs, signal, async (inner) => {
          transporter.defaults.signal = inner;
          try {
            return await request();
          } finally {
            if (transporter.defaults.signal === inner) delete transporter.defaults.signal;
          }
        });
      } catch (error) {
        const wait = this.throttleWait(responseOf(error), attempt);
        if (wait === undefined) throw this.failure(error, stage);
        await sleep(wait, signal, stage);
      }
    }
  }

  private throttleWait(response: GoogleResponse | undefined, attempt: number): number | undefined {
    const { retry } = this.options.tuning;
    if (response === undefined || !isThrottled(response) || attempt >= retry.retries)
      return undefined;
    const header = response.headers?.get('retry-after') ?? null;
    const asked =
      header === null
        ? undefined
        : // transport-net only reads the header, so the global Headers class does as well as undici's.
          // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
          retryAfterMs(new Headers({ 'retry-after': header }));
    const wait = asked ?? retry.baseDelayMs * 2 ** attempt;
    return wait > retry.maxDelayMs ? undefined : wait;
  }

  /** Maps an error of this session, with every secret it knows kept out. */
  failure(error: unknown, stage: FailureStage): TransportError {
    if (error instanceof TransportError) {
      const { observation } = error;
      // A request that got no answer in time: core's 'timeout' stage says what to check.
      if (observation.errorCode === transportErrorCodes.stageTimeout)
        return new TransportError({ ...observation, stage: 'timeout', protocol: 'gmail' });
      // Refused by the response check, which does not know the stage.
      if (observation.stage === 'config') return new TransportError({ ...observation, stage });
    }
    return toTransportError(error, stage, this.secrets);
  }

  /** A valid access token, refreshed from the refresh token when needed, with its scopes. */
  async accessToken(stage: FailureStage = 'auth'): Promise<AccessToken> {
    const { token } = await this.call(stage, () => this.oauth.getAccessToken());
    if (!token)
      throw new TransportError({
        stage,
        protocol: 'gmail',
        errorCode: transportErrorCodes.protocolViolation,
        message: 'Google answered without an access token',
      });
    return describeToken(this.oauth.credentials);
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

export function describeToken(credentials: Credentials): AccessToken {
  const scopes = (credentials.scope ?? '').split(/\s+/).filter((scope) => scope !== '');
  return {
    scopes,
    ...(typeof credentials.expiry_date === 'number' ? { expiresAt: credentials.expiry_date } : {}),
  };
}

/** Runs `work` with a session that is closed (its sockets destroyed) afterwards. */
export async function withSession<T>(
  options: SessionOptions,
  work: (session: GmailSession) => Promise<T>,
): Promise<T> {
  const session = new GmailSession(options);
  try {
    return await work(session);
  } finally {
    session.close();
  }
}
