// What Google said, taken from the errors googleapis (gaxios) throws: the HTTP status, and from the
// body only the error code, reasons and message. OAuth endpoints answer
// {"error":"invalid_grant","error_description":"…"}; the API answers
// {"error":{"code":403,"message":"…","errors":[{"reason":"…"}],"status":"…","details":[…]}}.
import { transportErrorCodes, type FailureStage } from '@email-profiles/core';
import { TransportError } from '@email-profiles/transport-net';

type HeaderReader = { get(name: string): string | null };

export type GoogleResponse = { status: number; data: unknown; headers: HeaderReader | undefined };

/** The HTTP response an error from googleapis carries, if it got that far. */
export function responseOf(error: unknown): GoogleResponse | undefined {
  if (typeof error !== 'object' || error === null || !('response' in error)) return undefined;
  const response: unknown = error.response;
  if (typeof response !== 'object' || response === null || !('status' in response))
    return undefined;
  const { status } = response;
  if (typeof status !== 'number') return undefined;
  const data = 'data' in response ? response.data : undefined;
  const headers = 'headers' in response ? response.headers : undefined;
  return { status, data, headers: isHeaderReader(headers) ? headers : undefined };
}

function isHeaderReader(value: unknown): value is HeaderReader {
  return (
    typeof value === 'object' && value !== null && 'get' in value && typeof value.get === 'function'
  );
}

export type GoogleWords = {
  /** e.g. "invalid_grant: Token has been expired or revoked." */
  text?: string;
  /** OAuth error code, API status, and every reason in errors[] and details[]. */
  reasons: string[];
};

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/** Google's own words from an error body, without anything else the body holds. */
export function googleWords(data: unknown): GoogleWords {
  if (typeof data === 'string') {
    const text = data.replace(/\s+/g, ' ').trim().slice(0, 300);
    return { reasons: [], ...(text ? { text } : {}) };
  }
  if (typeof data !== 'object' || data === null || !('error' in data)) return { reasons: [] };
  const error: unknown = data.error;
  const oauthCode = str(error);
  if (oauthCode !== undefined) {
    const description = 'error_description' in data ? str(data.error_description) : undefined;
    return {
      text: description === undefined ? oauthCode : `${oauthCode}: ${description}`,
      reasons: [oauthCode],
    };
  }
  if (typeof error !== 'object' || error === null) return { reasons: [] };
  const api = error as { status?: unknown; message?: unknown; errors?: unknown; details?: unknown };
  const reasons = new Set<string>();
  for (const list of [api.details, api.errors]) {
    if (!Array.isArray(list)) continue;
    for (const item of list.slice(0, 10) as unknown[]) {
      const reason =
        typeof item === 'object' && item !== null && 'reason' in item
          ? str(item.reason)
          : undefined;
      if (reason !== undefined) reasons.add(reason);
    }
  }
  const status = str(api.status);
  const message = str(api.message);
  const head = [status, reasons.size > 0 ? `(${[...reasons].join(', ')})` : undefined]
    .filter((part) => part !== undefined)
    .join(' ');
  const text = [head || undefined, message].filter((part) => part !== undefined).join(': ');
  return { reasons: [...(status ? [status] : []), ...reasons], ...(text ? { text } : {}) };
}

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

/** Whether Google asks to slow down: 429, 503, or a 403 whose reason is a rate limit. */
export function isThrottled(response: GoogleResponse): boolean {
  if (response.status === 429 || response.status === 503) return true;
  return (
    response.status === 403 &&
    googleWords(response.data).reasons.some((reason) => RATE_LIMIT_REASONS.has(reason))
  );
}

/** Replaces every secret of the operation found in a text (defence in depth). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}

function hostOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('config' in error)) return undefined;
  const config: unknown = error.config;
  if (typeof config !== 'object' || config === null || !('url' in config)) return undefined;
  try {
    return new URL(String(config.url)).host;
  } catch {
    return undefined;
  }
}

/**
 * Turns anything googleapis throws into a TransportError of `stage` with Google's words. The
 * original error is not kept as the cause: gaxios errors hold the request, and with it secrets.
 */
export function toTransportError(
  error: unknown,
  stage: FailureStage,
  secrets: readonly string[],
): TransportError {
  if (error instanceof TransportError) return error;
  const host = hostOf(error);
  const response = responseOf(error);
  if (response !== undefined) {
    const words = googleWords(response.data);
    const serverText = words.text === undefined ? undefined : redact(words.text, secrets);
    return new TransportError({
      stage,
      protocol: 'gmail',
      httpStatus: response.status,
      ...(host ? { host } : {}),
      ...(serverText ? { serverText } : { message: `HTTP ${response.status}` }),
    });
  }
  const err = error as { code?: unknown; message?: unknown; cause?: unknown } | null;
  const cause = err?.cause as { code?: unknown; type?: unknown } | undefined;
  const rawMessage = typeof err?.message === 'string' ? err.message : String(error);
  // node-fetch's `size` bound, or gaxios' check of Content-Length against maxContentLength.
  if (cause?.type === 'max-size' || /over (the )?limit/i.test(rawMessage)) {
    return new TransportError({
      stage,
      protocol: 'gmail',
      errorCode: transportErrorCodes.responseTooLarge,
      message: 'The response was larger than allowed',
      ...(host ? { host } : {}),
    });
  }
  const code =
    typeof err?.code === 'string' ? err.code : typeof cause?.code === 'string' ? cause.code : '';
  return new TransportError({
    stage,
    protocol: 'gmail',
    ...(code ? { errorCode: code } : {}),
    ...(host ? { host } : {}),
    message: redact(rawMessage, secrets).slice(0, 500),
  });
}
