// Finding a verification code over POP3. A POP3 session sees the mailbox as it was at login, so
// each poll is a new session; messages are read newest first with `TOP n 0` (headers only) and
// the scan stops at the first message older than the start time or already checked by an
// earlier poll, so the cost follows new mail, not mailbox size.
import { performance } from 'node:perf_hooks';
import {
  subjectHasCode,
  transportErrorCodes,
  type FindCodeRequest,
  type FindCodeResult,
  type OperationOptions,
} from '@email-profiles/core';
import {
  StepRecorder,
  TransportError,
  asTransportError,
  sleep,
  type ConnectionOptions,
} from '@email-profiles/transport-net';
import { decodeEncodedWords } from '@email-profiles/core';
import { arrivalDate, parseHeaders } from './headers.js';
import { loginPop3, openPop3, stat, type Pop3Config, type Pop3Session } from './session.js';

/** Messages this much older than the start time may still be the one (clock skew). */
const SKEW_MS = 5 * 60_000;
const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 5_000;

type Found = { subject: string; receivedAt?: string };

export async function findCodePop3(
  config: Pop3Config,
  request: FindCodeRequest,
  options: OperationOptions & ConnectionOptions & { pollMs?: number } = {},
): Promise<FindCodeResult> {
  const started = performance.now();
  const checked = new Set<string>();
  const oldest = request.since.getTime() - SKEW_MS;
  let wait = options.pollMs ?? FIRST_POLL_MS;
  let polls = 0;
  try {
    for (;;) {
      polls += 1;
      const found = await poll(config, request, options, checked, oldest);
      if (found) {
        return {
          found: true,
          ...found,
          via: polls === 1 ? 'search' : 'poll',
          durationMs: performance.now() - started,
        };
      }
      const left = request.deadline.getTime() - Date.now();
      if (left <= 0) {
        throw new TransportError({
          stage: 'search',
          protocol: 'pop3',
          errorCode: transportErrorCodes.codeNotFound,
        });
      }
      await sleep(Math.min(wait, left), options.signal);
      wait = Math.min(wait * 1.5, options.pollMs ?? MAX_POLL_MS);
    }
  } catch (error) {
    return {
      found: false,
      failure: asTransportError(error, 'search', {
        protocol: 'pop3',
        host: config.host,
        port: config.port,
      }).failure,
    };
  }
}

async function poll(
  config: Pop3Config,
  request: FindCodeRequest,
  options: ConnectionOptions,
  checked: Set<string>,
  oldest: number,
): Promise<Found | undefined> {
  const session = await openPop3(config, new StepRecorder(), options);
  try {
    await loginPop3(session, config);
    const { count } = await stat(session);
    for (let n = count; n >= 1; n -= 1) {
      const uid = await uidOf(session, n);
      if (uid !== undefined && checked.has(uid)) break;
      session.connection.write(`TOP ${n} 0`);
      await session.status('search');
      const fields = parseHeaders(await session.block('search'));
      if (uid !== undefined) checked.add(uid);
      const subject = decodeEncodedWords(fields.get('subject')?.[0] ?? '');
      const arrived = arrivalDate(fields);
      if (subjectHasCode(subject, request.code)) {
        if (request.removeWhenFound) await session.command(`DELE ${n}`, 'search');
        return { subject, ...(arrived ? { receivedAt: arrived.toISOString() } : {}) };
      }
      if (arrived !== undefined && arrived.getTime() < oldest) break;
    }
    return undefined;
  } finally {
    session.quit();
  }
}

async function uidOf(session: Pop3Session, n: number): Promise<string | undefined> {
  if (session.has('UIDL') === false) return undefined;
  const text = await session.command(`UIDL ${n}`, 'search');
  return text.split(/\s+/)[1];
}
