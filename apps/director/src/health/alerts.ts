// Alerts: a profile (or the Director's own sender) that gains a health issue is announced once,
// by email through the Director's Email Settings and/or by a signed webhook. An issue that goes
// away re-arms its alert. A never-verified actor is not news; a failed verification is.
import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type HealthIssue,
  type HealthSettings,
} from '@email-profiles/core';
import type { Logger } from 'pino';
import type { MailEndpoints } from '../config.js';
import { loadMailSettings, type Conn } from '../db/index.js';
import { directorTransport } from '../mail/sender.js';
import type { Vault } from '../secrets/vault.js';

export type Alert = {
  /** The profile, or null for the Director's own sender (Email Settings). */
  profile: { id: string; emailAddress: string; serverType: string } | null;
  /** The issues that are new since the last alert. */
  issues: HealthIssue[];
  /** Every issue it has now. */
  current: HealthIssue[];
  at: string;
  /** Where to look, when the Director knows its public URL. */
  url?: string;
};

export type AlertDeps = {
  db: Conn;
  vault: Vault;
  log: Logger;
  endpoints?: MailEndpoints;
  /** Waits between webhook attempts (a 5xx, 429 or no answer); the last is the last try. */
  webhookRetryMs: readonly number[];
  webhookTimeoutMs: number;
  /** The Director stopping: waits and requests end at once. */
  signal: AbortSignal;
};

/**
 * One line of at most `max` characters: an issue may quote what an actor reported (a failure's
 * summary), which must not add lines to an email or a chat message, nor split a character.
 */
function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

/** The issues that alert (not a never-verified actor), each message on one line. */
export function alertingIssues(issues: readonly HealthIssue[]): HealthIssue[] {
  return issues
    .filter((issue) => issue.kind !== 'unverified')
    .map((issue) => ({ ...issue, message: oneLine(issue.message) }));
}

function subjectOf(alert: Alert): string {
  const first = alert.issues[0];
  const what = alert.profile ? alert.profile.emailAddress : 'Email Settings';
  const more = alert.issues.length > 1 ? ` (+${alert.issues.length - 1} more)` : '';
  return oneLine(`Email Profiles: ${what}: ${first?.message ?? 'health changed'}${more}`, 200);
}

function textOf(alert: Alert): string {
  const lines = [
    alert.profile
      ? `Profile ${alert.profile.emailAddress} (${alert.profile.serverType}) needs attention:`
      : "The Director's own Email Settings need attention:",
    '',
    ...alert.issues.map(
      (issue) => `- ${issue.severity === 'critical' ? 'CRITICAL' : 'Warning'}: ${issue.message}`,
    ),
  ];
  const others = alert.current.filter((issue) => !alert.issues.includes(issue));
  if (others.length > 0)
    lines.push('', 'Also still:', ...others.map((issue) => `- ${issue.message}`));
  if (alert.url) lines.push('', `Open: ${alert.url}`);
  lines.push('', `Sent by the Email Profiles Director at ${alert.at}.`);
  return lines.join('\n');
}

/** HMAC-SHA256 of `${timestamp}.${body}` with the signing secret, as receivers check it. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** POSTs the alert, retrying with back-off on a 5xx, 429 or no answer; true once accepted. */
async function postWebhook(deps: AlertDeps, url: string, secret: string, alert: Alert) {
  // Bounded by its parts: a few issues of one sentence each, names the schemas bound.
  // One id for every try, so a receiver can drop a retry of a call that did arrive.
  const body = JSON.stringify({ event: 'profile.health', id: randomUUID(), ...alert });
  for (let attempt = 0; ; attempt += 1) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    let retry: boolean;
    let outcome: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
          [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(secret, timestamp, body),
        },
        body,
        redirect: 'manual', // the alert goes to the URL entered, nowhere else
        signal: AbortSignal.any([deps.signal, AbortSignal.timeout(deps.webhookTimeoutMs)]),
      });
      await response.body?.cancel();
      if (response.ok) return true;
      retry = response.status >= 500 || response.status === 429;
      outcome = `HTTP ${response.status}`;
    } catch (error) {
      retry = true;
      outcome = (error as Error).name === 'TimeoutError' ? 'no answer' : (error as Error).message;
    }
    const wait = deps.webhookRetryMs[attempt];
    if (!retry || wait === undefined || deps.signal.aborted) {
      deps.log.warn({ outcome, attempts: attempt + 1 }, 'health webhook not delivered');
      return false;
    }
    try {
      await sleep(wait, undefined, { signal: deps.signal });
    } catch {
      return false; // stopping
    }
  }
}

async function sendEmails(deps: AlertDeps, to: readonly string[], alert: Alert) {
  const settings = loadMailSettings(deps.db, deps.vault);
  if (!settings) {
    deps.log.warn('health alert email not sent: the Director has no Email Settings');
    return;
  }
  const transport = directorTransport(settings, deps.endpoints);
  for (const address of to) {
    if (deps.signal.aborted) return;
    const message = {
      from: settings.fromAddress,
      fromName: 'Email Profiles',
      to: address,
      subject: subjectOf(alert),
      text: textOf(alert),
    };
    const sent = await transport.send(message, { signal: deps.signal });
    if (!sent.ok) deps.log.warn({ reason: sent.failure.summary }, 'health alert email not sent');
  }
}

/** Sends one alert everywhere the settings say; never throws. */
export async function deliverAlert(deps: AlertDeps, settings: HealthSettings, alert: Alert) {
  const work: Promise<unknown>[] = [];
  if (settings.alertEmails.length > 0) work.push(sendEmails(deps, settings.alertEmails, alert));
  if (settings.webhookUrl && settings.webhookSecret) {
    work.push(postWebhook(deps, settings.webhookUrl, settings.webhookSecret, alert));
  }
  const results = await Promise.allSettled(work);
  for (const result of results) {
    if (result.status === 'rejected') deps.log.warn({ err: result.reason }, 'health alert failed');
  }
}
