import { describe, expect, it } from 'vitest';
import { explainFailure, transportErrorCodes } from '../failures/taxonomy.js';
import { productFailures } from '../failures/product.js';
import type { AttemptRecord } from '../schemas/verification-api.js';
import { attemptChain, describeDelivery, type ChainLinkStatus } from './chain.js';
import { reduceActor } from './machine.js';

const requestedAt = '2026-12-03T10:00:00.000Z';
const sent = {
  at: '2026-12-03T10:00:00.300Z',
  via: 'mail.example.com:587',
  response: '250 2.0.0 Ok: queued as 4F2A1',
};

const record = (changes: Partial<AttemptRecord>): AttemptRecord => ({
  attemptId: 'att-1',
  actorId: 'a1',
  mode: 'automatic',
  requestedAt,
  outcome: 'failed',
  ...changes,
});

const statuses = (attempt: AttemptRecord): Record<string, ChainLinkStatus> =>
  Object.fromEntries(attemptChain(attempt).map((step) => [step.link, step.status]));

describe('attemptChain', () => {
  it('draws a verified attempt link by link, with the server, its reply and where it landed', () => {
    const chain = attemptChain(
      record({
        outcome: 'verified',
        endedAt: '2026-12-03T10:00:01.500Z',
        sent,
        receivedAt: '2026-12-03T10:00:00.400Z',
        delivery: {
          folder: 'junk',
          folderName: 'Junk',
          latencyMs: 900,
          authentication: { spf: 'pass', dmarc: 'fail' },
        },
      }),
    );
    expect(chain.map((step) => step.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(chain[0]).toMatchObject({
      at: sent.at,
      text: `mail.example.com:587 · ${sent.response}`,
    });
    expect(chain[1]).toMatchObject({ at: '2026-12-03T10:00:00.400Z' });
    expect(chain[4]?.text).toBe("Junk · 0.9 s after the Director's submit · SPF pass, DMARC fail");
  });

  it('stops at the sending for a Director-side failure, and never reaches the actor', () => {
    const failure = explainFailure({
      stage: 'auth',
      protocol: 'smtp',
      origin: 'director',
      serverText: '535 5.7.8 Error',
    });
    expect(statuses(record({ failure }))).toEqual({
      sent: 'failed',
      received: 'not_reached',
      opened: 'not_reached',
      searched: 'not_reached',
      found: 'not_reached',
    });
    expect(attemptChain(record({ failure }))[0]?.text).toContain('535 5.7.8 Error');
  });

  it('stops at the mailbox for the actor failing to log in', () => {
    const failure = explainFailure({
      stage: 'auth',
      protocol: 'imap',
      serverText: 'NO [AUTHENTICATIONFAILED]',
    });
    expect(statuses(record({ failure, sent, receivedAt: sent.at }))).toMatchObject({
      sent: 'done',
      received: 'done',
      opened: 'failed',
      searched: 'not_reached',
    });
  });

  it('shows the folders searched when the email did not arrive in time', () => {
    const failure = explainFailure({
      stage: 'timeout',
      errorCode: transportErrorCodes.codeNotFound,
    });
    expect(failure.origin).toBe('delivery');
    const chain = attemptChain(
      record({ failure, sent, receivedAt: sent.at, searched: ['INBOX', 'Junk'] }),
    );
    expect(chain.map((step) => step.status)).toEqual(['done', 'done', 'done', 'done', 'failed']);
    expect(chain[3]?.text).toBe('INBOX, Junk');
  });

  it('stops where it had got to when cancelled, or when the actor was never online', () => {
    const cancelled = explainFailure({ stage: 'timeout', errorCode: transportErrorCodes.aborted });
    expect(statuses(record({ failure: cancelled, sent }))).toMatchObject({
      sent: 'done',
      received: 'failed',
    });
    const offline = explainFailure({
      stage: 'timeout',
      errorCode: transportErrorCodes.actorOffline,
    });
    expect(statuses(record({ failure: offline, sent }))).toMatchObject({
      received: 'failed',
      opened: 'not_reached',
    });
    const wrong = productFailures.actorReportedWrongMessage();
    expect(statuses(record({ failure: wrong, sent, receivedAt: sent.at }))).toMatchObject({
      searched: 'failed',
    });
  });

  it('says the email was sent by hand in manual mode, and waits on links not reached yet', () => {
    expect(
      statuses(record({ mode: 'manual', outcome: 'in_progress', receivedAt: requestedAt })),
    ).toEqual({
      sent: 'by_hand',
      received: 'done',
      opened: 'waiting',
      searched: 'waiting',
      found: 'waiting',
    });
  });

  it('agrees with the state machine on a deadline reached before the email was sent', () => {
    const attempt = {
      id: 'att-1',
      mode: 'automatic' as const,
      code: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      requestedAt,
      deadlineAt: '2026-12-03T10:02:00.000Z',
      retries: 0,
    };
    const next = reduceActor(
      { status: 'requested', attempt },
      { type: 'timed_out', attemptId: 'att-1', at: attempt.deadlineAt },
    );
    if (!next.ok || next.state.status !== 'failed') throw new Error('expected a failure');
    expect(statuses(record({ failure: next.state.failure }))).toMatchObject({
      sent: 'failed',
      received: 'not_reached',
    });
  });
});

describe('describeDelivery', () => {
  it('names the folder alone when nothing else is known', () => {
    expect(describeDelivery({ folder: 'inbox' })).toBe('Inbox');
  });
});
