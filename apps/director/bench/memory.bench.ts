// Benchmark: the Director's resident memory with 1,000 profiles × 20 actors and 200 actors
// connected through the real HTTP API (long-polling actorApi.nextTasks, heartbeating every 10 s).
// Budget (issue 5): ≤ 200 MB. The Director runs as its own process, as `npm start` runs it.
//   pnpm --filter @email-profiles/director bench:memory
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMasterKey } from '../src/secrets/vault.js';
import { startDirectorProcess } from './director-process.js';
import { enrollActors, operatorOf, seedProfiles } from './seed.js';
import { SimulatedActor, ownAddress } from './simulated-actor.js';

const PROFILES = 1000;
const ACTORS = 200;
const ACTORS_PER_PROFILE = 20;
/** Longer than one long-poll (25 s) and two heartbeats. */
const CONNECTED_MS = Number(process.env.BENCH_CONNECTED_S ?? 40) * 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (value: number) => `${value.toFixed(0)} MB`;

const dataDir = mkdtempSync(join(tmpdir(), 'director-memory-'));
loadMasterKey({ dataDir }); // the key file, before the Director and the seeding share it
const director = await startDirectorProcess(dataDir);
const simulated: SimulatedActor[] = [];
try {
  const rows: [string, string, string][] = [];
  const record = (phase: string) => {
    const { rss, peak } = director.memory();
    rows.push([phase, mb(rss), mb(peak)]);
  };
  record('started, empty database');

  const operator = await operatorOf(director.url);
  const actors = await enrollActors(director.url, operator, ACTORS);
  const now = new Date().toISOString();
  seedProfiles(
    dataDir,
    PROFILES,
    (i) =>
      Array.from(
        { length: ACTORS_PER_PROFILE },
        (_, k) => actors[(i * ACTORS_PER_PROFILE + k) % ACTORS]?.id ?? '',
      ),
    undefined,
    (profile, k) =>
      k % 2 === 0
        ? {
            status: 'verified',
            verifiedAt: now,
            attempt: {
              id: `a-${profile.id}-${k}`,
              mode: 'automatic',
              code: profile.manualCode,
              requestedAt: now,
              deadlineAt: now,
              retries: 0,
            },
          }
        : undefined,
  );
  await operator.profiles.list.query();
  record(`${PROFILES} profiles × ${ACTORS_PER_PROFILE} actors, listed once, no actor connected`);

  for (const [i, actor] of actors.entries()) {
    const client = new SimulatedActor(director.url, actor.token, { localAddress: ownAddress(i) });
    simulated.push(client);
    client.start();
  }
  let steadyMax = 0;
  const samples: number[] = [];
  const started = Date.now();
  while (Date.now() - started < CONNECTED_MS) {
    await sleep(500);
    const { rss } = director.memory();
    samples.push(rss);
    steadyMax = Math.max(steadyMax, rss);
    // An operator's browser refreshes the profiles table now and then.
    if (samples.length % 20 === 0) await operator.profiles.list.query();
  }
  const { peak } = director.memory();
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)] ?? Number.NaN;
  rows.push([
    `${ACTORS} actors long-polling and heartbeating for ${CONNECTED_MS / 1000} s (median / max sampled)`,
    `${mb(median)} / ${mb(steadyMax)}`,
    mb(peak),
  ]);
  const errors = simulated.flatMap((client) => client.errors);
  if (errors.length > 0) {
    console.error(`${errors.length} actor API errors, the first:`, errors[0]);
  }

  console.log(
    `Director resident memory (its own process, node --max-semi-space-size=1 apps/launcher/dist/email-profiles.mjs, as npm start runs it; ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, budget 200 MB)\n`,
  );
  console.log('| phase | RSS | peak RSS so far |');
  console.log('| --- | --- | --- |');
  for (const [phase, rss, peakRss] of rows) console.log(`| ${phase} | ${rss} | ${peakRss} |`);
} finally {
  await Promise.allSettled(simulated.map((client) => client.stop()));
  await director.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
