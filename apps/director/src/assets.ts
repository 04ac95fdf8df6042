// The files the Director reads at run time, found from the repository that holds it: the same
// from its TypeScript sources and from the launcher's bundle (apps/launcher/dist), which sit at
// different depths.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('The Director must run from its repository checkout');
    dir = parent;
  }
  return dir;
}

const root = repositoryRoot();

/** The database migrations drizzle-kit writes (apps/director/drizzle). */
export const MIGRATIONS_FOLDER = join(root, 'apps', 'director', 'drizzle');
/** Where `pnpm --filter @email-profiles/web build` puts the app. */
export const WEB_DIST = join(root, 'apps', 'web', 'dist') + '/';
/** The actor in one file (`pnpm --filter @email-profiles/actor build`), offered for download. */
export const ACTOR_BUNDLE = join(root, 'apps', 'actor', 'dist', 'email-profiles-actor.mjs');
