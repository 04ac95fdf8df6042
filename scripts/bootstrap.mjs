#!/usr/bin/env node
// Makes a fresh checkout usable with nothing but Node and npm: installs the workspace's
// dependencies with the pinned pnpm (fetched through npx when pnpm is not installed).
// Fast when everything is already installed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
