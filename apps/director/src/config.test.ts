import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_LIMITS, loadConfig } from './config.js';

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
        EMAIL_PROFILES_PUBLIC_URL: 'https://profiles.example.test/',
        EMAIL_PROFILES_GRAPH_LOGIN_URL: 'http://127.0.0.1:9001',
        EMAIL_PROFILES_GRAPH_URL: 'http://127.0.0.1:9001/',
        EMAIL_PROFILES_GOOGLE_AUTH_URL: 'http://127.0.0.1:9002/o/oauth2/v2/auth',
        EMAIL_PROFILES_GOOGLE_TOKEN_URL: 'http://127.0.0.1:9002/token',
        EMAIL_PROFILES_GOOGLE_API_URL: 'http://127.0.0.1:9002',
      }),
    ).toEqual({
      host: '0.0.0.0',
      port: 0,
      dataDir: '/var/lib/email-profiles',
      masterKey: undefined,
      verifyTimeoutMs: 30_000,
      logLevel: 'debug',
      publicUrl: 'https://profiles.example.test',
      trustedProxies: [],
      limits: DEFAULT_LIMITS,
      mailEndpoints: {
        graph: { login: 'http://127.0.0.1:9001', graph: 'http://127.0.0.1:9001' },
        google: {
          auth: 'http://127.0.0.1:9002/o/oauth2/v2/auth',
          token: 'http://127.0.0.1:9002/token',
          api: 'http://127.0.0.1:9002/',
        },
      },
    });
    expect(loadConfig({})).toMatchObject({ publicUrl: undefined, mailEndpoints: {} });
  });

  it('checks the URLs and that the Graph overrides come as a pair', () => {
    expect(() =>
      loadConfig({
        EMAIL_PROFILES_PUBLIC_URL: 'profiles.example.test',
        EMAIL_PROFILES_GOOGLE_TOKEN_URL: 'https://user:pw@token.example.test',
      }),
    ).toThrow(
      [
        'Invalid configuration:',
        '  EMAIL_PROFILES_PUBLIC_URL must be an http:// or https:// URL without user, query or fragment (got "profiles.example.test")',
        '  EMAIL_PROFILES_GOOGLE_TOKEN_URL must be an http:// or https:// URL without user, query or fragment (got "https://user:pw@token.example.test")',
      ].join('\n'),
    );
    expect(() => loadConfig({ EMAIL_PROFILES_GRAPH_LOGIN_URL: 'http://127.0.0.1:9001' })).toThrow(
      'EMAIL_PROFILES_GRAPH_URL and EMAIL_PROFILES_GRAPH_LOGIN_URL must be set together',
    );
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

  it('reads the trusted proxies as addresses and CIDR blocks, and names the variable when one is not', () => {
    expect(
      loadConfig({ EMAIL_PROFILES_TRUSTED_PROXIES: '10.0.0.5, 172.16.0.0/12 fd00::/8' })
        .trustedProxies,
    ).toEqual(['10.0.0.5', '172.16.0.0/12', 'fd00::/8']);
    expect(loadConfig({}).trustedProxies).toEqual([]);
    for (const bad of ['proxy.example.test', '10.0.0.0/33', '10.0.0.1/8/1', 'fd00::/129']) {
      expect(() => loadConfig({ EMAIL_PROFILES_TRUSTED_PROXIES: `127.0.0.1,${bad}` })).toThrow(
        `EMAIL_PROFILES_TRUSTED_PROXIES must be IP addresses or CIDR blocks (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8), separated by commas (got "127.0.0.1,${bad}")`,
      );
    }
  });
});
