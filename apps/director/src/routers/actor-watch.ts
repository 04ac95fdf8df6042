// The actors table, watched for the live stream: one watch per Director (per database), running
// only while someone follows it. Online is derived from last-seen within a window, so going
// offline happens by time passing, not by a write: the watch looks again when the first online
// actor's window ends, and every second (an actor's poll, recorded by the task broker, makes it
// online; its enrollment adds it). A write it is told about (revoke, zone rename) makes it look at
// once. Each look is one query of the actors with their zones and a comparison with the last one;
// a change is validated once and sent to every follower as only what changed. Heartbeats that
// change nothing the table shows send nothing.
import { actorsChangeSchema, type ActorListItem, type ActorsChange } from '@email-profiles/core';
import { connectionOf, listActorsWithZones, ONLINE_WINDOW_MS, type Conn } from '../db/index.js';
import type { DirectorEvents } from '../verification/events.js';

/** How often the watch looks for enrolled actors and actors that came online. */
export const ACTOR_WATCH_POLL_MS = 1_000;

/** setTimeout's longest delay (a longer one would fire at once). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

type Seen = { key: string; item: ActorListItem };

export class ActorWatch {
  private seen = new Map<string, Seen>();
  private followers = 0;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => void) | undefined;

  constructor(
    private readonly db: Conn,
    private readonly events: DirectorEvents,
    private readonly pollMs: number = ACTOR_WATCH_POLL_MS,
  ) {}

  /**
   * Keeps the watch running until the returned function is called (once per follower), and gives
   * the whole table as it is now.
   */
  follow(): { actors: ActorListItem[]; release: () => void } {
    const first = this.followers === 0;
    this.followers += 1;
    if (first) this.unlisten = this.events.onActorsWritten(() => this.look());
    // The first follower starts the watch: nobody else is told the table it starts from.
    const actors = this.look(Date.now(), { quiet: first });
    let released = false;
    return {
      actors,
      release: () => {
        if (released) return;
        released = true;
        this.followers -= 1;
        if (this.followers > 0) return;
        clearTimeout(this.timer);
        this.timer = undefined;
        this.unlisten?.();
        this.unlisten = undefined;
        // The next first follower starts from the table as it is then.
        this.seen = new Map();
      },
    };
  }

  /** Reads the table, tells the followers what changed since the last look, and plans the next. */
  look(at: number = Date.now(), options: { quiet?: boolean } = {}): ActorListItem[] {
    const now = new Map<string, Seen>();
    let nextCrossing = Infinity;
    for (const actor of listActorsWithZones(this.db)) {
      const connection = connectionOf(actor.lastSeenAt, at);
      if (connection === 'online' && actor.lastSeenAt !== null) {
        nextCrossing = Math.min(nextCrossing, Date.parse(actor.lastSeenAt) + ONLINE_WINDOW_MS + 1);
      }
      const item: ActorListItem = {
        id: actor.id,
        name: actor.name,
        zoneId: actor.zoneId,
        zoneName: actor.zoneName,
        connection,
        lastSeenAt: actor.lastSeenAt,
      };
      // What the table shows, but the last contact: that alone changes with every heartbeat.
      const key = JSON.stringify([actor.name, actor.zoneId, actor.zoneName, connection]);
      now.set(actor.id, { key, item });
    }
    const changed = [...now.values()]
      .filter(({ key, item }) => this.seen.get(item.id)?.key !== key)
      .map(({ item }) => item);
    const removed = [...this.seen.keys()].filter((id) => !now.has(id));
    this.seen = now;
    if (this.followers > 0) {
      this.schedule(Math.min(at + this.pollMs, nextCrossing));
      if (options.quiet !== true && (changed.length > 0 || removed.length > 0)) {
        this.events.actorsChanged(
          actorsChangeSchema.parse({ full: false, actors: changed, removed }),
        );
      }
    }
    return [...now.values()].map(({ item }) => item);
  }

  private schedule(at: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.look();
      },
      Math.min(Math.max(0, at - Date.now()), MAX_TIMEOUT_MS),
    );
    this.timer.unref();
  }
}

const watches = new WeakMap<Conn, ActorWatch>();

/** The Director's one watch of its actors table. */
export function actorWatch(db: Conn, events: DirectorEvents): ActorWatch {
  let watch = watches.get(db);
  if (!watch) {
    watch = new ActorWatch(db, events);
    watches.set(db, watch);
  }
  return watch;
}

/** The actors stream of one follower: the whole table first, then each change, until `signal`. */
export async function* followActors(
  db: Conn,
  events: DirectorEvents,
  signal: AbortSignal | undefined,
): AsyncGenerator<ActorsChange> {
  // Listening before the first look, so no change between the two is missed (one seen twice is
  // harmless: a change carries the actor as it is).
  const changes = events.actors(signal);
  const { actors, release } = actorWatch(db, events).follow();
  try {
    yield actorsChangeSchema.parse({ full: true, actors, removed: [] });
    yield* changes;
  } finally {
    release();
    await changes.return(undefined);
  }
}
