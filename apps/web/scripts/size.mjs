#!/usr/bin/env node
// Prints what the browser loads first (index.html's scripts, module preloads and styles) and
// every lazily loaded chunk, raw and gzipped, from dist/. Fails when the initial JavaScript is
// over budget. Run after `pnpm --filter @email-profiles/web build`.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 150;
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
if (!existsSync(join(dist, 'index.html'))) {
  console.error('No dist/index.html: run `pnpm --filter @email-profiles/web build` first.');
  process.exit(1);
}
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = new Set(
  [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]),
);
const kb = (bytes) => (bytes / 1024).toFixed(1);
const rows = readdirSync(join(dist, 'assets'))
  .filter((file) => /\.(js|css)$/.test(file))
  .map((file) => {
    const body = readFileSync(join(dist, 'assets', file));
    return {
      file: `assets/${file}`,
      raw: body.length,
      gzip: gzipSync(body, { level: 9 }).length,
      initial: initial.has(`assets/${file}`),
    };
  })
  .sort((a, b) => Number(b.initial) - Number(a.initial) || b.gzip - a.gzip);

const width = Math.max(...rows.map((row) => row.file.length), 4);
console.log(
  `${'file'.padEnd(width)}  ${'load'.padEnd(7)}  ${'raw KB'.padStart(8)}  ${'gzip KB'.padStart(8)}`,
);
for (const row of rows) {
  console.log(
    `${row.file.padEnd(width)}  ${(row.initial ? 'initial' : 'lazy').padEnd(7)}  ${kb(row.raw).padStart(8)}  ${kb(row.gzip).padStart(8)}`,
  );
}
const initialJs = rows.filter((row) => row.initial && row.file.endsWith('.js'));
const total = initialJs.reduce((sum, row) => sum + row.gzip, 0);
const lazy = rows.filter((row) => !row.initial && row.file.endsWith('.js'));
console.log(
  `\ninitial JavaScript: ${kb(total)} KB gzipped in ${initialJs.length} file(s) (budget ${BUDGET_KB} KB); lazy chunks: ${lazy.length}, ${kb(lazy.reduce((s, r) => s + r.gzip, 0))} KB gzipped`,
);
if (total > BUDGET_KB * 1024) {
  console.error(`Over budget by ${kb(total - BUDGET_KB * 1024)} KB`);
  process.exit(1);
}
