// Benchmark: Verify → every actor Verified, for one IMAP profile × 1, 10 and 50 actors (real
// actor processes, the real Director in this process, the private Dovecot/Postfix stack on
// loopback), next to the raw round trip measured in the same run: an SMTP submission through
// Postfix seen by an IMAP client already in IDLE. Then the resident memory of one actor process
// verifying 50 profiles at once. Prints a table (goal: ratio ≤ 1.5 for 1 actor, ≤ 2 for 50;
// actor RSS ≤ 100 MB). Needs root (the mail stack).
//   pnpm --filter @email-profiles/actor bench
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { verificationSubject, type EmailProfileCreateInput } from '@email-profiles/core';
import { loadConfig, startDirector } from '@email-profiles/director';
import { ADMIN, browserTab } from '@email-profiles/director/testing';
import { startMailStack, type MailUser } from '@email-profiles/mail-stack';
import { createImapTransport } from '@email-profiles/transport-imap';
import { createSmtpTransport } from '@email-profiles/transport-smtp';
import { enrollActor } from '../src/enroll.js';
import { buildActor } from '../build.mjs';
import { ActorFleet, type ActorProcess } from '../src/testing/processes.js';

/** Which scenarios (BENCH_ACTORS=1,10 runs fewer; the memory run always comes last). */
const ACTOR_COUNTS = (process.env.BENCH_ACTORS ?? '1,10,50').split(',').map(Number);
const RUNS: Record<number, number> = { 1: 7, 10: 5, 50: 3 };
const ROUND_TRIPS = 9;
const MEMORY_PROFILES = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};
const max = (values: number[]) => Math.max(...values);

/** Resident memory of a process in MB: now (VmRSS) and its peak since it started (VmHWM). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const stack = await startMailStack({ components: ['dovecot', 'postfix'] });
const dataDir = mkdtempSync(join(tmpdir(), 'actor-bench-'));
await buildActor({ onlyIfStale: true });
const fleet = new ActorFleet();
const director = await startDirector(
  loadConfig({ EMAIL_PROFILES_PORT: '0', EMAIL_PROFILES_DATA_DIR: dataDir }),
  pino({ level: 'silent' }),
);
try {
  const dovecot = stack.dovecot!;
  const postfix = stack.postfix!;
  const sender = postfix.users[0]!;
  const [user1, user2] = dovecot.users as [MailUser, MailUser];
  const ca = { mode: 'ca', pem: stack.tls.caPem } as const;
  const smtp = {
    host: '127.0.0.1',
    port: postfix.ports.submission,
    encryption: 'starttls',
    tlsTrust: ca,
  } as const;

  const operator = browserTab(director.url).client;
  await operator.auth.setup.mutate(ADMIN);
  const zoneId = (await operator.zones.create.mutate({ name: 'Bench' })).id;
  await operator.settings.mail.update.mutate({
    method: 'smtp',
    fromAddress: sender.address,
    ...smtp,
    requiresAuth: true,
    authType: 'plain',
    username: sender.username,
    password: sender.password,
  });

  // --- 50 actor processes, enrolled through the API -------------------------------------
  const actorIds: string[] = [];
  const processes: ActorProcess[] = [];
  for (let i = 0; i < max(ACTOR_COUNTS); i += 1) {
    const { token } = await operator.actors.createEnrollmentToken.mutate({ zoneId });
    const credentialPath = join(dataDir, `actor-${i}.json`);
    const credential = await enrollActor({
      directorUrl: director.url,
      enrollmentToken: token,
      name: `bench-${i}`,
      credentialPath,
    });
    actorIds.push(credential.actorId);
    processes.push(fleet.start(credentialPath, { EMAIL_PROFILES_LOG_LEVEL: 'info' }));
  }
  for (;;) {
    const list = await operator.actors.list.query();
    if (list.filter((actor) => actor.connection === 'online').length === actorIds.length) break;
    await sleep(200);
  }

  const profile = (user: MailUser, actors: string[]): EmailProfileCreateInput => ({
    serverType: 'imap',
    emailAddress: user.address,
    actorIds: actors,
    username: user.username,
    password: user.password,
    incoming: {
      host: '127.0.0.1',
      port: dovecot.ports.imap,
      encryption: 'starttls',
      authType: 'plain',
      tlsTrust: ca,
    },
    outgoing: { ...smtp, requiresAuth: false },
  });

  /** From the actors' own logs since `started`: when the last task arrived, the last finished. */
  function actorTimeline(started: number, from: number[]): { received: number; found: number } {
    let received = 0;
    let found = 0;
    processes.forEach((actor, i) => {
      for (const line of actor.output.slice(from[i]).join('').split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { time: number; msg: string };
        if (entry.time < started) continue;
        if (entry.msg === 'task started') received = Math.max(received, entry.time - started);
        if (entry.msg === 'task finished') found = Math.max(found, entry.time - started);
      }
    });
    return { received, found };
  }

  const phases: Record<number, { received: number[]; found: number[] }> = {};

  /** Verify, then wait until every actor is verified: from the click to the last Verified. */
  async function verifyOnce(profileIds: string[], count = 0): Promise<number> {
    const from = processes.map((actor) => actor.output.length);
    const started = Date.now();
    for (const profileId of profileIds) await operator.verification.verify.mutate({ profileId });
    for (;;) {
      const rows = (await operator.profiles.list.query()).filter((row) =>
        profileIds.includes(row.profile.id),
      );
      const statuses = rows.flatMap((row) => row.actors.map((actor) => actor.status));
      if (statuses.every((status) => status === 'verified')) break;
      if (statuses.some((status) => status === 'unverified'))
        throw new Error(`a verification failed: ${JSON.stringify(rows)}`);
      await sleep(100);
    }
    // The Director's own record of when each attempt ended (not this loop's polling step).
    let last = 0;
    for (const profileId of profileIds) {
      for (const attempt of await operator.verification.history.query({ profileId, limit: 100 })) {
        if (Date.parse(attempt.requestedAt) >= started - 1 && attempt.endedAt)
          last = Math.max(last, Date.parse(attempt.endedAt));
      }
    }
    await sleep(50);
    const timeline = actorTimeline(started, from);
    const phase = (phases[count] ??= { received: [], found: [] });
    phase.received.push(timeline.received);
    phase.found.push(timeline.found);
    return last - started;
  }

  /** One coded email to user2 through the bare SMTP client (one session each). */
  const bareSmtp = createSmtpTransport({
    ...smtp,
    auth: { type: 'plain', username: sender.username, password: sender.password },
  });
  const submit = (code: string) =>
    bareSmtp.send({
      from: sender.address,
      to: user2.address,
      subject: verificationSubject(code),
      text: 'x',
    });

  // --- The raw round trip: SMTP submission → an IMAP client in IDLE sees it -----------------
  const roundTrips: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i += 1) {
    const code = randomUUID();
    const found = createImapTransport({
      host: '127.0.0.1',
      port: dovecot.ports.imap,
      encryption: 'starttls',
      tlsTrust: ca,
      authType: 'plain',
      username: user2.username,
      password: user2.password,
    }).findCode({ code, since: new Date(), deadline: new Date(Date.now() + 30_000) });
    await sleep(500); // logged in, searched, now in IDLE
    const t0 = performance.now();
    const sent = await submit(code);
    if (!sent.ok) throw new Error(`send failed: ${sent.failure.summary}`);
    const result = await found;
    if (!result.found || result.via !== 'idle')
      throw new Error(`not seen in IDLE: ${JSON.stringify(result)}`);
    roundTrips.push(performance.now() - t0);
  }
  const roundTrip = median(roundTrips);

  // --- What the Director's part costs: N coded emails submitted, 8 at a time as it does --------
  const submissions: string[][] = [];
  for (const count of ACTOR_COUNTS.filter((n) => n > 1)) {
    const times: number[] = [];
    for (let run = 0; run < 3; run += 1) {
      const queue = Array.from({ length: count }, () => randomUUID());
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let code = queue.pop(); code !== undefined; code = queue.pop()) {
            const sent = await submit(code);
            if (!sent.ok) throw new Error(`send failed: ${sent.failure.summary}`);
          }
        }),
      );
      times.push(performance.now() - t0);
    }
    submissions.push([
      `${count} SMTP submissions, 8 at a time`,
      String(times.length),
      median(times).toFixed(0),
      max(times).toFixed(0),
      (median(times) / roundTrip).toFixed(2),
      '',
      '',
      '',
    ]);
  }

  // --- Verify → all Verified ----------------------------------------------------------------
  const rows: string[][] = [];
  for (const count of ACTOR_COUNTS) {
    const { id } = await operator.profiles.create.mutate(profile(user1, actorIds.slice(0, count)));
    await verifyOnce([id]); // warm-up (first TLS sessions, JIT)
    const times: number[] = [];
    for (let run = 0; run < (RUNS[count] ?? 3); run += 1) times.push(await verifyOnce([id], count));
    const goal = count === 1 ? 1.5 : count === 50 ? 2 : undefined;
    const ratio = median(times) / roundTrip;
    rows.push([
      `1 profile × ${count} actor${count === 1 ? '' : 's'}`,
      String(times.length),
      median(times).toFixed(0),
      max(times).toFixed(0),
      ratio.toFixed(2),
      goal === undefined ? '' : `≤ ${goal} ${ratio <= goal ? '✓' : '✗'}`,
      median(phases[count]?.received ?? []).toFixed(0),
      median(phases[count]?.found ?? []).toFixed(0),
    ]);
  }

  // --- One actor, 50 profiles verified at once: its resident memory --------------------------
  const first = processes[0]!;
  const profiles: string[] = [];
  for (let i = 0; i < MEMORY_PROFILES; i += 1) {
    const user = i % 2 === 0 ? user1 : user2;
    profiles.push((await operator.profiles.create.mutate(profile(user, [actorIds[0]!]))).id);
  }
  let highest = memoryOf(first.pid).rss;
  const sampler = setInterval(() => {
    highest = Math.max(highest, memoryOf(first.pid).rss);
  }, 50);
  const fiftyMs = await verifyOnce(profiles);
  clearInterval(sampler);
  const peak = memoryOf(first.pid).peak;

  const header = [
    'scenario',
    'runs',
    'median ms',
    'max ms',
    'ratio to round trip',
    'goal',
    'last task received',
    'last code found',
  ];
  const table = [
    header,
    [
      'SMTP submit → IMAP IDLE round trip',
      String(roundTrips.length),
      roundTrip.toFixed(0),
      max(roundTrips).toFixed(0),
      '1.00',
      '',
      '',
      '',
    ],
    ...submissions,
    ...rows,
  ];
  const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(
    [
      '',
      line(header),
      `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...table.slice(1).map(line),
      '',
      `One actor verifying ${MEMORY_PROFILES} profiles at once (${fiftyMs} ms): resident memory ` +
        `${highest.toFixed(0)} MB at most while serving them (peak since start ${peak.toFixed(0)} MB; goal ≤ 100 MB ${peak <= 100 ? '✓' : '✗'}).`,
      `Node ${process.version}, ${String((await import('node:os')).cpus().length)} CPUs; ` +
        `the Director in this process, ${actorIds.length} actor processes, all on loopback.`,
      '',
    ].join('\n'),
  );
} finally {
  await fleet.killAll();
  await director.close();
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
