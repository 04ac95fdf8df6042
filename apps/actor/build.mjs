// `pnpm build`: the actor in one file for Node 20, dist/email-profiles-actor.mjs, which the
// Director offers for download.
import { fileURLToPath } from 'node:url';

export const ACTOR_BUNDLE_FILE = fileURLToPath(
  new URL('dist/email-profiles-actor.mjs', import.meta.url),
);

/** Builds the actor (always, or with `onlyIfStale` when it is missing or older than its sources). */
export async function buildActor({ onlyIfStale = false } = {}) {
  // Imported here, not above: scripts/start.mjs reads the names before esbuild is installed.
  const { bundle, bundleIsStale } = await import('../../scripts/bundle.mjs');
  if (onlyIfStale && !bundleIsStale(ACTOR_BUNDLE_FILE)) return false;
  const entry = fileURLToPath(new URL('src/main.ts', import.meta.url));
  await bundle({ entry, outfile: ACTOR_BUNDLE_FILE });
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildActor();
