#!/usr/bin/env -S node --max-semi-space-size=1
// The actor from a checkout of the repository: builds dist/email-profiles-actor.mjs when it is
// missing or older than its sources, then runs it. Actor hosts download that file from the
// Director instead (Add actor shows how).
import { pathToFileURL } from 'node:url';
import { bundle, bundleIsStale } from '../../../scripts/bundle.mjs';
import { ACTOR_BUNDLE_ENTRY, ACTOR_BUNDLE_FILE } from '../build.mjs';

if (bundleIsStale(ACTOR_BUNDLE_FILE))
  await bundle({ entry: ACTOR_BUNDLE_ENTRY, outfile: ACTOR_BUNDLE_FILE });
await import(pathToFileURL(ACTOR_BUNDLE_FILE).href);
