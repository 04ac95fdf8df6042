// Mailbox health, put together: once a minute (and whenever a test says) the scheduler starts
// the verifications that are due, then every profile's health is read (core's profileHealth) and
// what is new is alerted. The clock is the Director's own unless a test gives one.
import { profileHealth, senderHealth, type HealthIssue } from '@email-profiles/core';
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
import { alerting, deliverAlert, type Alert, type AlertDeps } from './alerts.js';
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

export class Health {
  private readonly timing: HealthTiming;
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
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
    };
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.timing.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs what is due now; resolves once its alerts are delivered (or given up). */
  tick(): Promise<void> {
    this.running ??= this.runOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runOnce(): Promise<void> {
    const { db, vault, log } = this.deps;
    const now = this.clock();
    const settings = loadHealthSettings(db, vault);
    try {
      runSchedule(
        { db, log, verification: this.deps.verification, random: this.deps.random ?? Math.random },
        settings.defaultSchedule,
        now,
      );
    } catch (error) {
      log.error({ err: error }, 'scheduled verification failed');
    }
    const at = new Date(now).toISOString();
    const alerts: Alert[] = [];
    for (const item of profileList(db)) {
      const current = profileHealth(item, settings.defaultSchedule, now).filter(alerting);
      const fresh = this.newIssues(getProfileHealth(db, item.profile.id).alerted, current);
      if (fresh === undefined) continue;
      setProfileHealth(db, item.profile.id, { alerted: current.map((issue) => issue.kind) });
      const { id, emailAddress, serverType } = item.profile;
      if (fresh.length > 0) {
        alerts.push({
          profile: { id, emailAddress, serverType },
          issues: fresh,
          current,
          at,
          ...this.link(`/profiles/${id}/history`),
        });
      }
    }
    const mail = getPublicMailSettings(db);
    const senderIssues = mail ? senderHealth(mail, now) : [];
    const freshSender = this.newIssues(senderAlerted(db), senderIssues);
    if (freshSender !== undefined) {
      setSenderAlerted(
        db,
        vault,
        senderIssues.map((issue) => issue.kind),
      );
      if (freshSender.length > 0) {
        alerts.push({
          profile: null,
          issues: freshSender,
          current: senderIssues,
          at,
          ...this.link('/settings/email'),
        });
      }
    }
    await Promise.all(alerts.map((alert) => deliverAlert(this.alertDeps, settings, alert)));
  }

  /** The issues not alerted before; undefined when the alerted set is unchanged. */
  private newIssues(alerted: readonly string[], current: HealthIssue[]): HealthIssue[] | undefined {
    const kinds = current.map((issue) => issue.kind);
    if (kinds.length === alerted.length && kinds.every((kind) => alerted.includes(kind))) {
      return undefined;
    }
    return current.filter((issue) => !alerted.includes(issue.kind));
  }

  private link(path: string): { url?: string } {
    const base = this.deps.config.publicUrl;
    return base ? { url: new URL(path, base).toString() } : {};
  }
}
