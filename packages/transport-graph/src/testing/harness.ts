// Shared by this package's tests: a fresh fake per test, a tenant with one app and one mailbox,
// and fast timings.
import { afterEach, beforeEach, expect } from 'vitest';
import type { MailboxTransport } from '@email-profiles/core';
import { createGraphTransport, clearGraphTokenCache, type GraphConfig } from '../index.js';
import type { GraphTransportOptions } from '../config.js';
import { FakeGraph, type FakeApp } from './fake-graph.js';

export const TENANT = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
export const CLIENT = '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b';
export const SECRET = 'Qx8~fakeSecretValue.0123456789abcdefGHIJ';
export const MAILBOX = 'actor1@contoso.example';
export const CODE = '3f2b8c4e-9a1d-4e7f-8b6c-5d4a3b2c1e0f';

export const fast: GraphTransportOptions = {
  requestTimeoutMs: 2_000,
  retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 1_000 },
  firstPollMs: 20,
  maxPollMs: 80,
};

export type Harness = {
  fake: FakeGraph;
  app: FakeApp;
  config(overrides?: Partial<GraphConfig>): GraphConfig;
  transport(overrides?: Partial<GraphConfig>, options?: GraphTransportOptions): MailboxTransport;
};

/** Every access token any fake of this test file issued. */
const issuedTokens: string[] = [];

/** Registers beforeEach/afterEach: a fresh fake, an empty token cache, no request violations. */
export function useFakeGraph(): Harness {
  const harness = {} as Harness;
  beforeEach(async () => {
    clearGraphTokenCache();
    const fake = await FakeGraph.start();
    harness.fake = fake;
    harness.app = fake.addApp({
      tenantId: TENANT,
      clientId: CLIENT,
      secret: SECRET,
      roles: ['Mail.Read', 'Mail.Send'],
    });
    fake.addMailbox(MAILBOX);
    harness.config = (overrides = {}) => ({
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: SECRET,
      emailAddress: MAILBOX,
      cloud: 'global',
      endpoints: fake.endpoints,
      ...overrides,
    });
    harness.transport = (overrides = {}, options = {}) =>
      createGraphTransport(harness.config(overrides), { ...fast, ...options });
  });
  afterEach(async () => {
    const { fake } = harness;
    issuedTokens.push(...fake.issuedTokens);
    await fake.close();
    expect(fake.violations).toEqual([]);
  });
  return harness;
}

/** Minutes ago, as a Date. */
export const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

export const findRequest = (overrides: { deadlineMs?: number; since?: Date } = {}) => ({
  code: CODE,
  since: overrides.since ?? new Date(),
  deadline: new Date(Date.now() + (overrides.deadlineMs ?? 2_000)),
});

/** No secret, and no access token a fake issued, appears anywhere in `value`. */
export function expectNoSecrets(value: unknown, fake: FakeGraph, secret = SECRET): void {
  const text = JSON.stringify(value);
  expect(text).not.toContain(secret);
  for (const token of [...issuedTokens, ...fake.issuedTokens]) {
    expect(text).not.toContain(token);
    const signature = token.split('.')[2];
    if (signature) expect(text).not.toContain(signature);
  }
}
