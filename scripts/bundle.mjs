// One ESM file for Node 20 from a TypeScript entry point, with esbuild: what ships (the actor
// an actor host downloads, the launcher `npm start` runs) is plain JavaScript, with no TypeScript
// loader or bundler in the running process. The files it was made from are kept beside it
// (`<bundle>.inputs.json`), so a bundle older than any of them is known to be stale.
// Written to a temporary name and renamed, so processes starting meanwhile never read half a file.
//
//   node scripts/bundle.mjs <entry.ts> <out.mjs> [--external <package>]...
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const inputsOf = (outfile) => `${outfile}.inputs.json`;

/** Whether `outfile` is missing or older than a file it was made from. */
export function bundleIsStale(outfile) {
  if (!existsSync(outfile) || !existsSync(inputsOf(outfile))) return true;
  const built = statSync(outfile).mtimeMs;
  const inputs = JSON.parse(readFileSync(inputsOf(outfile), 'utf8'));
  return inputs.some((input) => !existsSync(input) || statSync(input).mtimeMs > built);
}

export async function bundle({ entry, outfile, external = [] }) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external,
    write: false,
    metafile: true,
    logLevel: 'error',
    outfile,
    // Bundled CommonJS packages may require() Node's own modules.
    banner: {
      js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
    },
  });
  const [output] = result.outputFiles;
  const inputs = Object.keys(result.metafile.inputs).map((input) => resolve(root, input));
  mkdirSync(dirname(outfile), { recursive: true });
  const temporary = `${outfile}.${process.pid}.tmp`;
  writeFileSync(`${temporary}.inputs`, JSON.stringify(inputs));
  writeFileSync(temporary, output.contents, { mode: 0o755 });
  renameSync(`${temporary}.inputs`, inputsOf(outfile));
  renameSync(temporary, outfile);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { external: { type: 'string', multiple: true, default: [] } },
  });
  const [entry, outfile] = positionals;
  if (!entry || !outfile) {
    console.error('Usage: node scripts/bundle.mjs <entry.ts> <out.mjs> [--external <package>]...');
    process.exit(2);
  }
  await bundle({ entry: resolve(entry), outfile: resolve(outfile), external: values.external });
}
