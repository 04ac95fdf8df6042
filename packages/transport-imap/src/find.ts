// Finding a verification code over IMAP: INBOX opened read-only, a server-side UID SEARCH on the
// code over the messages received since the start time, and when it is not there yet, IDLE until
// the mailbox changes (NOOP polling on servers without IDLE), until found, the deadline or an
// abort. Only envelopes are fetched; bodies never.
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ImapFlow } from 'imapflow';
import {
  parseAuthenticationResults,
  subjectHasCode,
  transportErrorCodes,
  type AuthenticationVerdicts,
  type FailureStage,
  type FindCodeRequest,
  type ProbeStepName,
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
/** The newest messages are always searched, in case some arrived with an older INTERNALDATE. */
const ALWAYS_SEARCHED = 50;

type Range = { seq: string } | { uid: string };
type Match = {
  uid: number;
  subject: string;
  receivedAt?: string;
  authentication?: AuthenticationVerdicts;
};
type Found = Match & { folder?: 'junk'; folderName?: string };
/** How often Junk is searched while waiting on the INBOX. */
const JUNK_EVERY_MS = 5_000;

export async function findCodeImap(
  config: ImapConfig,
  request: FindCodeRequest,
  options: OperationOptions & ConnectionOptions & { pollMs?: number } = {},
): Promise<FindCodeResult> {
  const started = performance.now();
  const left = request.deadline.getTime() - Date.now();
  let client: ImapFlow | undefined;
  let searched: string[] | undefined;
  // Where the check is, so that the deadline passing is "not found" only once it is searching,
  // and a server that never greets (or stalls the login) is reported at that stage.
  let phase = 'tcp' as FailureStage;
  const recorder = new StepRecorder((step) => {
    if (step.status === 'ok') phase = nextPhase(step.name, config);
  });
  try {
    return await withTimeout(
      'search',
      Math.max(left, 1),
      options.signal,
      async (signal) => {
        const session = await openImap(config, recorder, { ...options, signal });
        phase = 'auth';
        try {
          await loginImap(session, config);
        } catch (error) {
          session.logout();
          throw error;
        }
        const canIdle = session.has('IDLE');
        client = handToImapflow(session);
        phase = 'mailbox';
        await client.connect();
        const readOnly = request.removeWhenFound !== true;
        const junk = await junkFolder(client);
        searched = ['INBOX', ...(junk === undefined ? [] : [junk])];
        let mailbox = await client.mailboxOpen('INBOX', { readOnly });
        phase = 'search';
        const since = new Date(request.since.getTime() - SKEW_MS);
        let found: Found | undefined = await searchNew(client, request.code, mailbox.exists, since);
        let via: 'search' | 'idle' | 'poll' = 'search';
        let seen = mailbox.exists;
        let uidNext = mailbox.uidNext;
        let junkCheckedAt = Number.NEGATIVE_INFINITY;
        for (;;) {
          // Mail filed into Junk raises nothing in the INBOX: Junk is looked at now and then.
          if (!found && junk !== undefined && performance.now() - junkCheckedAt >= JUNK_EVERY_MS) {
            junkCheckedAt = performance.now();
            const box = await client.mailboxOpen(junk, { readOnly });
            const inJunk = await searchNew(client, request.code, box.exists, since);
            if (inJunk) found = { ...inJunk, folder: 'junk', folderName: junk };
            else {
              mailbox = await client.mailboxOpen('INBOX', { readOnly });
              seen = mailbox.exists;
              found = await search(client, request.code, { uid: `${uidNext}:*` });
              uidNext = mailbox.uidNext;
            }
          }
          if (found) {
            if (request.removeWhenFound)
              await client.messageDelete(String(found.uid), { uid: true });
            const { subject, receivedAt, authentication, folder, folderName } = found;
            return {
              found: true,
              subject,
              ...(receivedAt ? { receivedAt } : {}),
              via,
              durationMs: performance.now() - started,
              folder: folder ?? 'inbox',
              folderName: folderName ?? 'INBOX',
              ...(authentication ? { authentication } : {}),
            };
          }
          uidNext = client.mailbox ? client.mailbox.uidNext : uidNext;
          // Mail that arrived during the last search has been announced already: no waiting.
          const exists = client.mailbox ? client.mailbox.exists : seen;
          const bound = junk === undefined ? undefined : JUNK_EVERY_MS;
          if (exists === seen && canIdle) {
            via = 'idle';
            await waitForNewMail(client, signal, bound);
          } else if (exists === seen) {
            via = 'poll';
            await sleep(options.pollMs ?? POLL_MS, signal);
            await client.noop();
          }
          seen = client.mailbox ? client.mailbox.exists : seen;
          // Later searches look only at what arrived since.
          found = await search(client, request.code, { uid: `${uidNext}:*` });
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
    const { observation } = transportError;
    const deadlinePassed =
      observation.errorCode === transportErrorCodes.stageTimeout && observation.stage === 'search';
    const folders = searched === undefined ? {} : { searched };
    if (!deadlinePassed) return { found: false, failure: transportError.failure, ...folders };
    const failure =
      phase === 'search'
        ? new TransportError({
            stage: 'search',
            protocol: 'imap',
            errorCode: transportErrorCodes.codeNotFound,
          }).failure
        : new TransportError({ ...observation, stage: phase }).failure;
    return { found: false, failure, ...folders };
  } finally {
    await closeQuietly(client);
  }
}

/** The stage after a step that passed: where a deadline passing would have stopped the check. */
function nextPhase(step: ProbeStepName, config: ImapConfig): FailureStage {
  if (step === 'dns') return 'tcp';
  if (step === 'tcp') return config.encryption === 'ssl' ? 'tls' : 'greeting';
  if (step === 'tls') return 'greeting';
  if (step === 'greeting' && config.encryption === 'starttls') return 'tls';
  return 'auth';
}

/** UID SEARCH for the code within `range`, confirmed on each candidate's envelope subject. */
async function search(client: ImapFlow, code: string, range: Range): Promise<Match | undefined> {
  const uids = await client.search({ ...range, subject: code }, { uid: true });
  for (const uid of (uids || []).sort((a, b) => b - a)) {
    const message = await client.fetchOne(
      String(uid),
      { envelope: true, internalDate: true, headers: ['authentication-results'] },
      { uid: true },
    );
    const subject = message ? (message.envelope?.subject ?? '') : '';
    if (message && subjectHasCode(subject, code)) {
      const date = message.internalDate;
      const results = headerValues(message.headers, 'authentication-results');
      const authentication = parseAuthenticationResults(results);
      return {
        uid,
        subject,
        ...(date ? { receivedAt: new Date(date).toISOString() } : {}),
        ...(Object.keys(authentication).length > 0 ? { authentication } : {}),
      };
    }
  }
  return undefined;
}

/**
 * The first search, over the messages that can be new. The newest ALWAYS_SEARCHED are searched
 * without reading any date (reading the INTERNALDATE of an old message can cost a server a lot);
 * only when the code is not among them, and the oldest of them is still new, does it look further
 * back: galloping back over INTERNALDATE (doubling the distance), then bisecting to the first
 * message received since `since`. Either way the cost follows the new mail, not the mailbox.
 */
async function searchNew(
  client: ImapFlow,
  code: string,
  exists: number,
  since: Date,
): Promise<Match | undefined> {
  if (exists === 0) return undefined;
  const windowStart = Math.max(exists + 1 - ALWAYS_SEARCHED, 1);
  const recent = await search(client, code, { seq: `${windowStart}:*` });
  if (recent || windowStart === 1) return recent;
  const isNew = async (seq: number) => {
    const message = await client.fetchOne(String(seq), { internalDate: true });
    const date = message ? message.internalDate : undefined;
    return date === undefined || new Date(date) >= since;
  };
  let newest = windowStart; // lowest sequence number known to be new (or already searched)
  let oldest = 0; // highest sequence number known to be old
  for (let back = 1; newest > 1; back *= 2) {
    const seq = Math.max(windowStart - back, 1);
    if (!(await isNew(seq))) {
      oldest = seq;
      break;
    }
    newest = seq;
  }
  while (newest - oldest > 1) {
    const middle = Math.floor((newest + oldest) / 2);
    if (await isNew(middle)) newest = middle;
    else oldest = middle;
  }
  return newest < windowStart
    ? search(client, code, { seq: `${newest}:${windowStart - 1}` })
    : undefined;
}

/**
 * IDLE until the server reports new messages (or the signal fires). imapflow ends IDLE by itself
 * when the next command (the search) is issued, which is also when `idle()` settles.
 */
async function waitForNewMail(
  client: ImapFlow,
  signal: AbortSignal,
  boundMs: number | undefined,
): Promise<void> {
  client.idle().catch(() => undefined);
  if (boundMs === undefined) {
    await once(client, 'exists', { signal });
    return;
  }
  const bound = new AbortController();
  const timer = setTimeout(() => {
    bound.abort();
  }, boundMs);
  try {
    await once(client, 'exists', { signal: AbortSignal.any([signal, bound.signal]) });
  } catch (error) {
    if (signal.aborted || !bound.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The mailbox marked \Junk (RFC 6154 SPECIAL-USE), if the server has one. */
async function junkFolder(client: ImapFlow): Promise<string | undefined> {
  const folders = await client.list();
  return folders.find((folder) => folder.specialUse === '\\Junk')?.path;
}

/** The unfolded values of one header in a raw header block. */
function headerValues(raw: Buffer | undefined, name: string): string[] {
  if (raw === undefined) return [];
  const prefix = `${name.toLowerCase()}:`;
  return raw
    .toString('utf8')
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .filter((line) => line.toLowerCase().startsWith(prefix))
    .map((line) => line.slice(prefix.length).trim());
}

async function closeQuietly(client: ImapFlow | undefined): Promise<void> {
  if (!client) return;
  try {
    await withTimeout('search', 2_000, undefined, () => client.logout());
  } catch {
    client.close();
  }
}
