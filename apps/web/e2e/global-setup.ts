// Before the browser tests: the actor's bundle when stale, and a fresh production build of the app into dist/, which the Director
// serves exactly as `npm start` does. Built beside it and swapped in with two renames, so a
// Director running meanwhile (other packages' tests) never sees a half-written dist/.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { buildActor } from '../../actor/build.mjs';

export default async function setup() {
  // The actor the Director offers for download, which the Add actor test installs.
  await buildActor({ onlyIfStale: true });
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dist = join(root, 'dist');
  const fresh = join(root, `.dist-${process.pid}`);
  const old = join(root, `.dist-old-${process.pid}`);
  try {
    await build({ root, logLevel: 'warn', build: { outDir: fresh, emptyOutDir: true } });
    if (existsSync(dist)) renameSync(dist, old);
    renameSync(fresh, dist);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}
