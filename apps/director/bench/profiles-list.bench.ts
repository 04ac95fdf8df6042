// Benchmark: profiles.list through the real HTTP server with 1,000 profiles × 20 actors, half of
// the actors verified. Budget (issue 5): p95 ≤ 50 ms. Prints a table.
//   pnpm --filter @email-profiles/director bench
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import {
  openDatabase,
  putActorVerification,
  saveProfile,
  setProfileActors,
} from '../src/db/index.js';
import { profileOf, seedActors } from '../src/db/test-support.js';
import { startDirector } from '../src/director.js';
import { browserTab } from '../src/routers/test-client.js';
import { Vault, loadMasterKey } from '../src/secrets/vault.js';

const PROFILES = Number(process.env.BENCH_PROFILES ?? 1000);
const ACTORS = 20;
const RUNS = 50;

const dataDir = mkdtempSync(join(tmpdir(), 'director-bench-'));
const config = loadConfig({
  EMAIL_PROFILES_PORT: '0',
  EMAIL_PROFILES_DATA_DIR: dataDir,
  EMAIL_PROFILES_LOG_LEVEL: 'silent',
});
const director = await startDirector(config, pino({ level: 'silent' }));
try {
  const seedStarted = performance.now();
  const store = openDatabase(director.databaseFile);
  const vault = new Vault(loadMasterKey({ dataDir }).key);
  const actorIds = seedActors(store, ACTORS);
  store.db.transaction((tx) => {
    for (let i = 0; i < PROFILES; i += 1) {
      const type = (['imap', 'pop3', 'graph', 'gmail'] as const)[i % 4] ?? 'imap';
      const profile = profileOf(type, actorIds, `p-${i}`);
      saveProfile(tx, vault, profile);
      setProfileActors(tx, profile.id, actorIds);
      for (const actorId of actorIds.slice(0, ACTORS / 2)) {
        putActorVerification(tx, profile.id, actorId, {
          status: 'verified',
          verifiedAt: new Date().toISOString(),
          attempt: {
            id: `a-${i}-${actorId}`,
            mode: 'automatic',
            code: profile.manualCode,
            requestedAt: new Date().toISOString(),
            deadlineAt: new Date().toISOString(),
            retries: 0,
          },
        });
      }
    }
  });
  store.close();
  const seedMs = performance.now() - seedStarted;

  const { client } = browserTab(director.url);
  await client.auth.setup.mutate({
    email: 'admin@example.test',
    password: 'correct horse battery',
  });
  const times: number[] = [];
  for (let i = 0; i < RUNS + 3; i += 1) {
    const started = performance.now();
    const list = await client.profiles.list.query();
    if (list.length !== PROFILES) throw new Error(`listed ${list.length} profiles`);
    if (i >= 3) times.push(performance.now() - started); // the first calls warm caches and JIT
  }
  times.sort((a, b) => a - b);
  const at = (q: number) =>
    (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN).toFixed(1);
  const rss = (process.memoryUsage().rss / 1024 / 1024).toFixed(0);
  console.log(
    `profiles.list over HTTP, ${PROFILES} profiles × ${ACTORS} actors, ${RUNS} calls (${new Date().toISOString().slice(0, 10)}, Node ${process.version})\n`,
  );
  console.log('| p50 | p95 | max | budget p95 | process RSS | seeding |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(
    `| ${at(0.5)} ms | ${at(0.95)} ms | ${at(1)} ms | 50 ms | ${rss} MB | ${(seedMs / 1000).toFixed(1)} s |`,
  );
} finally {
  await director.close();
  rmSync(dataDir, { recursive: true, force: true });
}
