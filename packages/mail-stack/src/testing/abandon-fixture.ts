// Child process for lifecycle.test.ts: starts a stack, prints what it started, then either exits
// without calling stop() ("exit": the exit safety net must clean up) or waits to be SIGKILLed
// ("hang": the next start must clean up).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startMailStack } from '../index.js';
import { descendants, type ProcessRecord } from '../processes.js';

const stack = await startMailStack({ components: ['dovecot', 'cyrus'] });
const masters = JSON.parse(
  readFileSync(path.join(stack.dir, 'pids.json'), 'utf8'),
) as ProcessRecord[];
const ports = [stack.dovecot, stack.cyrus].flatMap((server) => Object.values(server?.ports ?? {}));
const processes = [...masters, ...descendants(masters)];
process.stdout.write(`${JSON.stringify({ dir: stack.dir, processes, ports })}\n`);
if (process.argv[2] === 'exit') process.exit(0);
setInterval(() => undefined, 60_000);
