// Finding a verification code over POP3. A POP3 session sees the mailbox as it was at login, so
// each poll is a new session; messages are read newest first with `TOP n 0` (headers only) and
// the scan stops at the first message older than the start time or already checked by an
// earlier poll, so the cost follows new mail, not mailbox size.
import {
  decodeEncodedWords,
  parseAuthenticationResults,
  subjectHasCode,
  type FindCodeRequest,
  type FindCodeResult,
  type OperationOptions,
} from '@email-profiles/core';
import {
  CLOCK_SKEW_MS,
  StepRecorder,
  asTransportError,
  notFound,
  pollForCode,
  type ConnectionOptions,
  type FoundCode,
} from '@email-profiles/transport-net';
import { arrivalDate, parseHeaders } from './headers.js';
import { loginPop3, openPop3, stat, type Pop3Config, type Pop3Session } from './session.js';

const PACE = { firstMs: 500, maxMs: 5_000, factor: 1.5 };

export async function findCodePop3(
  config: Pop3Config,
  request: FindCodeRequest,
  options: OperationOptions & ConnectionOptions & { pollMs?: number } = {},
): Promise<FindCodeResult> {
  const checked = new Set<string>();
  const oldest = request.since.getTime() - CLOCK_SKEW_MS;
  const pace =
    options.pollMs === undefined
      ? PACE
      : { firstMs: options.pollMs, maxMs: options.pollMs, factor: 1 };
  try {
    return await pollForCode(request, 'pop3', pace, options.signal, (_, signal) =>
      poll(config, request, { ...options, signal }, checked, oldest),
    );
  } catch (error) {
    const failure = asTransportError(error, 'search', {
      protocol: 'pop3',
      host: config.host,
      port: config.port,
    }).failure;
    return notFound(failure, ['INBOX']);
  }
}

async function poll(
  config: Pop3Config,
  request: FindCodeRequest,
  options: ConnectionOptions,
  checked: Set<string>,
  oldest: number,
): Promise<FoundCode | undefined> {
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
        const authentication = parseAuthenticationResults(
          fields.get('authentication-results') ?? [],
        );
        return {
          subject,
          ...(arrived ? { receivedAt: arrived.toISOString() } : {}),
          // POP3 sees only the Inbox (where a server files Junk, POP3 cannot look).
          folder: 'inbox',
          folderName: 'INBOX',
          ...(Object.keys(authentication).length > 0 ? { authentication } : {}),
        };
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
