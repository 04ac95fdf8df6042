#!/usr/bin/env node
// `npm start` (and `npm run demo` with --demo): installs what is missing, builds what is stale
// (the web app, the actor that Add actor offers for download, the launcher), then runs the
// Director with its local actor from its build, with its data in EMAIL_PROFILES_DATA_DIR
// (default ./data at the repository root). Ctrl-C reaches the whole process group: the running
// process stops itself cleanly and this one waits for it, quietly.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildActor } from '../apps/actor/build.mjs';
import { LAUNCHER_FILE, buildLauncher } from '../apps/launcher/build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const demo = process.argv.includes('--demo');

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

/** Runs the long-lived process and ends as it ends; signals sent to this one are passed on. */
function runToTheEnd(args) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    // Sent to the group (Ctrl-C), the child has it already and stops once however often told.
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
  });
}

run(process.execPath, ['scripts/bootstrap.mjs', ...(demo ? ['--mail-stack'] : [])]);
if (webBuildIsStale()) {
  console.log('Building the web app (apps/web)…');
  run('node_modules/.bin/pnpm', ['--filter', '@email-profiles/web', 'build']);
}
if (demo) {
  runToTheEnd(['--import', 'tsx', 'apps/demo/src/main.ts']);
} else {
  if (await buildActor({ onlyIfStale: true })) console.log('Built the actor (apps/actor/dist).');
  if (await buildLauncher({ onlyIfStale: true }))
    console.log('Built the Director (apps/launcher/dist).');
  runToTheEnd(['--max-semi-space-size=1', LAUNCHER_FILE]);
}
