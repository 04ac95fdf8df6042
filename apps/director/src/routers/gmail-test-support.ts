// For tests: a Director wired to the fake Google, and the browser's side of the consent (Google's
// page is not rendered: the test plays the account owner who clicks "Allow").
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { consentQuery, type ConsentTarget } from '@email-profiles/core';
import { startFakeGoogle, type FakeGoogle } from '@email-profiles/transport-gmail/testing';
import { clearGraphTokenCache } from '@email-profiles/transport-graph';
import { FakeGraph } from '@email-profiles/transport-graph/testing';
import type { browserTab } from './test-client.js';

/** What Google redirects to; the fake's OAuth client has exactly this authorised redirect URI. */
export const PUBLIC_URL = 'https://director.example.test';

/** Director environment variables that send its Google requests to the fake. */
export function googleEnv(fake: FakeGoogle): Record<string, string> {
  return {
    EMAIL_PROFILES_PUBLIC_URL: PUBLIC_URL,
    EMAIL_PROFILES_GOOGLE_AUTH_URL: fake.endpoints.auth,
    EMAIL_PROFILES_GOOGLE_TOKEN_URL: fake.endpoints.token,
    EMAIL_PROFILES_GOOGLE_API_URL: fake.endpoints.api,
  };
}

/** The Director's Gmail mail settings for the fake's OAuth client and account. */
export const gmailSettings = (fake: FakeGoogle) => ({
  method: 'gmail' as const,
  fromAddress: fake.state.account,
  fromName: 'Email Profiles',
  clientId: fake.state.clientId,
  clientSecret: fake.state.clientSecret,
});

type Client = ReturnType<typeof browserTab>['client'];

export type Callback = {
  status: number;
  location: URL;
  outcome: string | null;
  message: string | null;
};

/** GETs the Director's callback as a browser following Google's redirect would (no cookie). */
export async function callback(
  directorUrl: string,
  query: Record<string, string>,
): Promise<Callback> {
  const url = new URL('/api/gmail/callback', directorUrl);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const response = await fetch(url, { redirect: 'manual' });
  await response.arrayBuffer();
  const location = new URL(response.headers.get('location') ?? 'about:blank');
  return {
    status: response.status,
    location,
    outcome: location.searchParams.get(consentQuery.outcome),
    message: location.searchParams.get(consentQuery.message),
  };
}

/** Starts a consent and checks the Google URL; returns its state and a code the fake will take. */
export async function startConsent(
  operator: Client,
  fake: FakeGoogle,
  target: ConsentTarget,
): Promise<{ state: string; code: string }> {
  const started = await operator.consent.start.mutate(target);
  expect(started.redirectUri).toBe(`${PUBLIC_URL}/api/gmail/callback`);
  const url = new URL(started.url);
  expect(`${url.origin}${url.pathname}`).toBe(fake.endpoints.auth);
  const params = Object.fromEntries(url.searchParams);
  expect(params).toMatchObject({
    client_id: fake.state.clientId,
    redirect_uri: started.redirectUri,
    response_type: 'code',
    access_type: 'offline',
    prompt: 'consent',
  });
  expect(params.scope?.split(' ').sort()).toEqual([
    'https://www.googleapis.com/auth/gmail.readonly',
    'https://www.googleapis.com/auth/gmail.send',
  ]);
  expect(params.state).toMatch(/^[\w-]{43}$/);
  const code = `4/0A${randomBytes(16).toString('hex')}`;
  fake.state.codes.set(code, { refreshToken: true });
  return { state: params.state ?? '', code };
}

/** The whole consent: start, the owner allows, Google redirects back to the Director. */
export async function consent(
  directorUrl: string,
  operator: Client,
  fake: FakeGoogle,
  target: ConsentTarget,
): Promise<Callback> {
  const { state, code } = await startConsent(operator, fake, target);
  return callback(directorUrl, {
    state,
    code,
    scope:
      'https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/gmail.send',
  });
}

export type CloudFakes = {
  graph: FakeGraph;
  google: FakeGoogle;
  /** Director environment variables that send its Graph and Google requests to the fakes. */
  env: Record<string, string>;
  /** After each test: no cached token carries over, and no request broke the services' rules. */
  checkAfterEach(): void;
  close(): Promise<void>;
};

/** The Microsoft Graph and Google fakes for one test file. */
export async function startCloudFakes(): Promise<CloudFakes> {
  const graph = await FakeGraph.start();
  const google = await startFakeGoogle();
  return {
    graph,
    google,
    env: {
      ...googleEnv(google),
      EMAIL_PROFILES_GRAPH_LOGIN_URL: graph.endpoints.login,
      EMAIL_PROFILES_GRAPH_URL: graph.endpoints.graph,
    },
    checkAfterEach: () => {
      clearGraphTokenCache();
      expect(graph.violations).toEqual([]);
      expect(google.violations).toEqual([]);
    },
    close: async () => {
      await graph.close();
      await google.close();
    },
  };
}
