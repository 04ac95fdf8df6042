#!/usr/bin/env node
// `npm start`: installs dependencies if needed, builds the web app when its build is missing or
// older than its sources, then runs the Director (apps/director, which serves the app) with its
// data in EMAIL_PROFILES_DATA_DIR (default ./data).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
};

/** The newest modification time under `path` (a file or a folder), 0 when it does not exist. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

/** What the web build is made from: its own sources and the core package it bundles. */
const WEB_SOURCES = [
  'apps/web/src',
  'apps/web/public',
  'apps/web/index.html',
  'apps/web/vite.config.ts',
  'apps/web/package.json',
  'packages/core/src',
];

function webBuildIsStale() {
  const built = newest(join(root, 'apps/web/dist/index.html'));
  return built === 0 || WEB_SOURCES.some((source) => newest(join(root, source)) > built);
}

run(process.execPath, ['scripts/bootstrap.mjs']);
if (webBuildIsStale()) {
  console.log('Building the web app (apps/web)…');
  run('node_modules/.bin/pnpm', ['--filter', '@email-profiles/web', 'build']);
}
run('node_modules/.bin/pnpm', ['--filter', '@email-profiles/actor', 'start']);
