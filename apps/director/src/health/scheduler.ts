// Scheduled re-verification: each profile with a schedule (its own or the Director's default) is
// verified again one interval after its last success or scheduled run, less a random part of the
// spread (core's nextScheduledRun), so profiles saved together do not verify at once. The next run
// is stored, so a restart keeps the schedule; a changed interval is planned again.
import {
  nextScheduledRun,
  scheduleHours,
  type ProfileListItem,
  type Schedule,
} from '@email-profiles/core';
import type { Logger } from 'pino';
import {
  getProfileHealth,
  lastVerifiedOfProfile,
  listProfileHealth,
  setProfileHealth,
  type Conn,
} from '../db/index.js';
import { DomainError } from '../domain-error.js';
import type { Verification } from '../verification/verification.js';

export type SchedulerDeps = {
  db: Conn;
  log: Logger;
  verification: Pick<Verification, 'verify'>;
  random: () => number;
};

const HOUR_MS = 3_600_000;

/**
 * Verifies every due profile of `profiles` (profiles.list's rows: read once per change, not per
 * tick) at `now` and plans the next runs; returns the profiles started.
 */
export function runSchedule(
  deps: SchedulerDeps,
  profiles: readonly ProfileListItem[],
  defaultSchedule: Schedule,
  now: number,
): string[] {
  const { db, log, verification, random } = deps;
  const started: string[] = [];
  const planned = new Set<string>();
  for (const { profile } of profiles) {
    const hours = profile.sendVerificationManually
      ? null // nobody sends the coded email of a manual profile on a schedule
      : scheduleHours(profile.schedule, defaultSchedule);
    if (hours === null) continue;
    planned.add(profile.id);
    const row = getProfileHealth(db, profile.id);
    const nextRunAt = row.nextRunAt === null ? Number.NaN : Date.parse(row.nextRunAt);
    const spread = Math.min((hours * HOUR_MS) / 10, HOUR_MS);
    if (Number.isNaN(nextRunAt) || row.scheduledHours !== hours) {
      // New or changed schedule: one interval after the last success, or a spread from now.
      const last = lastVerifiedOfProfile(db, profile.id);
      const next =
        last === null
          ? now + random() * spread
          : Math.max(nextScheduledRun(Date.parse(last), hours, random()), now + random() * spread);
      setProfileHealth(db, profile.id, {
        nextRunAt: new Date(next).toISOString(),
        scheduledHours: hours,
      });
      continue;
    }
    if (nextRunAt > now) continue;
    let next: number;
    try {
      verification.verify({ profileId: profile.id });
      started.push(profile.id);
      next = nextScheduledRun(now, hours, random());
    } catch (error) {
      // Not startable now (no actor online, no Email Settings): tried again within the spread,
      // not a whole interval later; the profile turns stale meanwhile, which the alerts say.
      if (!(error instanceof DomainError)) throw error;
      log.warn(
        { profileId: profile.id, reason: error.message },
        'scheduled verification not started',
      );
      next = now + spread / 2 + random() * (spread / 2);
    }
    setProfileHealth(db, profile.id, { nextRunAt: new Date(next).toISOString() });
  }
  for (const row of listProfileHealth(db)) {
    if (row.nextRunAt !== null && !planned.has(row.profileId)) {
      setProfileHealth(db, row.profileId, { nextRunAt: null, scheduledHours: null });
    }
  }
  return started;
}
