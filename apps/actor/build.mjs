// `pnpm build`: the actor in one file for Node 20, dist/email-profiles-actor.mjs, which the
// Director offers for download.
import { fileURLToPath } from 'node:url';

export const ACTOR_BUNDLE_ENTRY = fileURLToPath(new URL('src/main.ts', import.meta.url));
export const ACTOR_BUNDLE_FILE = fileURLToPath(
  new URL('dist/email-profiles-actor.mjs', import.meta.url),
);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Imported here, not above: scripts/start.mjs reads the names before esbuild is installed.
  const { bundle } = await import('../../scripts/bundle.mjs');
  await bundle({ entry: ACTOR_BUNDLE_ENTRY, outfile: ACTOR_BUNDLE_FILE });
}
