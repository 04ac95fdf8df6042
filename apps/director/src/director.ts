// Starting and stopping a whole Director: the data directory and master key, the database
// (migrated), the HTTP server.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase } from './db/index.js';
import { Vault, loadMasterKey } from './secrets/vault.js';
import { FailureLimiter } from './auth/rate-limit.js';
import { startServer } from './server.js';

export type RunningDirector = { url: string; databaseFile: string; close(): Promise<void> };

export async function startDirector(config: Config, log: Logger): Promise<RunningDirector> {
  // Loaded (or created) at start, so a missing or unsafe key stops the Director right away.
  const masterKey = loadMasterKey({ dataDir: config.dataDir, envKey: config.masterKey });
  if (masterKey.created)
    log.warn({ path: masterKey.path }, 'created a new master key: back it up with the database');
  const databaseFile = join(config.dataDir, 'director.db');
  const database = openDatabase(databaseFile);
  const loginLimiter = new FailureLimiter();
  const vault = new Vault(masterKey.key);
  const server = await startServer({ config, log, db: database.db, vault, loginLimiter }).catch(
    (error: unknown) => {
      database.close();
      throw error;
    },
  );
  return {
    url: server.url,
    databaseFile,
    close: async () => {
      await server.close();
      database.close();
    },
  };
}
