#!/usr/bin/env node
// `npm start`: the Director with a local actor and the web UI, on an embedded SQLite file.
import { existsSync } from 'node:fs';

const director = new URL('../apps/director/package.json', import.meta.url);
if (!existsSync(director)) {
  console.error(
    [
      'Email Profiles: the Director server is not built yet, so there is nothing to start.',
      'What exists today is the shared domain package (packages/core); run `npm test` to check it.',
      '`npm start` will start the Director, a local actor and the web UI once apps/director lands.',
    ].join('\n'),
  );
  process.exit(1);
}
