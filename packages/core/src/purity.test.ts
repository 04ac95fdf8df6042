// core runs unchanged in the browser and in Node: no runtime-specific imports or globals, and no
// runtime dependency but zod. (The compiler enforces much of this too, via tsconfig.src.json.)
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = sourceFiles(join(root, 'src'));

describe('core purity', () => {
  it('depends on zod alone at run time', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['zod']);
  });

  it.each(files.map((file) => [file.slice(root.length + 1), file]))(
    '%s imports only zod and its own files',
    (_, file) => {
      const source = readFileSync(file, 'utf8');
      const specifiers = [
        ...source.matchAll(
          /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]/g,
        ),
      ].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
      for (const specifier of specifiers) {
        expect(
          specifier === 'zod' || specifier.startsWith('./') || specifier.startsWith('../'),
          `${specifier} in ${file}`,
        ).toBe(true);
      }
      expect(source).not.toMatch(
        /\b(process|Buffer|__dirname|__filename|require|window|document|localStorage)\s*[.([]/,
      );
    },
  );

  it('finds the source files it checks', () => {
    expect(files.length).toBeGreaterThan(10);
  });
});
