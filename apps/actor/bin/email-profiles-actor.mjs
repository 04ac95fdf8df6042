#!/usr/bin/env node
// The actor's command line. The workspace's packages are TypeScript source, so tsx loads them.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exit(await main(process.argv.slice(2)));
