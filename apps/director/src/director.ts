// Starting and stopping a whole Director: the data directory and master key, the database
// (migrated), the HTTP server.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ACTOR_BUNDLE } from './assets.js';
import type { Config } from './config.js';
import { actorBundleAt } from './downloads.js';
import { prepareDataDir } from './data-dir.js';
import { countUsers, createZone, listZones, openDatabase, type Conn } from './db/index.js';
import { issueEnrollmentToken } from './db/enrollment.js';
import { Vault, loadMasterKey } from './secrets/vault.js';
import { FailureLimiter } from './auth/rate-limit.js';
import { startServer } from './server.js';
import type { Services } from './trpc.js';
import { Health, type HealthDeps, type HealthTiming } from './health/index.js';
import { DirectorEvents } from './verification/events.js';
import {
  createVerificationServices,
  type VerificationServices,
  type VerificationTiming,
} from './verification/index.js';

export type RunningDirector = {
  url: string;
  databaseFile: string;
  /**
   * A one-time enrollment token for the zone of this name (created when there is none), for an
   * actor started by the same process, as `npm start` does with its local actor.
   */
  enrollmentToken(zoneName: string, validForMs?: number): string;
  /** Whether no administrator exists yet: the web app then starts with first-run setup. */
  setupRequired(): boolean;
  /** Runs the schedule and the alerts now (they also run once a minute). */
  health: Pick<Health, 'tick'>;
  close(): Promise<void>;
};

/** What every procedure sees, around one database and vault. */
export function createServices(
  config: Config,
  log: Logger,
  db: Conn,
  vault: Vault,
  timing?: Partial<VerificationTiming>,
  health: HealthOptions = {},
): Services & Pick<VerificationServices, 'start' | 'stop'> {
  const events = new DirectorEvents();
  const verification = createVerificationServices({ db, vault, log, config, events }, timing);
  const { timing: healthTiming, ...clock } = health;
  const watch = new Health(
    { db, vault, log, config, verification: verification.verification, ...clock },
    healthTiming,
  );
  return {
    config,
    log,
    db,
    vault,
    loginLimiter: new FailureLimiter(),
    events,
    ...verification,
    health: watch,
    start() {
      verification.start();
      watch.start();
    },
    async stop() {
      await watch.stop();
      await verification.stop();
    },
  };
}

/** The health watch's clock, randomness and timing (tests move the clock by hand). */
export type HealthOptions = Pick<HealthDeps, 'clock' | 'random'> & {
  timing?: Partial<HealthTiming>;
};

export type DirectorOptions = {
  timing?: Partial<VerificationTiming>;
  health?: HealthOptions;
  /** The actor bundle to offer for download (default: apps/actor/dist, when built). */
  actorBundle?: string;
};

export async function startDirector(
  config: Config,
  log: Logger,
  options: DirectorOptions = {},
): Promise<RunningDirector> {
  prepareDataDir(config.dataDir, log);
  // Loaded (or created) at start, so a missing or unsafe key stops the Director right away.
  const masterKey = loadMasterKey({ dataDir: config.dataDir, envKey: config.masterKey });
  if (masterKey.created)
    log.warn({ path: masterKey.path }, 'created a new master key: back it up with the database');
  const databaseFile = join(config.dataDir, 'director.db');
  const database = openDatabase(databaseFile);
  const services = createServices(
    config,
    log,
    database.db,
    new Vault(masterKey.key),
    options.timing,
    options.health,
  );
  services.actorBundle = actorBundleAt(options.actorBundle ?? ACTOR_BUNDLE);
  const server = await startServer(services).catch((error: unknown) => {
    database.close();
    throw error;
  });
  services.start();
  return {
    url: server.url,
    databaseFile,
    setupRequired: () => countUsers(database.db) === 0,
    health: services.health,
    enrollmentToken: (zoneName, validForMs = 60_000) => {
      const zone =
        listZones(database.db).find((z) => z.name === zoneName) ??
        createZone(database.db, { name: zoneName });
      return issueEnrollmentToken(database.db, zone.id, new Date(Date.now() + validForMs)).token;
    },
    close: async () => {
      await services.stop();
      await server.close();
      database.close();
    },
  };
}
