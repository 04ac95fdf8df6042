// The chain of one verification attempt, link by link: the Director sends the coded email, the
// actor takes the task, opens the mailbox, searches it and finds the email. Derived from what the
// Director recorded of the attempt, so the history and "Why?" show every attempt the same way.
import { mailFolderLabels, type Delivery } from '../transport/delivery.js';
import type { Failure } from '../failures/taxonomy.js';
import type { AttemptRecord } from '../schemas/verification-api.js';

export const CHAIN_LINKS = ['sent', 'received', 'opened', 'searched', 'found'] as const;
export type ChainLink = (typeof CHAIN_LINKS)[number];

export const chainLinkLabels: Record<ChainLink, string> = {
  sent: 'Sent by the Director',
  received: 'Task received by the actor',
  opened: 'Mailbox opened',
  searched: 'Searched',
  found: 'Found',
};

/**
 * done: this link held; failed: the attempt stopped here; waiting: the attempt is still running
 * and has not got here yet; not_reached: the attempt ended before; by_hand: manual mode's sending.
 */
export type ChainLinkStatus = 'done' | 'failed' | 'waiting' | 'not_reached' | 'by_hand';

export type ChainStep = {
  link: ChainLink;
  status: ChainLinkStatus;
  at?: string;
  /** What is known at this link: the server and its reply, the folders, where it landed, why. */
  text?: string;
};

/**
 * The link at which a failure stopped the attempt; undefined for those that stop it wherever it
 * had got to (cancelled, the deadline, the actor lost on the way).
 */
export function failedLink(failure: Failure): ChainLink | undefined {
  if (failure.origin === 'director') return 'sent';
  if (failure.origin === 'delivery') return 'found';
  if (failure.signal === 'actor-offline') return 'received';
  if (failure.signal === 'aborted' || failure.signal === 'actor-lost') return undefined;
  if (failure.stage === 'timeout' && failure.signal === undefined) return undefined;
  if (failure.stage === 'search') return 'searched';
  // Every other stage (dns … throttled, a timeout while connecting) is met opening the mailbox.
  return 'opened';
}

/** "Junk · 1.2 s after the Director's submit · SPF pass, DKIM none, DMARC fail" */
export function describeDelivery(delivery: Delivery): string {
  const verdicts = delivery.authentication
    ? (['spf', 'dkim', 'dmarc'] as const)
        .flatMap((method) => {
          const verdict = delivery.authentication?.[method];
          return verdict === undefined ? [] : [`${method.toUpperCase()} ${verdict}`];
        })
        .join(', ')
    : '';
  return [
    delivery.folderName ?? mailFolderLabels[delivery.folder],
    delivery.latencyMs === undefined
      ? ''
      : `${(delivery.latencyMs / 1000).toFixed(1)} s after the Director's submit`,
    verdicts,
  ]
    .filter((part) => part !== '')
    .join(' · ');
}

export function attemptChain(record: AttemptRecord): ChainStep[] {
  // What the Director saw happen; the mailbox's opening is known only from what came after it.
  const seen: Record<ChainLink, boolean> = {
    sent: record.sent !== undefined || record.mode === 'manual',
    received: record.receivedAt !== undefined,
    opened: record.searched !== undefined || record.delivery !== undefined,
    searched: record.searched !== undefined || record.delivery !== undefined,
    found: record.delivery !== undefined,
  };
  const firstUnseen = CHAIN_LINKS.findIndex((link) => !seen[link]);
  const stop = record.failure
    ? CHAIN_LINKS.indexOf(failedLink(record.failure) ?? CHAIN_LINKS[firstUnseen] ?? 'found')
    : record.outcome === 'verified'
      ? CHAIN_LINKS.length
      : firstUnseen;
  return CHAIN_LINKS.map((link, index): ChainStep => {
    const step = { link, ...detailOf(record, link) };
    if (index < stop) {
      return { ...step, status: link === 'sent' && record.mode === 'manual' ? 'by_hand' : 'done' };
    }
    if (index === stop && record.failure) {
      return { ...step, status: 'failed', text: failureText(record.failure, step.text) };
    }
    return { link, status: record.outcome === 'in_progress' ? 'waiting' : 'not_reached' };
  });
}

function detailOf(record: AttemptRecord, link: ChainLink): { at?: string; text?: string } {
  switch (link) {
    case 'sent':
      if (record.mode === 'manual') return { text: 'Manual mode: the email is sent by hand' };
      if (!record.sent) return {};
      return { at: record.sent.at, ...textOf([record.sent.via, record.sent.response]) };
    case 'received':
      return record.receivedAt ? { at: record.receivedAt } : {};
    case 'opened':
      return {};
    case 'searched':
      return textOf([record.searched?.join(', ')]);
    case 'found':
      return record.delivery
        ? {
            ...(record.endedAt ? { at: record.endedAt } : {}),
            text: describeDelivery(record.delivery),
          }
        : {};
  }
}

function textOf(parts: ReadonlyArray<string | undefined>): { text?: string } {
  const text = parts.filter(Boolean).join(' · ');
  return text === '' ? {} : { text };
}

function failureText(failure: Failure, known: string | undefined): string {
  return [failure.summary, failure.serverText, known].filter(Boolean).join(' · ');
}
