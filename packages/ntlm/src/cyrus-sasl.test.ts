// The SASL client against the real Cyrus SASL NTLM server plugin (the one behind Cyrus IMAP/POP3
// and Postfix's `smtpd_sasl_type = cyrus`), driven through Cyrus' own `sasl-sample-server` over
// stdin/stdout: no network. Skipped where Cyrus SASL (sasl2-bin, libsasl2-modules) is not
// installed; see ../../shared/notes/mail-stack.md.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthenticateOptions, NtlmCredentials } from './messages.js';
import { ntlmSaslClient } from './sasl.js';

const SAMPLE_SERVER = '/usr/sbin/sasl-sample-server';
const SASLPASSWD = '/usr/sbin/saslpasswd2';
const STDBUF = '/usr/bin/stdbuf';
const PLUGIN_DIRS = [
  '/usr/lib/x86_64-linux-gnu/sasl2',
  '/usr/lib/aarch64-linux-gnu/sasl2',
  '/usr/lib64/sasl2',
  '/usr/lib/sasl2',
];
const hasNtlmPlugin = PLUGIN_DIRS.some(
  (dir) => existsSync(dir) && readdirSync(dir).some((name) => name.startsWith('libntlm.so')),
);
const available =
  [SAMPLE_SERVER, SASLPASSWD, STDBUF].every((path) => existsSync(path)) && hasNtlmPlugin;

const REALM = 'localhost';
const PASSWORD = 'S3cret-pass';

type Outcome = { ok: boolean; username?: string; log: string };

/**
 * One SASL exchange with sasl-sample-server. Its protocol: "S: <base64>" lines from the server,
 * "C: <base64>" lines from the client; first the mechanism list, then an empty challenge (the
 * mechanism wants the client to start), then the NTLM challenge.
 */
function authenticate(
  configDir: string,
  credentials: NtlmCredentials,
  options: AuthenticateOptions = {},
): Promise<Outcome> {
  const client = ntlmSaslClient(credentials, options);
  // stdbuf: the sample server writes through stdio, which a pipe would buffer.
  const server = spawn(
    STDBUF,
    ['-o0', '-e0', SAMPLE_SERVER, '-m', 'NTLM', '-s', 'sample', '-u', REALM],
    {
      env: { ...process.env, SASL_CONF_PATH: configDir },
    },
  );
  const lines: string[] = [];
  return new Promise<Outcome>((resolve) => {
    let serverLines = 0;
    let responded = false;
    const finish = (outcome: Omit<Outcome, 'log'>) => {
      clearTimeout(timer);
      server.kill();
      resolve({ ...outcome, log: lines.join('\n') });
    };
    const timer = setTimeout(() => {
      finish({ ok: false });
    }, 5000);
    const send = (text: string) => server.stdin.write(`C: ${text}\n`);
    const onLine = (line: string) => {
      lines.push(line);
      if (line.startsWith('Waiting for client mechanism'))
        send(Buffer.from('NTLM').toString('base64'));
      else if (line.startsWith('Username: ')) finish({ ok: true, username: line.slice(10) });
      else if (line.startsWith('S: ') && !responded) {
        serverLines += 1;
        const payload = line.slice(3).trim();
        if (serverLines === 1) return; // the mechanism list
        // The empty challenge (no initial response was sent) gets the NEGOTIATE message.
        responded = payload !== '';
        send(client.respond(payload));
      }
    };
    createInterface({ input: server.stdout }).on('line', onLine);
    createInterface({ input: server.stderr }).on('line', onLine);
    server.on('exit', () => {
      finish({ ok: false });
    });
  });
}

describe.skipIf(!available)('against the Cyrus SASL NTLM server plugin', () => {
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ntlm-cyrus-'));
    const sasldb = join(dir, 'sasldb2');
    writeFileSync(
      join(dir, 'sample.conf'),
      `pwcheck_method: auxprop\nauxprop_plugin: sasldb\nsasldb_path: ${sasldb}\nmech_list: NTLM\n`,
    );
    const created = spawnSync(SASLPASSWD, ['-p', '-c', '-f', sasldb, '-u', REALM, 'alice'], {
      input: PASSWORD,
    });
    expect(created.status).toBe(0);
  });

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const accepted: [string, string, AuthenticateOptions][] = [
    ['NTLMv1, bare user', 'alice', {}],
    ['NTLMv1, DOMAIN\\user', 'LOCALHOST\\alice', {}],
    ['NTLMv1, lower-case domain (upper-cased when sent)', 'localhost\\alice', {}],
    ['NTLMv1, UPN', `alice@${REALM}`, {}],
    ['NTLMv2 (forced), bare user', 'alice', { forceNtlmV2: true }],
    ['NTLMv2 (forced), DOMAIN\\user', 'localhost\\alice', { forceNtlmV2: true }],
    ['NTLMv2 (forced), UPN', `alice@${REALM}`, { forceNtlmV2: true }],
  ];
  it.each(accepted)('accepts %s', async (_name, username, options) => {
    const outcome = await authenticate(
      dir,
      { username, password: PASSWORD, workstation: 'WS01' },
      options,
    );
    expect(outcome.ok, outcome.log).toBe(true);
    expect(outcome.username).toBe(`alice@${REALM}`);
  });

  it.each([
    ['NTLMv1', {}],
    ['NTLMv2', { forceNtlmV2: true }],
  ] as [string, AuthenticateOptions][])('rejects a wrong password (%s)', async (_name, options) => {
    const outcome = await authenticate(dir, { username: 'alice', password: 'wrong' }, options);
    expect(outcome.ok).toBe(false);
    expect(outcome.log).toMatch(/incorrect NTLM(v2)? response/);
  });
});
