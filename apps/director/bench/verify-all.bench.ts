// Benchmark: verify every profile, 200 profiles × 20 actors (4,000 verifications), until each
// actor's status is verified. Budget (issue 5): ≤ 60 s on the 2-core machine. The actors are
// simulated through the actor API (they take find_code tasks and complete them as found). Two
// runs: automatic mode, where the Director sends one coded email per actor through the mail
// stack's real Postfix on loopback (STARTTLS, PLAIN login, the stack's CA), and manual mode,
// where no email is sent. The Director runs as its own process. BENCH_PROFILES=1 BENCH_ACTORS=200
// measures one profile verified by 200 actors (issue 18, point 2).
//   pnpm --filter @email-profiles/director bench:verify
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startMailStack, type MailStack } from '@email-profiles/mail-stack';
import { loadMasterKey } from '../src/secrets/vault.js';
import { startDirectorProcess } from './director-process.js';
import { enrollActors, operatorOf, seedProfiles } from './seed.js';
import { SimulatedActor, ownAddress } from './simulated-actor.js';

const PROFILES = Number(process.env.BENCH_PROFILES ?? 200);
const ACTORS = Number(process.env.BENCH_ACTORS ?? 20);
const LIMIT_MS = 180_000;
const modes = (process.env.BENCH_MODES ?? 'manual,automatic').split(',') as (
  'manual' | 'automatic'
)[];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How often the table is read while waiting: the list of a few profiles costs little. */
const POLL_MS = PROFILES > 10 ? 1_000 : 50;

async function run(mode: 'manual' | 'automatic', stack: MailStack): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'director-verify-'));
  loadMasterKey({ dataDir });
  const director = await startDirectorProcess(dataDir, { EMAIL_PROFILES_VERIFY_TIMEOUT_S: '600' });
  const simulated: SimulatedActor[] = [];
  try {
    const operator = await operatorOf(director.url);
    const actors = await enrollActors(director.url, operator, ACTORS);
    const mailbox = stack.dovecot?.users[0];
    const sender = stack.postfix?.users[0];
    if (!mailbox || !sender || !stack.postfix) throw new Error('the mail stack has no users');
    seedProfiles(
      dataDir,
      PROFILES,
      () => actors.map((actor) => actor.id),
      (profile) => ({
        ...profile,
        emailAddress: mailbox.address,
        sendVerificationManually: mode === 'manual',
      }),
    );
    if (mode === 'automatic') {
      await operator.settings.mail.update.mutate({
        method: 'smtp',
        fromAddress: sender.address,
        host: '127.0.0.1',
        port: stack.postfix.ports.submission,
        encryption: 'starttls',
        requiresAuth: true,
        authType: 'plain',
        username: sender.username,
        password: sender.password,
        tlsTrust: { mode: 'ca', pem: stack.tls.caPem },
      });
    }
    for (const [i, actor] of actors.entries()) {
      const client = new SimulatedActor(director.url, actor.token, { localAddress: ownAddress(i) });
      simulated.push(client);
      client.start();
    }
    await sleep(1_000); // every actor has called in: online

    const total = PROFILES * ACTORS;
    const cpuBefore = director.cpuSeconds();
    const started = performance.now();
    for (let i = 0; i < PROFILES; i += 1) {
      await operator.verification.verify.mutate({ profileId: `p-${i}` });
    }
    const requested = performance.now() - started;
    let verified = 0;
    let failed = 0;
    let why = new Map<string, number>();
    while (verified + failed < total && performance.now() - started < LIMIT_MS) {
      await sleep(POLL_MS);
      const list = await operator.profiles.list.query();
      const statuses = list.flatMap((item) => item.actors);
      verified = statuses.filter((actor) => actor.status === 'verified').length;
      failed = statuses.filter((actor) => actor.failure !== undefined).length;
      why = new Map();
      for (const { failure } of statuses) {
        if (failure) why.set(failure.summary, (why.get(failure.summary) ?? 0) + 1);
      }
    }
    const elapsed = (performance.now() - started) / 1000;
    const cpu = director.cpuSeconds() - cpuBefore;
    for (const [summary, count] of why) console.error(`${mode}: ${count} failed: ${summary}`);
    const errors = simulated.flatMap((client) => client.errors);
    if (errors.length > 0)
      console.error(`${errors.length} actor API errors, the first:`, errors[0]);
    const emails = mode === 'automatic' ? String(total) : '0';
    const done =
      verified + failed === total ? `${elapsed.toFixed(1)} s` : `> ${elapsed.toFixed(0)} s`;
    const perVerification = ((cpu * 1000) / total).toFixed(1);
    return `| ${mode} | ${emails} | ${(requested / 1000).toFixed(1)} s | ${done} | ${verified} | ${failed} | ${(verified / elapsed).toFixed(0)}/s | ${cpu.toFixed(1)} s | ${perVerification} ms | ${director.memory().peak.toFixed(0)} MB |`;
  } finally {
    await Promise.allSettled(simulated.map((client) => client.stop()));
    await director.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const stack = await startMailStack({ components: ['dovecot', 'postfix'] });
try {
  const rows: string[] = [];
  for (const mode of modes) rows.push(await run(mode, stack));
  console.log(
    `Verify all: ${PROFILES} profiles × ${ACTORS} simulated actors (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, goal 25 s for 200 × 20 automatic)\n`,
  );
  console.log(
    '| mode | emails sent | Verify clicked on all | all verified after | verified | failed | rate | Director CPU | CPU per verification | Director peak RSS |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
} finally {
  await stack.stop();
}
