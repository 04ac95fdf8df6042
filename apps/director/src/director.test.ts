import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
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
    await again.close();
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

  it('treats an empty master key variable as unset', () => {
    expect(loadConfig({ EMAIL_PROFILES_MASTER_KEY: '' }).masterKey).toBeUndefined();
  });
});
