import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectorMailSettingsInput } from '@email-profiles/core';
import { loadMailSettings, type DatabaseHandle } from '../db/index.js';
import type { RunningDirector } from '../director.js';
import type { Vault } from '../secrets/vault.js';
import { ADMIN, browserTab, rejection, testDirector, type TestDirector } from './test-client.js';

let env: TestDirector;
let director: RunningDirector;
let store: DatabaseHandle;
let vault: Vault;
const bodies: string[] = [];
const PASSWORDS = ['SmtpPasswordDoNotLeak1', 'SmtpPasswordDoNotLeak2'] as const;

const browser = () => browserTab(director.url, bodies).client;
const storedPassword = () => {
  const stored = loadMailSettings(store.db, vault);
  return stored?.method === 'smtp' ? stored.password : undefined;
};

let operator: ReturnType<typeof browser>;

beforeAll(async () => {
  env = await testDirector('settings');
  director = env.director;
  store = env.store;
  vault = env.vault;
  operator = browser();
  await operator.auth.setup.mutate(ADMIN);
});
afterAll(async () => {
  await env.close();
});

const smtp = (overrides: Partial<Record<string, unknown>> = {}) =>
  ({
    method: 'smtp',
    fromAddress: 'director@example.test',
    fromName: 'Email Profiles',
    host: 'smtp.example.test',
    port: 587,
    encryption: 'starttls',
    requiresAuth: true,
    authType: 'plain',
    username: 'director@example.test',
    password: PASSWORDS[0],
    ...overrides,
  }) as DirectorMailSettingsInput;

describe('settings.mail', () => {
  it('refuses anonymous callers', async () => {
    const anonymous = browser();
    const errors = await Promise.all([
      rejection(anonymous.settings.mail.get.query()),
      rejection(anonymous.settings.mail.update.mutate(smtp())),
    ]);
    expect(errors.map((error) => error.data?.code)).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED']);
  });

  it('is null until configured', async () => {
    expect(await operator.settings.mail.get.query()).toBeNull();
  });

  it('puts validation errors on their fields', async () => {
    const invalid = await rejection(
      operator.settings.mail.update.mutate(smtp({ host: 'smtp.example.test:25', port: 0 })),
    );
    expect(invalid.data?.code).toBe('BAD_REQUEST');
    expect(invalid.data?.fieldErrors?.map((error) => error.path)).toEqual([['host'], ['port']]);
  });

  it('needs a password when none is stored', async () => {
    const blank = await rejection(operator.settings.mail.update.mutate(smtp({ password: '' })));
    expect(blank.data?.code).toBe('BAD_REQUEST');
    expect(blank.data?.fieldErrors).toEqual([
      { path: ['password'], message: 'Enter the password' },
    ]);
    expect(await operator.settings.mail.get.query()).toBeNull();
  });

  it('seals the password and shows only that one is set', async () => {
    const saved = await operator.settings.mail.update.mutate(smtp());
    expect(saved).toEqual({
      method: 'smtp',
      fromAddress: 'director@example.test',
      fromName: 'Email Profiles',
      host: 'smtp.example.test',
      port: 587,
      encryption: 'starttls',
      requiresAuth: true,
      authType: 'plain',
      username: 'director@example.test',
      tlsTrust: { mode: 'system' },
      passwordSet: true,
    });
    expect(await operator.settings.mail.get.query()).toEqual(saved);
    expect(storedPassword()).toBe(PASSWORDS[0]);
    const row = store.sqlite.prepare('select sealed_secrets from mail_settings').get() as {
      sealed_secrets: string;
    };
    expect(row.sealed_secrets).not.toContain(PASSWORDS[0]);
  });

  it('keeps the stored password when left blank, replaces it when given', async () => {
    const kept = await operator.settings.mail.update.mutate(
      smtp({ password: '', fromName: 'Verification' }),
    );
    expect(kept).toMatchObject({ fromName: 'Verification', passwordSet: true });
    expect(storedPassword()).toBe(PASSWORDS[0]);
    // Another port is another destination: the stored password is not sent there.
    const moved = await rejection(
      operator.settings.mail.update.mutate(smtp({ password: '', port: 2525 })),
    );
    expect(moved.data?.fieldErrors).toEqual([
      {
        path: ['password'],
        message:
          'Enter the password again: the port changed, so the stored password is not sent to it',
      },
    ]);
    await operator.settings.mail.update.mutate(smtp({ password: PASSWORDS[1] }));
    expect(storedPassword()).toBe(PASSWORDS[1]);
  });

  it('drops the password when the server needs no authentication', async () => {
    const open = await operator.settings.mail.update.mutate(
      smtp({
        requiresAuth: false,
        authType: undefined,
        username: undefined,
        password: '',
        port: 25,
        encryption: 'off',
      }),
    );
    expect(open).toMatchObject({ requiresAuth: false, passwordSet: false });
    expect(storedPassword()).toBeUndefined();
  });

  it('never returns a secret', () => {
    expect(bodies.length).toBeGreaterThan(8);
    const all = bodies.join('\n');
    for (const password of PASSWORDS) expect(all).not.toContain(password);
  });
});
