// The find-code loop of the transports that poll (POP3, Graph, Gmail): look, back off, look
// again, until the code is found, the deadline passes or the caller aborts.
import { performance } from 'node:perf_hooks';
import {
  transportErrorCodes,
  type FindCodeRequest,
  type Failure,
  type FindCodeResult,
  type MailFolder,
  type ObservedProtocol,
} from '@email-profiles/core';
import { sleep, withTimeout } from './deadline.js';
import { TransportError } from './errors.js';

/** Messages this much older than the start time may still be the one (clock skew). */
export const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * A find that ended without the code. The folders it searched are named only when it searched
 * them to the end (the code was not found), not when it stopped earlier (a login failed).
 */
export function notFound(
  failure: Failure,
  searched: readonly string[],
): Extract<FindCodeResult, { found: false }> {
  return {
    found: false,
    failure,
    ...(failure.signal === 'code-not-found' ? { searched: [...searched] } : {}),
  };
}

export type PollPace = { firstMs: number; maxMs: number; factor: number };

export type FoundCode = Omit<
  Extract<FindCodeResult, { found: true }>,
  'found' | 'via' | 'durationMs' | 'folder'
> & { folder?: MailFolder };

/**
 * Calls `look` (given the poll number and a signal that fires at the deadline or on abort) with
 * back-off between calls; when the deadline has passed already, it looks once. Resolves with the found result; the deadline passing is a
 * `search`-stage `code-not-found` TransportError, anything else `look` throws is rethrown.
 */
export async function pollForCode(
  request: FindCodeRequest,
  protocol: ObservedProtocol,
  pace: PollPace,
  signal: AbortSignal | undefined,
  look: (poll: number, signal: AbortSignal) => Promise<FoundCode | undefined>,
): Promise<Extract<FindCodeResult, { found: true }>> {
  const started = performance.now();
  const deadline = request.deadline.getTime();
  const result = (found: FoundCode, poll: number): Extract<FindCodeResult, { found: true }> => ({
    found: true,
    ...found,
    folder: found.folder ?? 'inbox',
    via: poll === 1 ? 'search' : 'poll',
    durationMs: performance.now() - started,
  });
  const notFound = () =>
    new TransportError({ stage: 'search', protocol, errorCode: transportErrorCodes.codeNotFound });
  if (Date.now() >= deadline) {
    // A check that starts late still looks once: the mail may well be there.
    const found = await look(1, signal ?? new AbortController().signal);
    if (found) return result(found, 1);
    throw notFound();
  }
  try {
    // One signal for every look of this call: it fires at the deadline or when the caller aborts.
    return await withTimeout('search', deadline - Date.now(), signal, async (inner) => {
      let wait = pace.firstMs;
      for (let poll = 1; ; poll += 1) {
        const found = await look(poll, inner);
        if (found) return result(found, poll);
        await sleep(wait, inner);
        wait = Math.min(wait * pace.factor, pace.maxMs);
      }
    });
  } catch (error) {
    // The deadline cutting a wait or a request short means "not found"; an earlier timeout of a
    // single request is that request's own failure.
    const timedOut =
      error instanceof TransportError &&
      error.observation.errorCode === transportErrorCodes.stageTimeout;
    throw timedOut && Date.now() >= deadline - 5 ? notFound() : error;
  }
}
