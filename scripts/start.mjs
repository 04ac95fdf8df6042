#!/usr/bin/env node
// `npm start`: installs dependencies if needed, then runs the Director (apps/director) with its
// data in EMAIL_PROFILES_DATA_DIR (default ./data).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run(process.execPath, ['scripts/bootstrap.mjs']);
run('node_modules/.bin/pnpm', ['--filter', '@email-profiles/director', 'start']);
