import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CredentialError,
  readCredential,
  writeCredential,
  type ActorCredential,
} from './credentials.js';
import { TEST_ENDPOINTS_ENV, transportOptionsFromEnv } from './options.js';

const credential: ActorCredential = {
  directorUrl: 'https://director.example.com:8080',
  actorId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
  token: 'a'.repeat(43),
  name: 'host-1',
  zone: { id: 'zone-1', name: 'DMZ' },
};

describe('the credential file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'actor-credential-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is written with mode 0600 and read back', () => {
    const path = join(dir, 'actor.json');
    writeCredential(path, credential);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readCredential(path)).toEqual(credential);
  });

  it('is refused when group or others can read it', () => {
    const path = join(dir, 'actor.json');
    writeCredential(path, credential);
    chmodSync(path, 0o644);
    expect(() => readCredential(path)).toThrow(
      /can be read by other users \(mode 644\).*chmod 600/,
    );
  });

  it('says what is wrong with a missing, broken or incomplete file, without its content', () => {
    expect(() => readCredential(join(dir, 'none.json'))).toThrow(
      /No actor credential .* enroll first/,
    );
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{', { mode: 0o600 });
    expect(() => readCredential(path)).toThrow(CredentialError);
    writeFileSync(path, JSON.stringify({ ...credential, token: 'short' }), { mode: 0o600 });
    const error = (() => {
      try {
        readCredential(path);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toMatch(/not a valid actor credential \(token\)/);
    expect(error?.message).not.toContain('short');
    expect(readFileSync(path, 'utf8')).toContain('short');
  });
});

describe('test endpoints from the environment', () => {
  it('is empty by default and accepts loopback fakes only', () => {
    expect(transportOptionsFromEnv({})).toEqual({});
    const graph = { login: 'http://127.0.0.1:1234', graph: 'http://127.0.0.1:1234' };
    expect(transportOptionsFromEnv({ [TEST_ENDPOINTS_ENV]: JSON.stringify({ graph }) })).toEqual({
      graph: { endpoints: graph },
    });
    expect(() =>
      transportOptionsFromEnv({
        [TEST_ENDPOINTS_ENV]: JSON.stringify({
          graph: { ...graph, graph: 'https://evil.example' },
        }),
      }),
    ).toThrow(/graph.graph: test endpoints must be on loopback/);
    expect(() => transportOptionsFromEnv({ [TEST_ENDPOINTS_ENV]: '{' })).toThrow(/is not JSON/);
  });
});
