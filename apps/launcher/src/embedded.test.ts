// npm start's launcher: the Director with a local actor enrolled through the real API on first
// start, and the same actor (its credential in the data directory) on the next.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig } from '@email-profiles/director';
import { ADMIN, browserTab } from '@email-profiles/director/testing';
import { LOCAL_CREDENTIAL_FILE, LOCAL_ZONE, startEmbedded } from './embedded.js';

const dataDir = mkdtempSync(join(tmpdir(), 'launcher-embedded-'));
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const config = () => loadConfig({ EMAIL_PROFILES_PORT: '0', EMAIL_PROFILES_DATA_DIR: dataDir });

/** The actors list once every actor was seen after `since`. */
async function actorsSeen(url: string, setup: boolean, since = Date.now()) {
  const operator = browserTab(url).client;
  if (setup) await operator.auth.setup.mutate(ADMIN);
  else await operator.auth.login.mutate(ADMIN);
  for (let i = 0; i < 100; i += 1) {
    const list = await operator.actors.list.query();
    const seen = (at: string | null) => at !== null && Date.parse(at) >= since;
    if (list.length > 0 && list.every((actor) => seen(actor.lastSeenAt))) return list;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return operator.actors.list.query();
}

describe('the embedded Director with its local actor', () => {
  it('enrolls a local actor in zone "Local" once, keeps its credential 0600, and runs it', async () => {
    const first = await startEmbedded(config(), pino({ level: 'silent' }));
    try {
      const list = await actorsSeen(first.director.url, true);
      expect(list).toMatchObject([{ zoneName: LOCAL_ZONE, connection: 'online' }]);
      expect(statSync(join(dataDir, LOCAL_CREDENTIAL_FILE)).mode & 0o777).toBe(0o600);
    } finally {
      await first.stop();
    }
    // Started again (on another port): the same actor, not a second one.
    const restartedAt = Date.now();
    const second = await startEmbedded(config(), pino({ level: 'silent' }));
    try {
      const list = await actorsSeen(second.director.url, false, restartedAt);
      expect(list).toHaveLength(1);
      expect(Date.parse(list[0]!.lastSeenAt!)).toBeGreaterThanOrEqual(restartedAt);
    } finally {
      await second.stop();
    }
  });
});
