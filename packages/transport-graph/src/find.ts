// Finding a verification code through Microsoft Graph. Each poll lists the Inbox, then Junk
// Email, newest first, filtered to mail received since the start time (less 5 minutes of clock
// skew), reading only the subject, the received time and the internet headers (for the
// receiving server's Authentication-Results). The code is matched here with `subjectHasCode`: $search
// goes through an index that lags behind delivery. Later polls stop at the first message an
// earlier poll checked, so the cost follows new mail. Requests run one after another.
import {
  parseAuthenticationResults,
  subjectHasCode,
  type FindCodeRequest,
  type FindCodeResult,
  type OperationOptions,
} from '@email-profiles/core';
import {
  CLOCK_SKEW_MS,
  notFound,
  pollForCode,
  withHttp,
  type HttpResponse,
  type RetryPolicy,
} from '@email-profiles/transport-net';
import type { GraphConfig, ResolvedOptions } from './config.js';
import { asGraphError, unexpectedAnswer } from './errors.js';
import { checkAccess } from './access.js';
import { GraphSession } from './session.js';

type Listed = {
  id: string;
  subject: string;
  receivedDateTime?: string;
  authenticationResults: string[];
};

/** The well-known folders searched, with the names Outlook shows. */
const FOLDERS = [
  { id: 'inbox', name: 'Inbox', folder: 'inbox' },
  { id: 'junkemail', name: 'Junk Email', folder: 'junk' },
] as const;

export async function findCodeGraph(
  config: GraphConfig,
  options: ResolvedOptions,
  request: FindCodeRequest,
  operation: OperationOptions = {},
): Promise<FindCodeResult> {
  const pace = { firstMs: options.firstPollMs, maxMs: options.maxPollMs, factor: 2 };
  const since = new Date(request.since.getTime() - CLOCK_SKEW_MS).toISOString();
  const checked = new Set<string>();
  try {
    return await withHttp((dispatcher) => {
      let session: GraphSession | undefined;
      return pollForCode(request, 'graph', pace, operation.signal, async (_, signal) => {
        session ??= new GraphSession(config, options, dispatcher, signal);
        const retry = retryWithin(options.retry, request.deadline.getTime() - Date.now());
        for (const place of FOLDERS) {
          const found = await poll(session, place.id, request.code, since, checked, retry);
          if (!found) continue;
          if (request.removeWhenFound === true) await removeQuietly(session, found.id, retry);
          const { subject, receivedDateTime } = found;
          const authentication = parseAuthenticationResults(found.authenticationResults);
          const access = await checkAccess(session, config);
          return {
            access,
            subject,
            ...(receivedDateTime === undefined ? {} : { receivedAt: receivedDateTime }),
            folder: place.folder,
            folderName: place.name,
            ...(Object.keys(authentication).length > 0 ? { authentication } : {}),
          };
        }
        return undefined;
      });
    });
  } catch (error) {
    return notFound(
      asGraphError(error, 'search').failure,
      FOLDERS.map((place) => place.name),
    );
  }
}

/** Throttling is waited out only while the deadline allows; past it, `throttled` is reported. */
function retryWithin(policy: RetryPolicy, leftMs: number): RetryPolicy {
  return { ...policy, maxDelayMs: Math.max(0, Math.min(policy.maxDelayMs, leftMs)) };
}

async function poll(
  session: GraphSession,
  folder: string,
  code: string,
  since: string,
  checked: Set<string>,
  retry: RetryPolicy,
): Promise<Listed | undefined> {
  let path: string | undefined = `/mailFolders/${folder}/messages`;
  let query: Record<string, string> | undefined = {
    $filter: `receivedDateTime ge ${since}`,
    $select: 'subject,receivedDateTime,internetMessageHeaders',
    $orderby: 'receivedDateTime desc',
    $top: String(session.options.pageSize),
  };
  for (let page = 0; page < session.options.maxPages && path !== undefined; page += 1) {
    const response = await session.call({
      path,
      ...(query ? { query } : {}),
      stage: 'search',
      need: 'Mail.Read',
      ok: [200],
      retry,
    });
    const { messages, nextLink } = parsePage(response);
    let reachedChecked = false;
    for (const message of messages) {
      if (checked.has(message.id)) {
        reachedChecked = true;
        continue;
      }
      checked.add(message.id);
      if (subjectHasCode(message.subject, code)) return message;
    }
    path = reachedChecked || nextLink === undefined ? undefined : session.graphLink(nextLink);
    query = undefined;
  }
  return undefined;
}

/** The Authentication-Results values of a message's internetMessageHeaders. */
function authenticationResultsOf(headers: unknown): string[] {
  if (!Array.isArray(headers)) return [];
  return (headers as unknown[]).flatMap((header) => {
    const { name, value } = (header ?? {}) as { name?: unknown; value?: unknown };
    return typeof name === 'string' &&
      name.toLowerCase() === 'authentication-results' &&
      typeof value === 'string'
      ? [value]
      : [];
  });
}

function parsePage(response: HttpResponse): { messages: Listed[]; nextLink?: string } {
  const body = response.json as { value?: unknown; '@odata.nextLink'?: unknown } | null | undefined;
  if (!Array.isArray(body?.value)) {
    throw unexpectedAnswer('search', 'Microsoft Graph listed the Inbox without a message array');
  }
  const messages: Listed[] = [];
  for (const item of body.value as unknown[]) {
    const entry = item as {
      id?: unknown;
      subject?: unknown;
      receivedDateTime?: unknown;
      internetMessageHeaders?: unknown;
    } | null;
    if (typeof entry?.id !== 'string') continue;
    messages.push({
      id: entry.id,
      subject: typeof entry.subject === 'string' ? entry.subject : '',
      authenticationResults: authenticationResultsOf(entry.internetMessageHeaders),
      ...(typeof entry.receivedDateTime === 'string'
        ? { receivedDateTime: entry.receivedDateTime }
        : {}),
    });
  }
  const next = body['@odata.nextLink'];
  return { messages, ...(typeof next === 'string' ? { nextLink: next } : {}) };
}

/**
 * Moves the message to Deleted Items (needs Mail.ReadWrite). The code was found, which is what
 * verification asks; a refused or failed clean-up is not a verification failure, so it is skipped.
 */
async function removeQuietly(session: GraphSession, id: string, retry: RetryPolicy): Promise<void> {
  try {
    await session.call({
      method: 'DELETE',
      path: `/messages/${encodeURIComponent(id)}`,
      stage: 'search',
      need: 'Mail.ReadWrite',
      ok: [204],
      retry,
    });
  } catch {
    // Not fatal: see above.
  }
}
