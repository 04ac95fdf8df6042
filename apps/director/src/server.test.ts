import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createServices } from './director.js';
import { Vault } from './secrets/vault.js';
import { loadConfig } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/index.js';
import type { AppRouter } from './router.js';
import { startServer, type RunningServer } from './server.js';

let running: RunningServer;
let database: DatabaseHandle;
beforeAll(async () => {
  database = openDatabase(':memory:');
  running = await startServer(
    createServices(
      loadConfig({ EMAIL_PROFILES_PORT: '0' }),
      pino({ level: 'silent' }),
      database.db,
      new Vault(randomBytes(32)),
    ),
  );
});
afterAll(async () => {
  await running.close();
  database.close();
});

describe('the Director HTTP server', () => {
  it('answers the health endpoint with security headers', async () => {
    const response = await fetch(`${running.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('serves tRPC procedures to a typed client', async () => {
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${running.url}/api/trpc` })],
    });
    expect(await client.system.health.query()).toEqual({ status: 'ok' });
  });

  it('answers an unknown procedure with a tRPC error, and an unknown API path with 404', async () => {
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${running.url}/api/trpc` })],
    });
    // eslint-disable-next-line @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any
    await expect((client as any).system.nothing.query()).rejects.toBeInstanceOf(TRPCClientError);
    expect((await fetch(`${running.url}/api/nothing`)).status).toBe(404);
  });

  it('serves the web app page from the same port', async () => {
    const response = await fetch(`${running.url}/`);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('Email Profiles');
  });
});
