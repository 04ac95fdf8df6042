// Vitest global setup: the tests run the actor as it ships, built once for the run when stale.
import { buildActor } from '../../build.mjs';

export default async function setup(): Promise<void> {
  await buildActor({ onlyIfStale: true });
}
