#!/usr/bin/env -S node --max-semi-space-size=1
// The actor from a checkout of the repository: builds dist/email-profiles-actor.mjs when it is
// missing or older than its sources, then runs it. Actor hosts download that file from the
// Director instead (Add actor shows how).
import { pathToFileURL } from 'node:url';
import { ACTOR_BUNDLE_FILE, buildActor } from '../build.mjs';

await buildActor({ onlyIfStale: true });
await import(pathToFileURL(ACTOR_BUNDLE_FILE).href);
