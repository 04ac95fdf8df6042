// For the router tests: a typed tRPC client that keeps its cookies like a browser tab (and can
// record every response body, to check that no secret ever leaves the API).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../config.js';
import { openDatabase, type DatabaseHandle } from '../db/index.js';
import { startDirector, type RunningDirector } from '../director.js';
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
  close(): Promise<void>;
};

/** A Director on a fresh data directory; `close()` stops it and removes the directory. */
export async function testDirector(
  name: string,
  log: Logger = pino({ level: 'silent' }),
): Promise<TestDirector> {
  const dataDir = mkdtempSync(join(tmpdir(), `director-${name}-`));
  const director = await startDirector(
    loadConfig({ EMAIL_PROFILES_PORT: '0', EMAIL_PROFILES_DATA_DIR: dataDir }),
    log,
  );
  const store = openDatabase(director.databaseFile);
  return {
    director,
    store,
    vault: new Vault(loadMasterKey({ dataDir }).key),
    close: async () => {
      store.close();
      await director.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function browserTab(baseUrl: string, recordBodies?: string[]) {
  const jar = new Map<string, string>();
  const setCookies: string[] = [];
  const client = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${baseUrl}/api/trpc`,
        fetch: async (input, init) => {
          const headers = new Headers(init?.headers);
          if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
          const response = await fetch(input as string, { ...init, headers });
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
    ],
  });
  return { client, jar, setCookies };
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
