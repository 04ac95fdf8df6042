// The first step of both README commands on a checkout without node_modules: scripts/bootstrap.mjs
// installs with the pinned pnpm; when the install fails it says what failed and what to do, and
// leaves nothing half-made that the next try would trip over. Run on a copy of the repository,
// with a registry that refuses (a closed loopback port) and the machine's pnpm store.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repository = fileURLToPath(new URL('../../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'launcher-bootstrap-'));
const copy = join(work, 'checkout');
const bin = join(work, 'bin');

beforeAll(() => {
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repository,
    encoding: 'utf8',
  }).stdout.split('\0');
  for (const file of files.filter(Boolean)) {
    if (!existsSync(join(repository, file))) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(repository, file), join(copy, file));
  }
  // The pinned pnpm, as a machine with pnpm installed has it; no global one otherwise.
  mkdirSync(bin);
  const pnpm = join(repository, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  writeFileSync(join(bin, 'pnpm'), `#!/bin/sh\nexec "${process.execPath}" "${pnpm}" "$@"\n`, {
    mode: 0o755,
  });
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function bootstrap(env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['scripts/bootstrap.mjs'], {
    cwd: copy,
    encoding: 'utf8',
    env: {
      PATH: [bin, dirname(process.execPath), '/usr/bin', '/bin'].join(':'),
      HOME: process.env.HOME ?? work,
      npm_lifecycle_event: 'test',
      // Nothing leaves the machine: every download is refused at once.
      npm_config_registry: 'http://127.0.0.1:9/',
      npm_config_fetch_retries: '0',
      ...env,
    },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const tool = (name: string) => join(copy, 'node_modules', '.bin', name);

describe('installing on first use', () => {
  it('says why a failed install failed and what to do, and leaves no half-made node_modules', () => {
    const failed = bootstrap({ npm_config_store_dir: join(work, 'empty-store') });
    expect(failed.status).toBe(1);
    expect(failed.output).toContain('ECONNREFUSED');
    expect(failed.output).toContain(
      "npm test: installing the workspace's dependencies failed (pnpm install exited with 1",
    );
    expect(failed.output).toContain('running npm test again starts the install afresh');
    expect(existsSync(join(copy, 'node_modules'))).toBe(false);
    expect(existsSync(join(copy, 'apps', 'director', 'node_modules'))).toBe(false);
  });

  it('installs on the next try, from the store', () => {
    const installed = bootstrap();
    expect(installed.output).not.toContain('failed');
    expect(installed.status).toBe(0);
    for (const name of ['pnpm', 'turbo', 'tsx']) expect(existsSync(tool(name))).toBe(true);
  });

  it('recovers a tree an interrupted install left without its tools', () => {
    rmSync(join(copy, 'node_modules', 'pnpm'), { recursive: true });
    rmSync(tool('turbo'));
    const again = bootstrap();
    expect(again.status).toBe(0);
    const version = spawnSync(tool('pnpm'), ['--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(existsSync(tool('turbo'))).toBe(true);
  });
});
