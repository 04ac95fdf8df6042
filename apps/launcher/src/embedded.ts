// `npm start`: the Director and, in the same process, a local actor, so a fresh install can
// verify mailboxes reachable from this machine right away. On first start the local actor is
// enrolled with a token the Director issues in process and through its real enrollment API
// (zone "Local", named after the host); its credential is kept in the data directory (0600).
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  credentialExists,
  enrollActor,
  readCredential,
  runActor,
  type RunningActor,
} from '@email-profiles/actor';
import { startDirector, type Config, type RunningDirector } from '@email-profiles/director';

export const LOCAL_ZONE = 'Local';
export const LOCAL_CREDENTIAL_FILE = 'local-actor.json';

/** Enrolls the local actor unless the data directory already holds its credential. */
export async function ensureLocalActor(
  director: RunningDirector,
  dataDir: string,
  log: Logger,
): Promise<string> {
  const credentialPath = join(dataDir, LOCAL_CREDENTIAL_FILE);
  if (credentialExists(credentialPath)) return credentialPath;
  const token = director.enrollmentToken(LOCAL_ZONE);
  const name = (hostname().trim() || 'local').slice(0, 64);
  await enrollActor({ directorUrl: director.url, enrollmentToken: token, name, credentialPath });
  log.info({ name, zone: LOCAL_ZONE }, 'local actor enrolled');
  return credentialPath;
}

export type Embedded = { director: RunningDirector; actor: RunningActor; stop(): Promise<void> };

export async function startEmbedded(config: Config, log: Logger): Promise<Embedded> {
  const director = await startDirector(config, log);
  let actor: RunningActor;
  try {
    const credential = readCredential(await ensureLocalActor(director, config.dataDir, log));
    // The Director's address of this run (its port may differ from when the actor enrolled).
    actor = runActor({
      directorUrl: director.url,
      token: credential.token,
      log: log.child({ component: 'local-actor' }),
    });
  } catch (error) {
    await director.close();
    throw error;
  }
  actor.done.catch((error: unknown) => {
    log.error(
      { reason: error instanceof Error ? error.message : String(error) },
      'local actor stopped',
    );
  });
  return {
    director,
    actor,
    stop: async () => {
      await actor.stop();
      await director.close();
    },
  };
}
