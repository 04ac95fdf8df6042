// Timeouts and cancellation. Every wait in the transports goes through `withTimeout`, so each one
// is bounded, honours the caller's AbortSignal and leaves no timer or listener behind.
import { transportErrorCodes, type FailureStage } from '@email-profiles/core';
import { TransportError } from './errors.js';

export type Timeouts = {
  /** DNS lookup plus TCP connect plus TLS handshake, per attempt. */
  connectMs: number;
  /** From connected to the server's first line. */
  greetingMs: number;
  /** Each command's complete response. */
  commandMs: number;
};

export const defaultTimeouts: Timeouts = {
  connectMs: 10_000,
  greetingMs: 15_000,
  commandMs: 20_000,
};

/**
 * Why `work`'s signal is aborted once it has ended: made once, since an abort without a reason
 * makes a new DOMException with its stack each time (a profile of 4,000 verification emails put
 * ~1 s of the Director's CPU there, a few SMTP commands each).
 */
const ENDED = new DOMException('The step has ended', 'AbortError');

export function abortedError(stage: FailureStage, signal?: AbortSignal): TransportError {
  const reason: unknown = signal?.reason;
  const why = reason instanceof Error ? reason.message : 'The operation was aborted';
  return new TransportError({ stage, errorCode: transportErrorCodes.aborted, message: why });
}

/**
 * Runs `work` with a timeout and the caller's signal. `work` receives a signal that fires on
 * either, and must release its resources when it does; the returned promise rejects with a
 * TransportError of the given stage.
 */
export async function withTimeout<T>(
  stage: FailureStage,
  ms: number,
  signal: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
  timeoutMessage = `No answer within ${ms / 1000} s`,
): Promise<T> {
  if (signal?.aborted) throw abortedError(stage, signal);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TransportError({
        stage,
        errorCode: transportErrorCodes.stageTimeout,
        message: timeoutMessage,
      });
      controller.abort(error);
      reject(error);
    }, ms);
    onAbort = () => {
      const error = abortedError(stage, signal);
      controller.abort(error);
      reject(error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), stopped]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    if (!controller.signal.aborted) controller.abort(ENDED);
  }
}

/** Sleeps, waking early (with a rejection) when the signal aborts. */
export function sleep(
  ms: number,
  signal?: AbortSignal,
  stage: FailureStage = 'search',
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError(stage, signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(stage, signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
