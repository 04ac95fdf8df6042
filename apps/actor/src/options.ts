// Where the CLI keeps the credential, and the test-only endpoint override of the cloud transports.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { TransportOptions } from './transports.js';

export const CREDENTIAL_ENV = 'EMAIL_PROFILES_ACTOR_CREDENTIAL';
/** Test only: JSON `{ graph?: { login, graph }, gmail?: { api?, token? } }`. */
export const TEST_ENDPOINTS_ENV = 'EMAIL_PROFILES_ACTOR_TEST_ENDPOINTS';

export function defaultCredentialPath(env: NodeJS.ProcessEnv = process.env): string {
  return env[CREDENTIAL_ENV] ?? join(homedir(), '.config', 'email-profiles', 'actor.json');
}

const loopbackUrl = z.url().refine((value) => {
  const host = new URL(value).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}, 'test endpoints must be on loopback');

const testEndpointsSchema = z.object({
  graph: z.object({ login: loopbackUrl, graph: loopbackUrl }).optional(),
  gmail: z.object({ api: loopbackUrl.optional(), token: loopbackUrl.optional() }).optional(),
  pollMs: z.number().int().min(10).max(60_000).optional(),
});

export function transportOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): TransportOptions {
  const raw = env[TEST_ENDPOINTS_ENV];
  if (raw === undefined || raw === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`${TEST_ENDPOINTS_ENV} is not JSON`);
  }
  const parsed = testEndpointsSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `${TEST_ENDPOINTS_ENV}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const { graph, gmail, pollMs } = parsed.data;
  return {
    ...(graph ? { graph: { endpoints: graph } } : {}),
    ...(gmail
      ? {
          gmail: {
            endpoints: {
              ...(gmail.api ? { api: gmail.api } : {}),
              ...(gmail.token ? { token: gmail.token } : {}),
            },
          },
        }
      : {}),
    ...(pollMs === undefined ? {} : { pollMs }),
  };
}
