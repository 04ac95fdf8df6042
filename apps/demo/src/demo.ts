// The try-it-now demo: a private mail sandbox (Dovecot + Postfix on 127.0.0.1), the Director on a
// fresh SQLite file, three local actors in two Security Zones, the Director's mail settings and
// an IMAP and a POP3 profile for sandbox mailboxes. Everything it starts, stop() stops.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { Logger } from 'pino';
import { runActor, type RunningActor } from '@email-profiles/actor';
import type { EmailProfileCreateInput, MailServerType } from '@email-profiles/core';
import {
  loadConfig,
  startDirector,
  type AppRouter,
  type RunningDirector,
} from '@email-profiles/director';
import {
  DOVECOT_USERS,
  POSTFIX_USERS,
  startMailStack,
  type MailStack,
} from '@email-profiles/mail-stack';

export const DEMO_ADMIN_EMAIL = 'admin@demo.test';

export type Demo = {
  url: string;
  login: { email: string; password: string };
  profiles: { address: string; serverType: MailServerType; actors: string[] }[];
  /** The sandbox's private folder and the ports its servers listen on (127.0.0.1). */
  sandbox: { dir: string; ports: number[] };
  stop(): Promise<void>;
};

/** An operator's API client that keeps its session cookie, like a browser tab. */
export function operatorClient(url: string) {
  let cookie = '';
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${url}/api/trpc`,
        fetch: async (input, init) => {
          const headers = new Headers(init?.headers);
          if (cookie !== '') headers.set('cookie', cookie);
          const response = await fetch(input as string, { ...init, headers });
          const set = response.headers.getSetCookie()[0];
          if (set !== undefined) cookie = set.split(';')[0] ?? '';
          return response;
        },
      }),
    ],
  });
}

export async function startDemo(options: {
  env: Record<string, string | undefined>;
  log: Logger;
}): Promise<Demo> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.splice(0).reverse()) {
      await step().catch((error: unknown) => {
        options.log.error({ err: error }, 'stopping part of the demo failed');
      });
    }
  };
  try {
    const stack: MailStack = await startMailStack({ components: ['dovecot', 'postfix'] });
    stops.push(() => stack.stop());

    const dataDir = mkdtempSync(join(tmpdir(), 'email-profiles-demo-'));
    stops.push(() => {
      rmSync(dataDir, { recursive: true, force: true });
      return Promise.resolve();
    });
    const config = loadConfig({
      ...options.env,
      EMAIL_PROFILES_DATA_DIR: dataDir,
      EMAIL_PROFILES_MASTER_KEY: undefined,
    });
    const director: RunningDirector = await startDirector(config, options.log);
    stops.push(() => director.close());

    const api = operatorClient(director.url);
    const login = { email: DEMO_ADMIN_EMAIL, password: randomBytes(12).toString('base64url') };
    await api.auth.setup.mutate(login);

    const zones = {
      hq: await api.zones.create.mutate({ name: 'Headquarters' }),
      branch: await api.zones.create.mutate({ name: 'Branch office' }),
    };
    const host = hostname();
    const actorIds: Record<string, string> = {};
    for (const [name, zone] of [
      [`${host}-hq-1`, zones.hq],
      [`${host}-hq-2`, zones.hq],
      [`${host}-branch-1`, zones.branch],
    ] as const) {
      const { token: enrollmentToken } = await api.actors.createEnrollmentToken.mutate({
        zoneId: zone.id,
      });
      const enrolled = await api.actorApi.enroll.mutate({ enrollmentToken, name });
      const actor: RunningActor = runActor({
        directorUrl: director.url,
        token: enrolled.token,
        log: options.log.child({ actor: name }),
      });
      stops.push(() => actor.stop());
      actorIds[name] = enrolled.actorId;
    }

    const trust = { mode: 'ca' as const, pem: stack.tls.caPem };
    const sender = POSTFIX_USERS[0];
    const [imapUser, pop3User] = DOVECOT_USERS;
    if (!sender || !imapUser || !pop3User || !stack.dovecot || !stack.postfix) {
      throw new Error('The mail sandbox started without its Dovecot and Postfix accounts');
    }
    await api.settings.mail.update.mutate({
      method: 'smtp',
      fromAddress: sender.address,
      fromName: 'Email Profiles demo',
      host: stack.host,
      port: stack.postfix.ports.submission,
      encryption: 'starttls',
      requiresAuth: true,
      authType: 'plain',
      username: sender.username,
      password: sender.password,
      tlsTrust: trust,
    });

    const outgoing = {
      host: stack.host,
      port: stack.postfix.ports.submission,
      encryption: 'starttls' as const,
      requiresAuth: true,
      authType: 'plain' as const,
      tlsTrust: trust,
    };
    const all = Object.values(actorIds);
    const profiles: (EmailProfileCreateInput & { serverType: MailServerType })[] = [
      {
        serverType: 'imap',
        emailAddress: imapUser.address,
        actorIds: all,
        username: imapUser.username,
        password: imapUser.password,
        incoming: {
          host: stack.host,
          port: stack.dovecot.ports.imaps,
          encryption: 'ssl',
          authType: 'plain',
          tlsTrust: trust,
        },
        outgoing,
      },
      {
        serverType: 'pop3',
        emailAddress: pop3User.address,
        zoneId: zones.hq.id,
        actorIds: all.slice(0, 2),
        username: pop3User.username,
        password: pop3User.password,
        incoming: {
          host: stack.host,
          port: stack.dovecot.ports.pop3,
          encryption: 'starttls',
          authType: 'plain',
          tlsTrust: trust,
        },
        outgoing,
      },
    ];
    const names = Object.fromEntries(Object.entries(actorIds).map(([name, id]) => [id, name]));
    const created = [];
    for (const profile of profiles) {
      await api.profiles.create.mutate(profile);
      created.push({
        address: profile.emailAddress,
        serverType: profile.serverType,
        actors: profile.actorIds.map((id) => names[id] ?? id),
      });
    }
    const ports = [...Object.values(stack.dovecot.ports), ...Object.values(stack.postfix.ports)];
    return {
      url: director.url,
      login,
      profiles: created,
      sandbox: { dir: stack.dir, ports },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
