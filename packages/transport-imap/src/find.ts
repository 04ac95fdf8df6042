// Finding a verification code over IMAP: INBOX opened read-only, a server-side UID SEARCH on the
// code, and when it is not there yet, IDLE until the mailbox changes (NOOP polling on servers
// without IDLE), until found, the deadline or an abort. Only envelopes are fetched.
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ImapFlow } from 'imapflow';
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
  withTimeout,
  type ConnectionOptions,
} from '@email-profiles/transport-net';
import { handToImapflow } from './mailbox.js';
import { loginImap, openImap, type ImapConfig } from './session.js';

/** Messages this much older than the start time may still be the one (clock skew). */
const SKEW_MS = 5 * 60_000;
const POLL_MS = 1_000;

export async function findCodeImap(
  config: ImapConfig,
  request: FindCodeRequest,
  options: OperationOptions & ConnectionOptions & { pollMs?: number } = {},
): Promise<FindCodeResult> {
  const started = performance.now();
  const left = request.deadline.getTime() - Date.now();
  let client: ImapFlow | undefined;
  try {
    return await withTimeout(
      'search',
      Math.max(left, 1),
      options.signal,
      async (signal) => {
        const session = await openImap(config, new StepRecorder(), { ...options, signal });
        try {
          await loginImap(session, config);
        } catch (error) {
          session.logout();
          throw error;
        }
        const canIdle = session.has('IDLE');
        client = handToImapflow(session);
        await client.connect();
        await client.mailboxOpen('INBOX', { readOnly: request.removeWhenFound !== true });
        const since = new Date(request.since.getTime() - SKEW_MS);
        let via: 'search' | 'idle' | 'poll' = 'search';
        let from = 1;
        for (;;) {
          const found = await search(client, request.code, since, from);
          if (found) {
            if (request.removeWhenFound)
              await client.messageDelete(String(found.uid), { uid: true });
            return {
              found: true,
              subject: found.subject,
              ...(found.receivedAt ? { receivedAt: found.receivedAt } : {}),
              via,
              durationMs: performance.now() - started,
            };
          }
          from = client.mailbox ? client.mailbox.uidNext : from;
          if (canIdle) {
            via = 'idle';
            await waitForNewMail(client, signal);
          } else {
            via = 'poll';
            await sleep(options.pollMs ?? POLL_MS, signal);
            await client.noop();
          }
        }
      },
      'The verification email did not arrive before the deadline',
    );
  } catch (error) {
    const transportError = asTransportError(error, 'search', {
      protocol: 'imap',
      host: config.host,
      port: config.port,
    });
    const timedOut = transportError.observation.errorCode === transportErrorCodes.stageTimeout;
    const failure = timedOut
      ? new TransportError({
          stage: 'search',
          protocol: 'imap',
          errorCode: transportErrorCodes.codeNotFound,
        }).failure
      : transportError.failure;
    return { found: false, failure };
  } finally {
    await closeQuietly(client);
  }
}

type Match = { uid: number; subject: string; receivedAt?: string };

async function search(
  client: ImapFlow,
  code: string,
  since: Date,
  fromUid: number,
): Promise<Match | undefined> {
  const uids = await client.search({ uid: `${fromUid}:*`, since, subject: code }, { uid: true });
  for (const uid of (uids || []).sort((a, b) => b - a)) {
    const message = await client.fetchOne(
      String(uid),
      { envelope: true, internalDate: true },
      { uid: true },
    );
    const subject = message ? (message.envelope?.subject ?? '') : '';
    if (message && subjectHasCode(subject, code)) {
      const date = message.internalDate;
      return { uid, subject, ...(date ? { receivedAt: new Date(date).toISOString() } : {}) };
    }
  }
  return undefined;
}

/**
 * IDLE until the server reports new messages (or the signal fires). imapflow ends IDLE by itself
 * when the next command (the search) is issued, which is also when `idle()` settles.
 */
async function waitForNewMail(client: ImapFlow, signal: AbortSignal): Promise<void> {
  client.idle().catch(() => undefined);
  await once(client, 'exists', { signal });
}

async function closeQuietly(client: ImapFlow | undefined): Promise<void> {
  if (!client) return;
  try {
    await withTimeout('search', 2_000, undefined, () => client.logout());
  } catch {
    client.close();
  }
}
