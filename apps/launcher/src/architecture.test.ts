// Who may import whom (docs/architecture.md), checked against every package's sources and
// dependencies. A package's shipped code is its src/ without tests, test support (testing/,
// *test-support.ts, test-client.ts) and benchmarks; those may also use the test-only packages.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repository = fileURLToPath(new URL('../../..', import.meta.url));

/** What each package's shipped code may import from the workspace. */
const ALLOWED: Record<string, { imports: string[]; types?: string[] }> = {
  core: { imports: [] },
  log: { imports: ['core'] },
  ntlm: { imports: [] },
  'transport-net': { imports: ['core', 'ntlm'] },
  'transport-imap': { imports: ['core', 'transport-net'] },
  'transport-pop3': { imports: ['core', 'transport-net'] },
  'transport-smtp': { imports: ['core', 'transport-net'] },
  'transport-graph': { imports: ['core', 'transport-net'] },
  'transport-gmail': { imports: ['core', 'transport-net'] },
  'mail-stack': { imports: ['ntlm'] },
  director: {
    imports: [
      'core',
      'log',
      'transport-net',
      'transport-smtp',
      'transport-graph',
      'transport-gmail',
    ],
  },
  actor: {
    imports: [
      'core',
      'log',
      'transport-imap',
      'transport-pop3',
      'transport-smtp',
      'transport-graph',
      'transport-gmail',
    ],
    // The typed client of the Director's API: its router's type, nothing that runs.
    types: ['director'],
  },
  web: { imports: ['core'], types: ['director'] },
  launcher: { imports: ['director', 'actor', 'log'] },
  demo: { imports: ['core', 'director', 'actor', 'log', 'mail-stack'] },
};

const packages = ['apps', 'packages'].flatMap((group) =>
  readdirSync(join(repository, group)).map((name) => ({
    name,
    dir: join(repository, group, name),
  })),
);

/** The shipped source files under a folder. */
function shipped(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'testing' ? [] : shipped(path);
    return /\.(ts|vue)$/.test(entry) &&
      !/(\.test|\.bench|test-support|test-client)\.ts$/.test(entry)
      ? [path]
      : [];
  });
}

type Use = { file: string; target: string; typeOnly: boolean };

function workspaceImports(file: string): Use[] {
  const text = readFileSync(file, 'utf8');
  const uses: Use[] = [];
  const pattern =
    /(import\s+type\b[^;]*?from\s*|export\s+type\b[^;]*?from\s*|from\s*|import\s*\(\s*|import\s+)'@email-profiles\/([a-z0-9-]+)/g;
  for (const match of text.matchAll(pattern)) {
    uses.push({
      file: relative(repository, file),
      target: match[2]!,
      typeOnly: /^(import|export)\s+type\b/.test(match[1]!),
    });
  }
  return uses;
}

describe('the architecture', () => {
  it('knows every package', () => {
    expect(packages.map((p) => p.name).sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it.each(packages)('$name imports only what it may', ({ name, dir }) => {
    const rule = ALLOWED[name]!;
    const forbidden = shipped(join(dir, 'src'))
      .flatMap(workspaceImports)
      .filter(
        (use) =>
          use.target !== name &&
          !rule.imports.includes(use.target) &&
          !(use.typeOnly && rule.types?.includes(use.target)),
      )
      .map((use) => `${use.file} → ${use.target}${use.typeOnly ? ' (type)' : ''}`);
    expect(forbidden).toEqual([]);
  });

  it.each(packages)('$name depends at run time only on what it may import', ({ name, dir }) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const runtime = Object.keys(manifest.dependencies ?? {})
      .filter((dependency) => dependency.startsWith('@email-profiles/'))
      .map((dependency) => dependency.slice('@email-profiles/'.length));
    expect(runtime.filter((dependency) => !ALLOWED[name]!.imports.includes(dependency))).toEqual(
      [],
    );
  });

  it('keeps core free of I/O: no Node module in its shipped code', () => {
    const io = shipped(join(repository, 'packages/core/src')).filter((file) =>
      /from\s*'node:|require\(/.test(readFileSync(file, 'utf8')),
    );
    expect(io.map((file) => relative(repository, file))).toEqual([]);
  });
});
