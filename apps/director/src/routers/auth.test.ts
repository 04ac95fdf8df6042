import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { startDirector, type RunningDirector } from '../director.js';
import { browserTab, rejection } from './test-client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'director-auth-'));
const config = loadConfig({ EMAIL_PROFILES_PORT: '0', EMAIL_PROFILES_DATA_DIR: dataDir });
let director: RunningDirector;

beforeAll(async () => {
  director = await startDirector(config, pino({ level: 'silent' }));
});
afterAll(async () => {
  await director.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const browser = () => browserTab(director.url);

const admin = { email: 'Admin@Example.test', password: 'correct horse battery' };

describe('auth', () => {
  it('starts in first-run mode, and refuses operator calls from anonymous callers', async () => {
    const { client } = browser();
    expect(await client.auth.status.query()).toEqual({ setupRequired: true, user: null });
    expect((await rejection(client.auth.me.query())).data?.code).toBe('UNAUTHORIZED');
  });

  it('validates the setup with field paths and messages the form can show', async () => {
    const { client } = browser();
    const error = await rejection(client.auth.setup.mutate({ email: 'admin', password: 'short' }));
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.fieldErrors).toEqual([
      { path: ['email'], message: 'An email address needs an "@", like name@example.com' },
      { path: ['password'], message: 'Use at least 12 characters' },
    ]);
  });

  it('creates the administrator once, logged in by an HttpOnly, SameSite=Strict cookie', async () => {
    const tab = browser();
    expect(await tab.client.auth.setup.mutate(admin)).toEqual({ email: 'admin@example.test' });
    expect(tab.setCookies[0]).toMatch(
      /^ep_session=[\w-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(await tab.client.auth.me.query()).toEqual({ email: 'admin@example.test' });
    const other = browser();
    const again = await rejection(
      other.client.auth.setup.mutate({
        email: 'intruder@example.test',
        password: 'another long password',
      }),
    );
    expect(again.data?.code).toBe('FORBIDDEN');
    expect(await other.client.auth.status.query()).toEqual({ setupRequired: false, user: null });
  });

  it('stores only a hash of the session token', async () => {
    const tab = browser();
    await tab.client.auth.login.mutate(admin);
    const token = tab.jar.get('ep_session') ?? '';
    const sqlite = new Database(director.databaseFile, { readonly: true });
    const hashes = sqlite.prepare('select token_hash from sessions').all() as {
      token_hash: string;
    }[];
    sqlite.close();
    expect(hashes.length).toBeGreaterThan(0);
    expect(hashes.some((row) => row.token_hash === token)).toBe(false);
  });

  it('logs out: the cookie is cleared and the old token no longer works', async () => {
    const tab = browser();
    await tab.client.auth.login.mutate(admin);
    const token = tab.jar.get('ep_session') ?? '';
    await tab.client.auth.logout.mutate();
    expect(tab.setCookies.at(-1)).toMatch(/^ep_session=; Max-Age=0;/);
    expect((await rejection(tab.client.auth.me.query())).data?.code).toBe('UNAUTHORIZED');
    const replay = browser();
    replay.jar.set('ep_session', token);
    expect((await rejection(replay.client.auth.me.query())).data?.code).toBe('UNAUTHORIZED');
  });

  it('keeps sessions across a Director restart', async () => {
    const tab = browser();
    await tab.client.auth.login.mutate(admin);
    const port = Number(new URL(director.url).port);
    await director.close();
    director = await startDirector({ ...config, port }, pino({ level: 'silent' }));
    expect(await tab.client.auth.me.query()).toEqual({ email: 'admin@example.test' });
  });

  it('answers a wrong password and an unknown account alike, then limits the attempts', async () => {
    const { client } = browser();
    for (const attempt of [
      { ...admin, password: 'wrong password!' },
      { email: 'nobody@example.test', password: 'whatever it is' },
    ]) {
      const error = await rejection(client.auth.login.mutate(attempt));
      expect([error.data?.code, error.message]).toEqual([
        'UNAUTHORIZED',
        'Wrong email or password',
      ]);
    }
    // Five failures for the account from this address (the unknown account counts on its own).
    for (let i = 0; i < 4; i += 1)
      await rejection(client.auth.login.mutate({ ...admin, password: 'still wrong!!' }));
    const limited = await rejection(client.auth.login.mutate(admin));
    expect(limited.data?.code).toBe('TOO_MANY_REQUESTS');
    expect(limited.message).toMatch(/^Too many failed logins: try again in 15 minutes$/);
  });
});
