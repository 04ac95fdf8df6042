#!/usr/bin/env -S node --max-semi-space-size=1
// The actor in one file (dist/email-profiles-actor.mjs, `pnpm build`): all an actor host needs
// is Node 20. The young generation is kept small (1 MB semi-spaces): an actor allocates little
// and often, and frequent scavenges cost it nothing.
import { main } from './cli.js';

process.exit(await main(process.argv.slice(2)));
