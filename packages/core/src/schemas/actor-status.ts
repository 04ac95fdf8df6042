// The actors table, live: the Director's stream of actor changes (enrolled, revoked, renamed, came
// online, went offline), and how a client applies them to the list it holds.
import { z } from 'zod';
import { idSchema } from '../validation/fields.js';
import { actorListItemSchema, type ActorListItem } from './actor.js';

/**
 * One event of the actors stream. The first one of a stream is `full`: every actor, replacing what
 * the client holds. Each later one carries only what changed: the actors enrolled or changed (name,
 * zone, online/offline) and the ids of those revoked. A heartbeat that changes nothing the table
 * shows sends nothing, so `lastSeenAt` is as of the actor's last change, not its last contact.
 */
export const actorsChangeSchema = z.object({
  full: z.boolean(),
  actors: z.array(actorListItemSchema),
  removed: z.array(idSchema),
});
export type ActorsChange = z.infer<typeof actorsChangeSchema>;

/** The Director's order of the actors table: by name, then id (as SQLite compares them). */
export function compareActors(a: ActorListItem, b: ActorListItem): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/** The list after a change: replaced by a full one, else changed in place, in table order. */
export function applyActorsChange(
  list: readonly ActorListItem[],
  change: ActorsChange,
): ActorListItem[] {
  if (change.full) return [...change.actors].sort(compareActors);
  const changed = new Map(change.actors.map((actor) => [actor.id, actor]));
  const removed = new Set(change.removed);
  const kept = list
    .filter((actor) => !removed.has(actor.id) && !changed.has(actor.id))
    .concat([...changed.values()]);
  return kept.sort(compareActors);
}
