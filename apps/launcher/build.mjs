// `pnpm build`: the Director with its local actor in one file, dist/email-profiles.mjs. Only
// better-sqlite3 stays outside: a native module, loaded from this package's node_modules.
import { fileURLToPath } from 'node:url';

export const LAUNCHER_FILE = fileURLToPath(new URL('dist/email-profiles.mjs', import.meta.url));

/** Builds the launcher (always, or with `onlyIfStale` when it is missing or older than its sources). */
export async function buildLauncher({ onlyIfStale = false } = {}) {
  // Imported here, not above: scripts/start.mjs reads the names before esbuild is installed.
  const { bundle, bundleIsStale } = await import('../../scripts/bundle.mjs');
  if (onlyIfStale && !bundleIsStale(LAUNCHER_FILE)) return false;
  const entry = fileURLToPath(new URL('src/main.ts', import.meta.url));
  await bundle({ entry, outfile: LAUNCHER_FILE, external: ['better-sqlite3'] });
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildLauncher();
