// Finding a verification code in Gmail: users.messages.list with a search on the subject since the
// start time in the inbox or Spam (includeSpamTrash; mail a filter archived was not delivered where
// the actors look), then users.messages.get with format=metadata and only the Subject and
// Authentication-Results headers for each match (never bodies or attachments), confirmed with subjectHasCode. Searches repeat with
// a growing pause until found, the deadline or an abort. `removeWhenFound` is not supported: it
// would need the gmail.modify scope (change and delete any mail) for a clean-up step.
import {
  parseAuthenticationResults,
  subjectHasCode,
  type FindCodeRequest,
  type FindCodeResult,
  type OperationOptions,
} from '@email-profiles/core';
import {
  CLOCK_SKEW_MS,
  TransportError,
  asTransportError,
  notFound,
  pollForCode,
  type FoundCode,
} from '@email-profiles/transport-net';
import type { GmailConfig, GmailTuning } from './config.js';
import { sessionOptions } from './probe.js';
import { GmailSession } from './session.js';

/**
 * The Gmail search for a code: its subject, received since the start time, in the inbox or in
 * Spam (found there, it is Verified with a warning).
 */
export function searchQuery(code: string, since: Date): string {
  const after = Math.floor((since.getTime() - CLOCK_SKEW_MS) / 1000);
  return `{in:inbox in:spam} subject:"${code}" after:${after}`;
}

export async function findCodeGmail(
  config: GmailConfig,
  tuning: GmailTuning,
  request: FindCodeRequest,
  options: OperationOptions = {},
): Promise<FindCodeResult> {
  const pace = { firstMs: tuning.firstPollMs, maxMs: tuning.maxPollMs, factor: 1.5 };
  const query = searchQuery(request.code, request.since);
  const checked = new Set<string>();
  let session: GmailSession | undefined;
  try {
    return await pollForCode(request, 'gmail', pace, options.signal, async (_, signal) => {
      if (!session) {
        session = new GmailSession(sessionOptions(config, tuning, signal));
        await session.accessToken('auth');
      }
      return search(session, tuning, query, request.code, checked);
    });
  } catch (error) {
    return notFound(asTransportError(error, 'search', { protocol: 'gmail' }).failure, [
      'Inbox',
      'Spam',
    ]);
  } finally {
    session?.close();
  }
}

async function search(
  session: GmailSession,
  tuning: GmailTuning,
  q: string,
  code: string,
  checked: Set<string>,
): Promise<FoundCode | undefined> {
  const { data } = await session.call('search', () =>
    session.api.users.messages.list({
      userId: 'me',
      q,
      maxResults: tuning.maxResults,
      includeSpamTrash: true,
    }),
  );
  for (const { id } of (data.messages ?? []).slice(0, tuning.maxResults)) {
    if (!id || checked.has(id)) continue;
    const message = await metadata(session, id);
    checked.add(id);
    if (!message) continue;
    const subject =
      message.payload?.headers?.find((header) => header.name?.toLowerCase() === 'subject')?.value ??
      '';
    if (subjectHasCode(subject, code)) {
      const received = Number(message.internalDate);
      const inSpam = message.labelIds?.includes('SPAM') === true;
      const authentication = parseAuthenticationResults(
        (message.payload?.headers ?? [])
          .filter((header) => header.name?.toLowerCase() === 'authentication-results')
          .map((header) => header.value ?? ''),
      );
      return {
        subject: subject.slice(0, 1000),
        folder: inSpam ? 'junk' : 'inbox',
        folderName: inSpam ? 'Spam' : 'Inbox',
        ...(Object.keys(authentication).length > 0 ? { authentication } : {}),
        ...(Number.isFinite(received) && received > 0
          ? { receivedAt: new Date(received).toISOString() }
          : {}),
      };
    }
  }
  return undefined;
}

/** The Subject header of one message; undefined when the message went away meanwhile. */
async function metadata(session: GmailSession, id: string) {
  try {
    const { data } = await session.call('search', () =>
      session.api.users.messages.get({
        userId: 'me',
        id,
        format: 'metadata',
        metadataHeaders: ['Subject', 'Authentication-Results'],
        fields: 'id,internalDate,labelIds,payload/headers',
      }),
    );
    return data;
  } catch (error) {
    if (error instanceof TransportError && error.observation.httpStatus === 404) return undefined;
    throw error;
  }
}
