import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      verifyTimeoutMs: 120_000,
      logLevel: 'info',
      masterKey: undefined,
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        EMAIL_PROFILES_HOST: '0.0.0.0',
        EMAIL_PROFILES_PORT: '0',
        EMAIL_PROFILES_DATA_DIR: '/var/lib/email-profiles',
        EMAIL_PROFILES_VERIFY_TIMEOUT_S: '30',
        EMAIL_PROFILES_LOG_LEVEL: 'debug',
      }),
    ).toEqual({
      host: '0.0.0.0',
      port: 0,
      dataDir: '/var/lib/email-profiles',
      masterKey: undefined,
      verifyTimeoutMs: 30_000,
      logLevel: 'debug',
    });
  });

  it('reports every bad value at once, naming the variable and what was given', () => {
    const bad = () =>
      loadConfig({
        EMAIL_PROFILES_PORT: '80a',
        EMAIL_PROFILES_VERIFY_TIMEOUT_S: '5',
        EMAIL_PROFILES_LOG_LEVEL: 'loud',
        EMAIL_PROFILES_HOST: 'http://x',
      });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      [
        'Invalid configuration:',
        '  EMAIL_PROFILES_HOST must be an IP address or host name to listen on (got "http://x")',
        '  EMAIL_PROFILES_PORT must be a port number from 0 to 65535 (got "80a")',
        '  EMAIL_PROFILES_VERIFY_TIMEOUT_S must be whole seconds from 10 to 3600 (got "5")',
      ].join('\n'),
    );
    expect(bad).toThrow(/EMAIL_PROFILES_LOG_LEVEL .*\(got "loud"\)/);
  });
});
