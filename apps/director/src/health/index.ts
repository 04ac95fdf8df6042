// Mailbox health, put together: once a minute (and whenever a test says) the scheduler starts
// the verifications that are due, then every profile's health is read (core's profileHealth) and
// what is new is alerted. The clock is the Director's own unless a test gives one. Alerts are
// delivered beside the ticks (a webhook's retries take minutes) and cut short by stop().
import {
  profileHealth,
  senderHealth,
  type HealthIssue,
  type HealthSettings,
} from '@email-profiles/core';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import {
  getProfileHealth,
  getPublicMailSettings,
  loadHealthSettings,
  senderAlerted,
  setProfileHealth,
  setSenderAlerted,
  type Conn,
} from '../db/index.js';
import { profileList } from '../routers/profile-list.js';
import type { Vault } from '../secrets/vault.js';
import type { Verification } from '../verification/verification.js';
import { alertingIssues, deliverAlert, type Alert, type AlertDeps } from './alerts.js';
import { runSchedule } from './scheduler.js';

export type HealthTiming = {
  /** How often the schedule and the alerts are looked at. */
  tickMs: number;
  webhookRetryMs: readonly number[];
  webhookTimeoutMs: number;
};

export const defaultHealthTiming: HealthTiming = {
  tickMs: 60_000,
  webhookRetryMs: [1_000, 5_000, 30_000, 120_000],
  webhookTimeoutMs: 10_000,
};

export type HealthDeps = {
  db: Conn;
  vault: Vault;
  log: Logger;
  config: Config;
  verification: Pick<Verification, 'verify'>;
  clock?: () => number;
  random?: () => number;
};

/**
 * What an alert is remembered by: the kind and its severity, so an expiry that turns critical
 * (7 days left) is news again.
 */
const alertKey = (issue: HealthIssue) => `${issue.kind}:${issue.severity}`;

export class Health {
  private readonly timing: HealthTiming;
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();
  private readonly delivering = new Set<Promise<void>>();
  private readonly alertDeps: AlertDeps;

  constructor(
    private readonly deps: HealthDeps,
    timing: Partial<HealthTiming> = {},
  ) {
    this.timing = { ...defaultHealthTiming, ...timing };
    this.clock = deps.clock ?? Date.now;
    this.alertDeps = {
      db: deps.db,
      vault: deps.vault,
      log: deps.log,
      endpoints: deps.config.mailEndpoints,
      webhookRetryMs: this.timing.webhookRetryMs,
      webhookTimeoutMs: this.timing.webhookTimeoutMs,
      signal: this.stopping.signal,
    };
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.timing.tickMs);
    this.timer.unref();
  }

  /** Stops the ticks and cuts short the alerts being delivered (their retries' waits). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping.abort();
    await Promise.allSettled(this.delivering);
  }

  /**
   * Runs what is due now (synchronously: two ticks never interleave); resolves once this tick's
   * alerts are delivered or given up.
   */
  tick(): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.resolve();
    let evaluated: { alerts: Alert[]; settings: HealthSettings };
    try {
      evaluated = this.evaluate();
    } catch (error) {
      this.deps.log.error({ err: error }, 'health check failed');
      return Promise.resolve();
    }
    const { alerts, settings } = evaluated;
    const delivery = Promise.all(
      alerts.map((alert) => deliverAlert(this.alertDeps, settings, alert)),
    ).then(() => undefined);
    this.delivering.add(delivery);
    void delivery.finally(() => this.delivering.delete(delivery));
    return delivery;
  }

  private evaluate(): { alerts: Alert[]; settings: HealthSettings } {
    const { db, vault, log } = this.deps;
    const now = this.clock();
    const settings = loadHealthSettings(db, vault);
    runSchedule(
      { db, log, verification: this.deps.verification, random: this.deps.random ?? Math.random },
      profileList(db),
      settings.defaultSchedule,
      now,
    );
    const at = new Date(now).toISOString();
    const alerts: Alert[] = [];
    // Read again: the runs just started are in progress now (only their rows are re-read).
    for (const item of profileList(db)) {
      // While a verification runs its actors' outcome is unknown: judged once it has ended.
      if (item.actors.some((actor) => actor.status === 'in_progress')) continue;
      const current = alertingIssues(profileHealth(item, settings.defaultSchedule, now));
      const fresh = newIssues(getProfileHealth(db, item.profile.id).alerted, current);
      if (fresh === undefined) continue;
      setProfileHealth(db, item.profile.id, { alerted: current.map(alertKey) });
      const { id, emailAddress, serverType } = item.profile;
      if (fresh.length > 0) {
        const url = this.link(`/settings/email-actions/${id}/history`);
        alerts.push({
          profile: { id, emailAddress, serverType },
          issues: fresh,
          current,
          at,
          ...url,
        });
      }
    }
    const mail = getPublicMailSettings(db);
    const senderIssues = alertingIssues(mail ? senderHealth(mail, now) : []);
    const freshSender = newIssues(senderAlerted(db), senderIssues);
    if (freshSender !== undefined) {
      setSenderAlerted(db, vault, senderIssues.map(alertKey));
      if (freshSender.length > 0) {
        const url = this.link('/settings/email');
        alerts.push({ profile: null, issues: freshSender, current: senderIssues, at, ...url });
      }
    }
    return { alerts, settings };
  }

  private link(path: string): { url?: string } {
    const base = this.deps.config.publicUrl;
    return base ? { url: new URL(path, base).toString() } : {};
  }
}

/** The issues not alerted before; undefined when the alerted set is unchanged. */
function newIssues(alerted: readonly string[], current: HealthIssue[]): HealthIssue[] | undefined {
  const keys = current.map(alertKey);
  if (keys.length === alerted.length && keys.every((key) => alerted.includes(key))) {
    return undefined;
  }
  return current.filter((issue) => !alerted.includes(alertKey(issue)));
}
