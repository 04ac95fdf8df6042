// Vitest global setup: the tests run the actor as it ships, built once for the run.
import { buildActorBundle } from './processes.js';

export default async function setup(): Promise<void> {
  await buildActorBundle();
}
