// Across a real network, not loopback: the Director, two actors, the mail servers and the
// operator on five hosts of their own (network namespaces on one private link, made by the
// test), the Director behind HTTPS with a certificate from the test's private CA, which the actors
// trust through NODE_EXTRA_CA_CERTS. The actors are the built file an actor host downloads. A
// profile verifies from both actors; then one actor's cable is pulled and put back: it goes
// offline and comes back online, while the other stays online throughout.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActorListItem, ProfileListItem } from '@email-profiles/core';
import type { MailUser } from '@email-profiles/mail-stack';
import { ACTOR_BUNDLE_FILE } from '../build.mjs';
import { TestNetwork, firstJsonLine } from './testing/network/netns.js';
import { ADMIN } from '@email-profiles/director/testing';

const repository = fileURLToPath(new URL('../../..', import.meta.url));
const helper = (name: string) => join(repository, 'apps/actor/src/testing/network', name);
const work = mkdtempSync(join(tmpdir(), 'actor-network-'));
const DIRECTOR_PORT = 8080;

let network: TestNetwork;
let operator: ChildProcess;
let calls = 0;
const pending = new Map<number, (answer: { value?: unknown; error?: string }) => void>();

/** One API call, made by the operator's host. */
async function api<T>(kind: 'query' | 'mutate', path: string, input?: unknown): Promise<T> {
  const id = (calls += 1);
  const answer = await new Promise<{ value?: unknown; error?: string }>((resolve) => {
    pending.set(id, resolve);
    operator.stdin?.write(`${JSON.stringify({ id, kind, path, input })}\n`);
  });
  if (answer.error !== undefined) throw new Error(`${path}: ${answer.error}`);
  return answer.value as T;
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean) {
  const end = Date.now() + 180_000; // an offline actor shows after the 60 s online window
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const tsx = (file: string, ...args: string[]): [string, string[]] => [
  process.execPath,
  ['--import', 'tsx', helper(file), ...args],
];

/** A private CA and the Director's certificate for its address, with openssl. */
function privateCa(address: string) {
  const openssl = (command: string, ...args: string[]) =>
    execFileSync('openssl', [...command.split(' '), ...args], { cwd: work, stdio: 'pipe' });
  const newKey = (file: string) =>
    `-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ${file}`;
  openssl(`req -x509 ${newKey('ca.key')} -out ca.pem -days 2`, '-subj', '/CN=Network test CA');
  writeFileSync(join(work, 'director.ext'), `subjectAltName = IP:${address}\n`);
  openssl(`req ${newKey('director.key')} -out director.csr -subj /CN=${address}`);
  openssl(
    'x509 -req -in director.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out director.pem -days 2 -extfile director.ext',
  );
  return {
    ca: join(work, 'ca.pem'),
    cert: join(work, 'director.pem'),
    key: join(work, 'director.key'),
  };
}

type MailHost = {
  imap: number;
  submission: number;
  fingerprint: string;
  mailbox: MailUser;
  sender: MailUser;
};

let mail: MailHost;
let directorUrl: string;
const actorIds: Record<string, string> = {};

beforeAll(async () => {
  if (process.getuid?.() !== 0)
    throw new Error('The network test makes network namespaces: run it as root');
  network = new TestNetwork({ director: 1, operator: 2, actor1: 11, actor2: 12, mail: 20 });
  const directorAddress = network.address('director');
  directorUrl = `https://${directorAddress}`;
  const tls = privateCa(directorAddress);

  const mailHost = network.spawn('mail', ...tsx('mail-host.ts', network.address('mail')), {
    cwd: repository,
  });
  mail = await firstJsonLine<MailHost>(mailHost, 'the mail host');

  const director = network.spawn(
    'director',
    process.execPath,
    ['--import', 'tsx', join(repository, 'apps/director/src/main.ts')],
    {
      cwd: repository,
      env: {
        ...process.env,
        EMAIL_PROFILES_HOST: '127.0.0.1',
        EMAIL_PROFILES_PORT: String(DIRECTOR_PORT),
        EMAIL_PROFILES_DATA_DIR: join(work, 'director-data'),
        EMAIL_PROFILES_PUBLIC_URL: directorUrl,
        EMAIL_PROFILES_TRUSTED_PROXIES: '127.0.0.1',
        EMAIL_PROFILES_LOG_LEVEL: 'warn',
      },
    },
  );
  director.stdout?.resume();
  const proxy = network.spawn(
    'director',
    ...tsx('tls-proxy.ts', directorAddress, String(DIRECTOR_PORT), tls.cert, tls.key),
    { cwd: repository },
  );
  await firstJsonLine(proxy, 'the HTTPS front');

  operator = network.spawn('operator', ...tsx('operator-bridge.ts', directorUrl), {
    cwd: repository,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.ca },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let buffer = '';
  operator.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const answer = JSON.parse(line) as { id: number; value?: unknown; error?: string };
      pending.get(answer.id)?.(answer);
      pending.delete(answer.id);
    }
  });
  const health = (calls += 1);
  await new Promise((resolve) => {
    pending.set(health, resolve);
    operator.stdin?.write(`${JSON.stringify({ id: health, health: true })}\n`);
  });

  await api('mutate', 'auth.setup', ADMIN);
  const zone = await api<{ id: string }>('mutate', 'zones.create', { name: 'Branch office' });
  for (const name of ['actor1', 'actor2']) {
    const { token } = await api<{ token: string }>('mutate', 'actors.createEnrollmentToken', {
      zoneId: zone.id,
    });
    // The actor host: the downloaded file, Node, and the Director's CA; nothing of this checkout.
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: tls.ca, EMAIL_PROFILES_LOG_LEVEL: 'warn' };
    const credential = join(work, `${name}.json`);
    const enroll = network.spawn(
      name,
      process.execPath,
      [
        ACTOR_BUNDLE_FILE,
        'enroll',
        '--director',
        directorUrl,
        '--token',
        token,
        '--name',
        name,
        '--zone',
        'Branch office',
        '--credential',
        credential,
      ],
      { cwd: work, env },
    );
    let said = '';
    enroll.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
    const [code] = (await once(enroll, 'exit')) as [number | null];
    expect(said).toBe('');
    expect(code).toBe(0);
    network
      .spawn(
        name,
        process.execPath,
        ['--max-semi-space-size=1', ACTOR_BUNDLE_FILE, 'run', '--credential', credential],
        { cwd: work, env },
      )
      .stdout?.resume();
  }
  const list = await until(
    'both actors online',
    () => api<ActorListItem[]>('query', 'actors.list'),
    (actors) => actors.length === 2 && actors.every((actor) => actor.connection === 'online'),
  );
  for (const actor of list) actorIds[actor.name] = actor.id;
}, 240_000);

afterAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- beforeAll may have failed first
  await network?.destroy();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('across a network of namespaces, through HTTPS with a private CA', () => {
  it('verifies a profile from both actors, the mail servers on a host of their own', async () => {
    const trust = { mode: 'fingerprint', sha256: mail.fingerprint };
    const mailServer = network.address('mail');
    await api('mutate', 'settings.mail.update', {
      method: 'smtp',
      fromAddress: mail.sender.address,
      host: mailServer,
      port: mail.submission,
      encryption: 'starttls',
      requiresAuth: true,
      authType: 'plain',
      username: mail.sender.username,
      password: mail.sender.password,
      tlsTrust: trust,
    });
    const profile = await api<{ id: string }>('mutate', 'profiles.create', {
      serverType: 'imap',
      emailAddress: mail.mailbox.address,
      sendVerificationManually: false,
      actorIds: [actorIds.actor1, actorIds.actor2],
      username: mail.mailbox.username,
      password: mail.mailbox.password,
      incoming: {
        host: mailServer,
        port: mail.imap,
        encryption: 'starttls',
        authType: 'plain',
        tlsTrust: trust,
      },
      outgoing: {
        host: mailServer,
        port: mail.submission,
        encryption: 'starttls',
        requiresAuth: false,
        tlsTrust: trust,
      },
    });
    await api('mutate', 'verification.verify', { profileId: profile.id });
    const row = await until(
      'the verification to end',
      async () =>
        (await api<ProfileListItem[]>('query', 'profiles.list')).find(
          (item) => item.profile.id === profile.id,
        )!,
      (item) => item.actors.every((actor) => actor.status !== 'in_progress'),
    );
    expect(row.actors.map((actor) => [actor.status, actor.failure?.summary])).toEqual([
      ['verified', undefined],
      ['verified', undefined],
    ]);
  });

  it('shows an actor whose link is cut going offline, and online again once it is back', async () => {
    const connections = () =>
      api<ActorListItem[]>('query', 'actors.list').then((list) =>
        Object.fromEntries(list.map((actor) => [actor.name, actor.connection])),
      );
    network.setLink('actor1', false);
    try {
      await until('actor1 offline', connections, (state) => state.actor1 === 'offline');
      expect(await connections()).toEqual({ actor1: 'offline', actor2: 'online' });
    } finally {
      network.setLink('actor1', true);
    }
    const since = Date.now();
    await until(
      'actor1 online again',
      () => api<ActorListItem[]>('query', 'actors.list'),
      (list) =>
        list.every(
          (actor) => actor.connection === 'online' && Date.parse(actor.lastSeenAt ?? '') >= since,
        ),
    );
  }, 420_000);
});
