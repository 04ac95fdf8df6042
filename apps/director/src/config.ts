// Configuration from environment variables, validated once at start with messages that name the
// variable, what is wrong and what was given.
import { resolve } from 'node:path';
import { z } from 'zod';
import { checkHost } from '@email-profiles/core';

const env = z.object({
  EMAIL_PROFILES_HOST: z
    .string()
    .default('127.0.0.1')
    .refine((value) => checkHost(value).ok, 'must be an IP address or host name to listen on'),
  EMAIL_PROFILES_PORT: z
    .string()
    .default('8080')
    .refine(
      (value) => /^\d+$/.test(value) && Number(value) <= 65535,
      'must be a port number from 0 to 65535',
    )
    .transform(Number),
  EMAIL_PROFILES_DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
  /** Base64 of 32 bytes; without it, a key file is created in the data directory. */
  EMAIL_PROFILES_MASTER_KEY: z.string().optional(),
  EMAIL_PROFILES_VERIFY_TIMEOUT_S: z
    .string()
    .default('120')
    .refine(
      (value) => /^\d+$/.test(value) && Number(value) >= 10 && Number(value) <= 3600,
      'must be whole seconds from 10 to 3600',
    )
    .transform(Number),
  EMAIL_PROFILES_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
});

export type Config = {
  host: string;
  port: number;
  dataDir: string;
  masterKey: string | undefined;
  verifyTimeoutMs: number;
  logLevel: z.infer<typeof env>['EMAIL_PROFILES_LOG_LEVEL'];
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the configuration; every invalid variable is reported at once. */
export function loadConfig(variables: Record<string, string | undefined> = process.env): Config {
  const parsed = env.safeParse(variables);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const given = variables[name];
      return `  ${name} ${issue.message}${given === undefined ? '' : ` (got ${JSON.stringify(given)})`}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const value = parsed.data;
  return {
    host: value.EMAIL_PROFILES_HOST,
    port: value.EMAIL_PROFILES_PORT,
    dataDir: resolve(value.EMAIL_PROFILES_DATA_DIR),
    masterKey: value.EMAIL_PROFILES_MASTER_KEY === '' ? undefined : value.EMAIL_PROFILES_MASTER_KEY,
    verifyTimeoutMs: value.EMAIL_PROFILES_VERIFY_TIMEOUT_S * 1000,
    logLevel: value.EMAIL_PROFILES_LOG_LEVEL,
  };
}
