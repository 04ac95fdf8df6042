#!/usr/bin/env -S node --max-semi-space-size=1
// The actor's command line. The workspace's packages are TypeScript source: at start they are
// bundled by esbuild's binary (well under a second) into files that plain Node runs. That keeps a
// running actor small: no TypeScript loader thread, no bundler in the process, and each transport
// in its own chunk, loaded only when first used. The young generation is kept small (1 MB
// semi-spaces): an actor allocates little and often, and frequent scavenges cost it nothing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PREFIX = 'email-profiles-actor-';

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

// The bundles of actors that were killed (their exit handler never ran).
for (const name of readdirSync(tmpdir())) {
  const pid = Number(new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1]);
  if (!(pid > 0) || alive(pid)) continue;
  const path = join(tmpdir(), name);
  try {
    if (statSync(path).uid === process.getuid?.()) rmSync(path, { recursive: true, force: true });
  } catch {
    // Removed meanwhile by another actor starting at the same time.
  }
}

const esbuild = createRequire(import.meta.url).resolve('esbuild/bin/esbuild');
const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
process.on('exit', () => {
  rmSync(dir, { recursive: true, force: true });
});
execFileSync(
  esbuild,
  [
    fileURLToPath(new URL('../src/cli.ts', import.meta.url)),
    '--bundle',
    '--splitting',
    '--platform=node',
    '--format=esm',
    '--target=node20',
    '--log-level=error',
    `--outdir=${dir}`,
    '--out-extension:.js=.mjs',
    // Bundled CommonJS packages may require() Node's own modules.
    "--banner:js=import { createRequire as __actorRequire } from 'node:module'; const require = __actorRequire(import.meta.url);",
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const { main } = await import(pathToFileURL(join(dir, 'cli.mjs')).href);
process.exit(await main(process.argv.slice(2)));
