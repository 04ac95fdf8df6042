// Benchmark: profiles.list through the real HTTP server with 1,000 profiles × 20 actors. Budget
// (issue 5): p95 ≤ 50 ms. Two mixes: half of the actors verified and half never verified; and
// the same with a quarter of them failed (each failure carries summary, hint and server text).
// Between calls: nothing; an actor heartbeat; Verify of one actor (a state the Director writes);
// a state written by another connection. Client and server share the process, so the CPU
// column is both sides of one call.
//   pnpm --filter @email-profiles/director bench
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { explainFailure, type ActorVerification } from '@email-profiles/core';
import { hashToken } from '../src/auth/session.js';
import { loadConfig } from '../src/config.js';
import {
  openDatabase,
  putActorVerification,
  saveProfile,
  setProfileActors,
} from '../src/db/index.js';
import { profileOf, seedActors } from '../src/db/test-support.js';
import { startDirector } from '../src/director.js';
import { rawRequest } from '../src/http-test-support.js';
import { actorClient, browserTab } from '../src/routers/test-client.js';
import { Vault, loadMasterKey } from '../src/secrets/vault.js';

const PROFILES = Number(process.env.BENCH_PROFILES ?? 1000);
const ACTORS = 20;
const RUNS = 50;
const FAILURES = [
  explainFailure({ stage: 'tcp', errorCode: 'ECONNREFUSED', host: 'mail.example.test', port: 993 }),
  explainFailure({
    stage: 'auth',
    protocol: 'imap',
    serverText: 'NO [AUTHENTICATIONFAILED] Authentication failed.',
  }),
  explainFailure({ stage: 'timeout', errorCode: 'CODE_NOT_FOUND' }),
];

type Mix = { name: string; failed: number };
const mixes: Mix[] = [
  { name: '½ verified, ½ unverified', failed: 0 },
  { name: '½ verified, ¼ failed, ¼ unverified', failed: ACTORS / 4 },
];

const at = (times: number[], q: number) =>
  (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN).toFixed(1);

async function run(mix: Mix): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'director-bench-'));
  const config = loadConfig({
    EMAIL_PROFILES_PORT: '0',
    EMAIL_PROFILES_DATA_DIR: dataDir,
    EMAIL_PROFILES_LOG_LEVEL: 'silent',
  });
  const director = await startDirector(config, pino({ level: 'silent' }));
  try {
    const store = openDatabase(director.databaseFile);
    const vault = new Vault(loadMasterKey({ dataDir }).key);
    const actorIds = seedActors(store, ACTORS);
    const now = new Date().toISOString();
    const attempt = (id: string, code: string) => ({
      id,
      mode: 'automatic' as const,
      code,
      requestedAt: now,
      deadlineAt: new Date(Date.now() + 3_600_000).toISOString(),
      retries: 0,
    });
    const manualCodes: string[] = [];
    store.db.transaction((tx) => {
      for (let i = 0; i < PROFILES; i += 1) {
        const type = (['imap', 'pop3', 'graph', 'gmail'] as const)[i % 4] ?? 'imap';
        const profile = profileOf(type, actorIds, `p-${i}`);
        manualCodes.push(profile.manualCode);
        saveProfile(tx, vault, profile);
        setProfileActors(tx, profile.id, actorIds);
        actorIds.slice(0, ACTORS / 2 + mix.failed).forEach((actorId, k) => {
          const stored: ActorVerification =
            k < ACTORS / 2
              ? {
                  status: 'verified',
                  verifiedAt: now,
                  attempt: attempt(`a-${i}-${k}`, profile.manualCode),
                }
              : {
                  status: 'failed',
                  failedAt: now,
                  attempt: attempt(`a-${i}-${k}`, profile.manualCode),
                  failure: FAILURES[(i + k) % FAILURES.length] ?? explainFailure({ stage: 'tcp' }),
                };
          putActorVerification(tx, profile.id, actorId, stored);
        });
      }
    });

    const tab = browserTab(director.url);
    const { client } = tab;
    await client.auth.setup.mutate({
      email: 'admin@example.test',
      password: 'correct horse battery',
    });
    const coldStarted = performance.now();
    const first = await client.profiles.list.query(); // validates every row
    const cold = performance.now() - coldStarted;
    const size = JSON.stringify(first).length / 1024 / 1024;
    // What a browser receives: gzipped (see src/http-compression.ts).
    const wire = await rawRequest(director.url, {
      path: '/api/trpc/profiles.list',
      headers: {
        cookie: [...tab.jar].map(([k, v]) => `${k}=${v}`).join('; '),
        'accept-encoding': 'gzip',
      },
    });
    const wireSize = wire.raw.length / 1024;
    const rows: string[] = [];
    // The first actor gets a token, to call the actor API like an agent.
    const token = randomBytes(32).toString('base64url');
    const [agentId = ''] = actorIds;
    store.sqlite
      .prepare('UPDATE actors SET token_hash = ? WHERE id = ?')
      .run(hashToken(token), agentId);
    const actorApi = actorClient(director.url, token).actorApi;
    const between = {
      unchanged: 'unchanged',
      heartbeat: 'an actor heartbeats',
      verify: "Verify of one actor (the Director's own write)",
      other: 'one state written by another connection',
    } as const;
    for (const scenario of ['unchanged', 'heartbeat', 'verify', 'other'] as const) {
      const times: number[] = [];
      let cpu = 0;
      for (let i = 0; i < RUNS + 3; i += 1) {
        if (scenario === 'heartbeat' || scenario === 'verify') {
          await actorApi.heartbeat.mutate({ runningTaskIds: [] });
        }
        if (scenario === 'verify') {
          // A POP3 profile: manual mode, so no mail settings are needed.
          const profileId = `p-${(4 * i + 1) % PROFILES}`;
          await client.verification.verify.mutate({ profileId, actorId: agentId });
        }
        if (scenario === 'other') {
          const profileId = `p-${i % PROFILES}`;
          const actorId = actorIds[ACTORS - 1] ?? '';
          putActorVerification(store.db, profileId, actorId, {
            status: 'requested',
            attempt: attempt(`b-${i}`, manualCodes[i % PROFILES] ?? ''),
          });
        }
        const started = performance.now();
        const cpuStarted = process.cpuUsage();
        const list = await client.profiles.list.query();
        const used = process.cpuUsage(cpuStarted);
        if (list.length !== PROFILES) throw new Error(`listed ${list.length} profiles`);
        if (i >= 3) {
          // the first calls warm caches and JIT
          times.push(performance.now() - started);
          cpu += (used.user + used.system) / 1000;
        }
      }
      times.sort((a, b) => a - b);
      const rss = (process.memoryUsage().rss / 1024 / 1024).toFixed(0);
      const data = between[scenario];
      rows.push(
        `| ${mix.name} | ${data} | ${at(times, 0.5)} ms | ${at(times, 0.95)} ms | ${at(times, 1)} ms | ${(cpu / RUNS).toFixed(1)} ms | ${cold.toFixed(0)} ms | ${size.toFixed(2)} MB | ${wireSize.toFixed(0)} KB | ${rss} MB |`,
      );
    }
    store.close();
    return rows;
  } finally {
    await director.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const rows: string[] = [];
for (const mix of mixes) rows.push(...(await run(mix)));
console.log(
  `profiles.list over HTTP, ${PROFILES} profiles × ${ACTORS} actors, ${RUNS} calls (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, budget p95 25 ms, response 1 MB)\n`,
);
console.log(
  '| states | data between calls | p50 | p95 | max | CPU per call | first call | response (JSON) | on the wire (gzip) | process RSS |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
