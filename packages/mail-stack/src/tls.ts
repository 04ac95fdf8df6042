// Per-run certificates made with the openssl CLI: a CA, the servers' certificate (localhost and
// 127.0.0.1), an expired one and one for the wrong host name, all signed by that CA. `openssl ca`
// is used for every certificate because it accepts explicit start and end dates (OpenSSL 3.0's
// `x509 -req` cannot date a certificate in the past).
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './exec.js';

export type KeyPair = { certPem: string; keyPem: string };

export type StackTls = {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** SHA-256 of certPem (DER), lower-case hex without colons. */
  fingerprintSha256: string;
  expired: KeyPair;
  wrongHost: KeyPair;
};

const DAY = 24 * 60 * 60 * 1000;

/** openssl's GeneralizedTime form: YYYYMMDDHHMMSSZ. */
function opensslDate(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/[-:T]/g, '')}Z`;
}

const CA_CONFIG = `[ca]
default_ca = run_ca

[run_ca]
database = index.txt
new_certs_dir = issued
serial = serial
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no

[anything]
commonName = supplied

[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[localhost_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid

[wrong_host_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example.test
authorityKeyIdentifier = keyid
`;

export function fingerprintSha256(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256.replaceAll(':', '').toLowerCase();
}

/** Creates the certificates in `dir` (which must not be readable by other users). */
export async function createTls(dir: string): Promise<StackTls> {
  await mkdir(path.join(dir, 'issued'), { recursive: true, mode: 0o700 });
  await writeFile(path.join(dir, 'ca.cnf'), CA_CONFIG);
  await writeFile(path.join(dir, 'index.txt'), '');
  await writeFile(path.join(dir, 'serial'), `${randomBytes(8).toString('hex').toUpperCase()}\n`);
  const openssl = (args: string[]) => run('openssl', args, { cwd: dir });
  const now = Date.now();

  const request = async (name: string, commonName: string) => {
    await openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${commonName}`,
    ]);
  };
  const sign = async (name: string, extensions: string, from: number, to: number) => {
    const args = ['ca', '-batch', '-notext', '-config', 'ca.cnf', '-in', `${name}.csr`];
    args.push('-out', `${name}.pem`, '-extensions', extensions);
    args.push('-startdate', opensslDate(new Date(from)), '-enddate', opensslDate(new Date(to)));
    args.push(
      ...(name === 'ca' ? ['-selfsign', '-keyfile', 'ca.key'] : ['-cert', 'ca.pem', '-keyfile']),
    );
    if (name !== 'ca') args.push('ca.key');
    await openssl(args);
  };

  const suffix = randomBytes(4).toString('hex');
  await Promise.all([
    request('ca', `Email Profiles mail-stack test CA ${suffix}`),
    request('server', 'localhost'),
    request('expired', 'localhost'),
    request('wrong-host', 'wrong.example.test'),
  ]);
  // `openssl ca` updates index.txt and serial: one at a time.
  await sign('ca', 'ca_ext', now - 60 * DAY, now + 60 * DAY);
  await sign('server', 'localhost_ext', now - DAY, now + 30 * DAY);
  await sign('expired', 'localhost_ext', now - 30 * DAY, now - DAY);
  await sign('wrong-host', 'wrong_host_ext', now - DAY, now + 30 * DAY);

  const read = (file: string) => readFile(path.join(dir, file), 'utf8');
  const pair = async (name: string): Promise<KeyPair> => ({
    certPem: await read(`${name}.pem`),
    keyPem: await read(`${name}.key`),
  });
  const server = await pair('server');
  return {
    caPem: await read('ca.pem'),
    ...server,
    fingerprintSha256: fingerprintSha256(server.certPem),
    expired: await pair('expired'),
    wrongHost: await pair('wrong-host'),
  };
}
