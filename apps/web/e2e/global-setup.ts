// Before the browser tests: a fresh production build of the app into dist/, which the Director
// serves exactly as `npm start` does.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export default async function setup() {
  await build({
    root: fileURLToPath(new URL('..', import.meta.url)),
    logLevel: 'warn',
  });
}
