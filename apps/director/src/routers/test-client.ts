// For the router tests: a typed tRPC client that keeps its cookies like a browser tab (and can
// record every response body, to check that no secret ever leaves the API).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import type { DirectorMailSettingsUpdateInput, SmtpAuthMechanism } from '@email-profiles/core';
import type { MailStackInfo } from '@email-profiles/mail-stack';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type DatabaseHandle } from '../db/index.js';
import { startDirector, type DirectorOptions, type RunningDirector } from '../director.js';
import type { AppRouter } from '../router.js';
import { Vault, loadMasterKey } from '../secrets/vault.js';

/** The administrator every router test sets up first. */
export const ADMIN = { email: 'admin@example.test', password: 'correct horse battery' };

export type TestDirector = {
  director: RunningDirector;
  /** A second connection to the Director's SQLite file, for what has no API yet. */
  store: DatabaseHandle;
  /** The Director's own vault (same master key), to read back what it sealed. */
  vault: Vault;
  /**
   * Stops the Director and starts it again on the same data directory (and port); `whileDown`
   * runs in between (e.g. to let leases and deadlines pass as if the outage lasted long).
   */
  restart(whileDown?: () => void | Promise<void>): Promise<void>;
  close(): Promise<void>;
};

export type TestDirectorOptions = DirectorOptions & {
  log?: Logger;
  /** Environment variables of the Director, beside the test's port and data directory. */
  env?: Record<string, string>;
  /** Settings no environment variable allows, e.g. a verification deadline of a second. */
  config?: Partial<Config>;
};

/** A Director on a fresh data directory; `close()` stops it and removes the directory. */
export async function testDirector(
  name: string,
  options: TestDirectorOptions = {},
): Promise<TestDirector> {
  const dataDir = mkdtempSync(join(tmpdir(), `director-${name}-`));
  const log = options.log ?? pino({ level: 'silent' });
  const start = (port: string) =>
    startDirector(
      {
        ...loadConfig({
          ...options.env,
          EMAIL_PROFILES_PORT: port,
          EMAIL_PROFILES_DATA_DIR: dataDir,
        }),
        ...options.config,
      },
      log,
      options,
    );
  const env: TestDirector = {
    director: await start('0'),
    store: undefined as unknown as DatabaseHandle,
    vault: new Vault(loadMasterKey({ dataDir }).key),
    restart: async (whileDown) => {
      const port = new URL(env.director.url).port;
      await env.director.close();
      await whileDown?.();
      env.director = await start(port);
    },
    close: async () => {
      env.store.close();
      await env.director.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  env.store = openDatabase(env.director.databaseFile);
  return env;
}

export function browserTab(baseUrl: string, recordBodies?: string[]) {
  const jar = new Map<string, string>();
  const setCookies: string[] = [];
  const withCookies = (init: RequestInit | undefined) => {
    const headers = new Headers(init?.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    return { ...init, headers };
  };
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        // Node 20 has no EventSource: the `eventsource` package, sending the tab's cookies.
        true: httpSubscriptionLink({
          url: `${baseUrl}/api/trpc`,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) => fetch(input, withCookies(init)),
          }),
        }),
        false: httpBatchLink({
          url: `${baseUrl}/api/trpc`,
          maxItems: 10, // the Director's cap
          fetch: async (input, init) => {
            const response = await fetch(input as string, withCookies(init));
            recordBodies?.push(await response.clone().text());
            for (const cookie of response.headers.getSetCookie()) {
              setCookies.push(cookie);
              const [pair = ''] = cookie.split(';');
              const [name = '', value = ''] = pair.split('=');
              if (value === '') jar.delete(name);
              else jar.set(name, value);
            }
            return response;
          },
        }),
      }),
    ],
  });
  return { client, jar, setCookies };
}

/** An actor agent's client: its token as a bearer header. */
export function actorClient(baseUrl: string, token: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${baseUrl}/api/trpc`,
        maxItems: 10,
        headers: { authorization: `Bearer ${token}` },
      }),
    ],
  });
}

/** The TRPCClientError a call rejects with (fails the test if it resolves or throws another). */
export async function rejection(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCClientError))
    throw new Error(`expected a TRPCClientError, got ${String(error)}`);
  return error as TRPCClientError<AppRouter>;
}

export type TestActor = { id: string; token: string; api: ReturnType<typeof actorClient> };

/** An actor enrolled through the API, with a one-time token the operator creates for `zoneId`. */
export async function enrollTestActor(
  baseUrl: string,
  operator: ReturnType<typeof browserTab>['client'],
  zoneId: string,
  name: string,
): Promise<TestActor> {
  const { token: enrollmentToken } = await operator.actors.createEnrollmentToken.mutate({ zoneId });
  const enrolled = await browserTab(baseUrl).client.actorApi.enroll.mutate({
    enrollmentToken,
    name,
  });
  return { id: enrolled.actorId, token: enrolled.token, api: actorClient(baseUrl, enrolled.token) };
}

/** The Director's mail settings for the mail stack's Postfix: submission, STARTTLS, its CA. */
export function postfixMailSettings(
  stack: MailStackInfo,
  authType: SmtpAuthMechanism = 'plain',
): DirectorMailSettingsUpdateInput {
  const sender = stack.postfix?.users[0];
  if (!stack.postfix || !sender) throw new Error('The mail stack runs no Postfix');
  return {
    method: 'smtp',
    fromAddress: sender.address,
    host: stack.host,
    port: stack.postfix.ports.submission,
    encryption: 'starttls',
    requiresAuth: true,
    authType,
    username: sender.username,
    password: sender.password,
    tlsTrust: { mode: 'ca', pem: stack.tls.caPem },
  };
}
