#!/usr/bin/env node
// Makes a fresh checkout usable with nothing but Node and npm: installs the workspace's
// dependencies with the pinned pnpm (fetched through npx when pnpm is not installed), and, with
// --mail-stack (for the tests) when running as root, the Debian packages of the test mail stack
// (scripts/install-mail-stack.sh). Fast when everything is already installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const wanted = packageManager.split('@')[1];
// What the user typed, for the messages: `npm test`, `npm start`, `npm run demo`.
const event = process.env.npm_lifecycle_event;
const command = event
  ? `npm ${['test', 'start'].includes(event) ? event : `run ${event}`}`
  : 'node scripts/bootstrap.mjs';

function fail(lines) {
  console.error(['', ...lines, ''].join('\n'));
  process.exit(1);
}

function run(file, args) {
  const result = spawnSync(file, args, { cwd: root, stdio: 'inherit' });
  if (result.error) return false;
  if (result.status !== 0) process.exit(result.status ?? 1);
  return true;
}

/** Runs quietly; the output is kept to be shown if it fails. */
function quiet(file, args) {
  const result = spawnSync(file, args, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return { ok: !result.error && result.status === 0, status: result.status, output };
}

/** The lines that say what went wrong: no retry warnings, no stack frames. */
function tail(output) {
  const lines = output.split('\n');
  const telling = lines.filter((line) => !/^\s+at |\sWARN\s/.test(line));
  return (telling.length > 0 ? telling : lines).slice(-20).join('\n');
}

/** Every node_modules folder of the workspace: the root's and each package's. */
function moduleFolders() {
  const folders = [join(root, 'node_modules')];
  for (const group of ['apps', 'packages']) {
    for (const entry of readdirSync(join(root, group), { withFileTypes: true })) {
      if (entry.isDirectory()) folders.push(join(root, group, entry.name, 'node_modules'));
    }
  }
  folders.push(join(root, 'benchmarks', 'node_modules'));
  return folders.filter((folder) => existsSync(folder));
}

const removeModules = () => {
  for (const folder of moduleFolders()) rmSync(folder, { recursive: true, force: true });
};

// What the README's commands run from node_modules/.bin; a tree without them is half-made.
const TOOLS = ['pnpm', 'turbo', 'tsx'];
const complete = () =>
  existsSync(join(root, 'node_modules', '.modules.yaml')) &&
  TOOLS.every((tool) => existsSync(join(root, 'node_modules', '.bin', tool)));

function pnpmCommand() {
  // A pnpm on PATH may be a half-made node_modules/.bin/pnpm from a failed install: ask it.
  const installed = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (installed.status === 0 && installed.stdout.trim() === wanted) return ['pnpm'];
  const npx = ['npx', '--yes', `pnpm@${wanted}`];
  const fetched = quiet(npx[0], [...npx.slice(1), '--version']);
  if (!fetched.ok) {
    fail([
      tail(fetched.output),
      '',
      `${command}: could not fetch pnpm ${wanted} through npx (npm's words are above).`,
      'Check that this machine reaches the npm registry (a proxy goes in HTTPS_PROXY, another',
      `registry in npm_config_registry), or install pnpm ${wanted} yourself; then run ${command} again.`,
    ]);
  }
  return npx;
}

function install() {
  if (!existsSync(join(root, 'node_modules', '.modules.yaml'))) {
    console.log(`Installing the workspace's dependencies with pnpm ${wanted} (first run)…`);
  }
  const pnpm = pnpmCommand();
  const args = ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=append-only'];
  return quiet(pnpm[0], [...pnpm.slice(1), ...args]);
}

// A tree a failed install left half-made is removed, so the install starts afresh.
if (!complete()) removeModules();
let installed = install();
if (installed.ok && !complete()) {
  removeModules();
  installed = install();
}
if (!installed.ok || !complete()) {
  removeModules();
  fail([
    tail(installed.output),
    '',
    `${command}: installing the workspace's dependencies failed (pnpm install ${installed.ok ? `did not install ${TOOLS.join(', ')}` : `exited with ${installed.status}`}; its last lines are above).`,
    'Usual causes: no access to the npm registry (a proxy goes in HTTPS_PROXY, another registry in',
    'npm_config_registry), or a full disk. The half-made node_modules folders were removed, so',
    `running ${command} again starts the install afresh.`,
  ]);
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
