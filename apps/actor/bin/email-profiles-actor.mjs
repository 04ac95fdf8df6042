#!/usr/bin/env node
// The actor's command line. The workspace's packages are TypeScript source: at start they are
// bundled by esbuild's binary (well under a second) into one file that plain Node runs. That keeps
// a running actor small: no TypeScript loader thread, no bundler in the process, and each
// transport loaded only when first used.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const esbuild = createRequire(import.meta.url).resolve('esbuild/bin/esbuild');
const dir = mkdtempSync(join(tmpdir(), 'email-profiles-actor-'));
const outfile = join(dir, 'actor.mjs');
let main;
try {
  execFileSync(
    esbuild,
    [
      fileURLToPath(new URL('../src/cli.ts', import.meta.url)),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      '--log-level=error',
      `--outfile=${outfile}`,
      // Bundled CommonJS packages may require() Node's own modules.
      "--banner:js=import { createRequire as __actorRequire } from 'node:module'; const require = __actorRequire(import.meta.url);",
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  ({ main } = await import(pathToFileURL(outfile).href));
} finally {
  // Loaded whole: the file is not read again.
  rmSync(dir, { recursive: true, force: true });
}
process.exit(await main(process.argv.slice(2)));
