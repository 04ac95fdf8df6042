// HTTP for the cloud transports (Graph, Gmail): every request timed and abortable, response
// bodies read up to a bound, JSON parsed defensively, throttling answered by Retry-After.
import { Agent, fetch, type Dispatcher, type Headers, type Response } from 'undici';
import {
  transportErrorCodes,
  type FailureStage,
  type ObservedProtocol,
} from '@email-profiles/core';
import { sleep, withTimeout } from './deadline.js';
import { TransportError, asTransportError } from './errors.js';

export const DEFAULT_MAX_BODY = 4 * 1024 * 1024;

export type HttpRequest = {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** A JSON body (serialised, with Content-Type), a form (x-www-form-urlencoded) or raw text. */
  json?: unknown;
  form?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The most bytes of response body read; more is a RESPONSE_TOO_LARGE failure. */
  maxBytes?: number;
  /** The connection pool to use (see `withHttp`); without one, a pool for this request alone. */
  dispatcher?: Dispatcher;
};

export type HttpResponse = {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  json: unknown;
};

/**
 * Runs `work` with its own connection pool (kept alive between the requests of one operation,
 * such as the polls of a find), and closes the pool afterwards so no socket outlives it.
 */
export async function withHttp<T>(work: (dispatcher: Dispatcher) => Promise<T>): Promise<T> {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 4 });
  try {
    return await work(agent);
  } finally {
    await agent.destroy();
  }
}

/** Sends one request; network errors and timeouts become TransportErrors of `stage`. */
export async function httpRequest(
  request: HttpRequest,
  stage: FailureStage,
  protocol: ObservedProtocol,
): Promise<HttpResponse> {
  const { dispatcher } = request;
  if (dispatcher === undefined)
    return withHttp((pool) => httpRequest({ ...request, dispatcher: pool }, stage, protocol));
  const { url, timeoutMs, signal, maxBytes = DEFAULT_MAX_BODY } = request;
  const host = safeHost(url);
  return withTimeout(stage, timeoutMs, signal, async (inner) => {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: string | undefined = request.body;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method: request.method ?? 'GET',
        headers,
        body,
        signal: inner,
        redirect: 'error',
        dispatcher,
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw asTransportError(cause?.code ? cause : error, stage, { protocol, host });
    }
    const text = await readBounded(response, maxBytes, stage, protocol);
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: parseJson(text, response.headers),
    };
  });
}

async function readBounded(
  response: Response,
  maxBytes: number,
  stage: FailureStage,
  protocol: ObservedProtocol,
): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes || !response.body) {
    await response.body?.cancel();
    if (declared > maxBytes) throw tooLarge(maxBytes, stage, protocol);
    return '';
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (done || value === undefined) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes, stage, protocol);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(
  maxBytes: number,
  stage: FailureStage,
  protocol: ObservedProtocol,
): TransportError {
  return new TransportError({
    stage,
    protocol,
    errorCode: transportErrorCodes.responseTooLarge,
    message: `The response was larger than ${maxBytes} bytes`,
  });
}

function parseJson(text: string, headers: Headers): unknown {
  if (!/json/i.test(headers.get('content-type') ?? '') || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** How long Retry-After asks to wait (seconds or an HTTP date), or undefined. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(date - now, 0);
}

export type RetryPolicy = {
  /** Retries after the first attempt (bounded: throttling must not hold a task forever). */
  retries: number;
  /** Wait when the server gives no Retry-After; doubled per retry. */
  baseDelayMs: number;
  /** A Retry-After longer than this is not waited for: the throttling failure is reported. */
  maxDelayMs: number;
};

export const defaultRetryPolicy: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Sends a request, retrying on 429 and 503 as the server's Retry-After says (bounded by the
 * policy). Returns the last response, throttled or not; the caller maps it to a failure.
 */
export async function httpWithRetry(
  request: HttpRequest,
  stage: FailureStage,
  protocol: ObservedProtocol,
  policy: RetryPolicy = defaultRetryPolicy,
): Promise<HttpResponse> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await httpRequest(request, stage, protocol);
    if ((response.status !== 429 && response.status !== 503) || attempt >= policy.retries)
      return response;
    const wait = retryAfterMs(response.headers) ?? policy.baseDelayMs * 2 ** attempt;
    if (wait > policy.maxDelayMs) return response;
    await sleep(wait, request.signal, stage);
  }
}
