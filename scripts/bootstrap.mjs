#!/usr/bin/env node
// Makes a fresh checkout usable with nothing but Node and npm: installs the workspace's
// dependencies with the pinned pnpm (fetched through npx when pnpm is not installed), and, with
// --mail-stack (for the tests) when running as root, the Debian packages of the test mail stack
// (scripts/install-mail-stack.sh). Fast when everything is already installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { packageManager } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
);
const wanted = packageManager.split('@')[1];

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) return false;
  if (result.status !== 0) process.exit(result.status ?? 1);
  return true;
}

const installed = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
const pnpm =
  installed.status === 0 && installed.stdout.trim() === wanted
    ? ['pnpm']
    : ['npx', '--yes', `pnpm@${wanted}`];
const args = ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=silent'];
if (!run(pnpm[0], [...pnpm.slice(1), ...args])) {
  console.error(`Could not run ${pnpm.join(' ')}: install Node 20 with npm, or pnpm ${wanted}.`);
  process.exit(1);
}

// The real mail servers behind packages/mail-stack (Dovecot, Postfix, Cyrus, Cyrus SASL, OpenSSL).
function mailStackMissing() {
  const extra = process.env.EMAIL_PROFILES_DOVECOT_EXTRA ?? '/opt/email-profiles/dovecot-extra';
  const files = [
    '/usr/sbin/dovecot',
    '/usr/lib/dovecot/lmtp',
    ...['imap', 'imap-login', 'pop3', 'pop3-login'].map((bin) => `${extra}/usr/lib/dovecot/${bin}`),
    '/usr/sbin/postfix',
    '/etc/postfix/main.cf',
    '/usr/lib/cyrus/bin/master',
    '/usr/sbin/saslpasswd2',
    '/usr/bin/openssl',
  ];
  const missing = files.filter((file) => !existsSync(file));
  const saslDirs = readdirSync('/usr/lib', { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `/usr/lib/${entry.name}/sasl2`)
    .filter((dir) => existsSync(dir));
  for (const plugin of [
    'libplain.so',
    'liblogin.so',
    'libcrammd5.so',
    'libntlm.so',
    'libsasldb.so',
  ]) {
    if (!saslDirs.some((dir) => existsSync(`${dir}/${plugin}`))) missing.push(`sasl2/${plugin}`);
  }
  return missing;
}

if (process.argv.includes('--mail-stack') && process.platform === 'linux') {
  const missing = mailStackMissing();
  if (missing.length > 0) {
    if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
      console.log(`Installing the test mail stack (missing: ${missing.join(', ')})`);
      run('bash', ['scripts/install-mail-stack.sh']);
    } else {
      console.warn(
        [
          `The mail-stack tests need Debian packages that are missing (${missing.join(', ')}).`,
          'Install them with (from the repository root, as root):',
          '  sudo scripts/install-mail-stack.sh',
        ].join('\n'),
      );
    }
  }
  // Debian's Chromium for the web app's browser tests (apps/web/e2e).
  if (!existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) {
    if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
      run('bash', ['scripts/install-chromium.sh']);
    } else {
      console.warn("The web app's browser tests need Chromium: sudo scripts/install-chromium.sh");
    }
  }
}
