// `pnpm build`: the Director with its local actor in one file, dist/email-profiles.mjs. Only
// better-sqlite3 stays outside: a native module, loaded from this package's node_modules.
import { fileURLToPath } from 'node:url';

export const LAUNCHER_ENTRY = fileURLToPath(new URL('src/main.ts', import.meta.url));
export const LAUNCHER_FILE = fileURLToPath(new URL('dist/email-profiles.mjs', import.meta.url));
export const LAUNCHER_EXTERNAL = ['better-sqlite3'];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Imported here, not above: scripts/start.mjs reads the names before esbuild is installed.
  const { bundle } = await import('../../scripts/bundle.mjs');
  await bundle({ entry: LAUNCHER_ENTRY, outfile: LAUNCHER_FILE, external: LAUNCHER_EXTERNAL });
}
