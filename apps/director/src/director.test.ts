import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN, browserTab } from './routers/test-client.js';
import { loadConfig } from './config.js';
import { startDirector } from './director.js';

const dataDir = mkdtempSync(join(tmpdir(), 'director-'));
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
const silent = pino({ level: 'silent' });

describe('starting the Director', () => {
  it('creates its data directory, master key and migrated database, and answers health', async () => {
    const config = loadConfig({
      EMAIL_PROFILES_PORT: '0',
      EMAIL_PROFILES_DATA_DIR: join(dataDir, 'data'),
    });
    const director = await startDirector(config, silent);
    try {
      expect((await fetch(`${director.url}/api/health`)).status).toBe(200);
      expect(existsSync(director.databaseFile)).toBe(true);
      expect(statSync(join(config.dataDir, 'master.key')).mode & 0o777).toBe(0o600);
      expect(statSync(config.dataDir).mode & 0o777).toBe(0o700);
    } finally {
      await director.close();
    }
    // A restart on the same directory reuses the key and the database.
    const again = await startDirector(config, silent);
    try {
      // Until an administrator exists, it says first-run setup is next; then it no longer does.
      expect(again.setupRequired()).toBe(true);
      await browserTab(again.url).client.auth.setup.mutate(ADMIN);
      expect(again.setupRequired()).toBe(false);
    } finally {
      await again.close();
    }
  });

  it('refuses to start with an unsafe master key file, saying why', async () => {
    const config = loadConfig({
      EMAIL_PROFILES_PORT: '0',
      EMAIL_PROFILES_DATA_DIR: join(dataDir, 'data'),
    });
    const { chmodSync } = await import('node:fs');
    chmodSync(join(config.dataDir, 'master.key'), 0o644);
    await expect(startDirector(config, silent)).rejects.toThrow(/chmod 600/);
    chmodSync(join(config.dataDir, 'master.key'), 0o600);
  });

  it.each([0o000, 0o022])(
    'keeps its data private under umask %o: a 0755 directory becomes 0700, every file 0600',
    async (umask) => {
      const dir = join(dataDir, `existing-${umask.toString(8)}`);
      mkdirSync(dir, { mode: 0o755 });
      const previous = process.umask(umask);
      const warnings: unknown[] = [];
      const log = pino(
        { level: 'warn' },
        { write: (line: string) => warnings.push(JSON.parse(line)) },
      );
      try {
        // Left by an older release with the umask's modes.
        writeFileSync(join(dir, 'director.db'), '', { mode: 0o644 });
        writeFileSync(join(dir, 'director.db-wal'), '', { mode: 0o644 });
        const config = loadConfig({ EMAIL_PROFILES_PORT: '0', EMAIL_PROFILES_DATA_DIR: dir });
        const director = await startDirector(config, log);
        try {
          // Writes go through the WAL: the journal files exist while it runs.
          await browserTab(director.url).client.auth.setup.mutate(ADMIN);
          const modeOf = (name: string) => (statSync(join(dir, name)).mode & 0o777).toString(8);
          expect(modeOf('.')).toBe('700');
          for (const name of ['director.db', 'director.db-wal', 'director.db-shm', 'master.key']) {
            expect([name, modeOf(name)]).toEqual([name, '600']);
          }
        } finally {
          await director.close();
        }
        expect(warnings).toContainEqual(
          expect.objectContaining({
            path: dir,
            was: '0755',
            msg: expect.stringContaining('0700') as unknown,
          }),
        );
      } finally {
        process.umask(previous);
      }
    },
  );

  it('treats an empty master key variable as unset', () => {
    expect(loadConfig({ EMAIL_PROFILES_MASTER_KEY: '' }).masterKey).toBeUndefined();
  });
});
