// What the Director benchmarks share: an administrator, a zone, actors enrolled through the API,
// and profiles written straight into the Director's SQLite file (through a second connection).
import { join } from 'node:path';
import type { ActorVerification, EmailProfile } from '@email-profiles/core';
import { openDatabase, putActorVerification, saveProfile } from '../src/db/index.js';
import { profileOf } from '../src/db/test-support.js';
import { browserTab } from '../src/routers/test-client.js';
import { Vault, loadMasterKey } from '../src/secrets/vault.js';

export const ADMIN = { email: 'admin@example.test', password: 'correct horse battery' };

export type Operator = ReturnType<typeof browserTab>['client'];

export async function operatorOf(url: string): Promise<Operator> {
  const { client } = browserTab(url);
  await client.auth.setup.mutate(ADMIN);
  return client;
}

export type EnrolledActor = { id: string; token: string };

/** `count` actors enrolled through the actor API with one-time tokens, in one new zone. */
export async function enrollActors(
  url: string,
  operator: Operator,
  count: number,
): Promise<EnrolledActor[]> {
  const zone = await operator.zones.create.mutate({ name: 'Bench' });
  const { client: anonymous } = browserTab(url);
  const actors: EnrolledActor[] = [];
  for (let i = 0; i < count; i += 1) {
    const { token: enrollmentToken } = await operator.actors.createEnrollmentToken.mutate({
      zoneId: zone.id,
    });
    const enrolled = await anonymous.actorApi.enroll.mutate({
      enrollmentToken,
      name: `bench actor ${i + 1}`,
    });
    actors.push({ id: enrolled.actorId, token: enrolled.token });
  }
  return actors;
}

/**
 * Writes `count` profiles, each with the actors `actorsOf(i)` picks; `adjust` changes a profile
 * before it is saved, `stateOf` gives stored states (none: unverified).
 */
export function seedProfiles(
  dataDir: string,
  count: number,
  actorsOf: (i: number) => string[],
  adjust: (profile: EmailProfile) => EmailProfile = (profile) => profile,
  stateOf?: (profile: EmailProfile, k: number) => ActorVerification | undefined,
): void {
  const store = openDatabase(join(dataDir, 'director.db'));
  const vault = new Vault(loadMasterKey({ dataDir }).key);
  try {
    store.db.transaction((tx) => {
      for (let i = 0; i < count; i += 1) {
        const type = (['imap', 'pop3', 'graph', 'gmail'] as const)[i % 4] ?? 'imap';
        const profile = adjust(profileOf(type, actorsOf(i), `p-${i}`));
        saveProfile(tx, vault, profile);
        profile.actorIds.forEach((actorId, k) => {
          const state = stateOf?.(profile, k);
          if (state) putActorVerification(tx, profile.id, actorId, state);
        });
      }
    });
  } finally {
    store.close();
  }
}
