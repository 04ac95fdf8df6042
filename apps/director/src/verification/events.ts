// In-process notifications: a profile's verification changed, a task was queued for an actor, a
// connectivity check moved on, an actor was enrolled, revoked or renamed (and the actors table's
// changes that follow). Subscriptions and long-polls wait on these; the database stays the
// source of truth, so a missed notification only delays, never loses, an update.
import { EventEmitter, on } from 'node:events';
import type { ActorsChange } from '@email-profiles/core';

type Topics = {
  profile: [profileId: string];
  queued: [actorId: string];
  diagnostics: [runId: string];
  /** An actor was written (enrolled, revoked, its zone renamed): the actors table may differ. */
  actorWritten: [];
  /** What changed in the actors table, as the actors stream sends it. */
  actors: [change: ActorsChange];
};

export class DirectorEvents {
  private readonly emitter = new EventEmitter<Topics>();

  constructor() {
    // One listener per open subscription or long-poll: hundreds are expected.
    this.emitter.setMaxListeners(0);
  }

  profileChanged(profileId: string): void {
    this.emitter.emit('profile', profileId);
  }

  taskQueued(actorId: string): void {
    this.emitter.emit('queued', actorId);
  }

  diagnosticsChanged(runId: string): void {
    this.emitter.emit('diagnostics', runId);
  }

  /** Something the actors table shows may have changed: its watch looks again at once. */
  actorsWritten(): void {
    this.emitter.emit('actorWritten');
  }

  /** Calls `listener` on each `actorsWritten()` until the returned function is called. */
  onActorsWritten(listener: () => void): () => void {
    this.emitter.on('actorWritten', listener);
    return () => {
      this.emitter.off('actorWritten', listener);
    };
  }

  /** The actors table changed (see routers/actor-watch.ts, the one that notices). */
  actorsChanged(change: ActorsChange): void {
    this.emitter.emit('actors', change);
  }

  /** Every change of the actors table until `signal` aborts. */
  actors(signal: AbortSignal | undefined): AsyncGenerator<ActorsChange> {
    return this.stream('actors', signal);
  }

  /** Every profile change until `signal` aborts. */
  profiles(signal: AbortSignal | undefined): AsyncGenerator<string> {
    return this.stream('profile', signal);
  }

  diagnostics(signal: AbortSignal | undefined): AsyncGenerator<string> {
    return this.stream('diagnostics', signal);
  }

  /** Listens from the moment it is called (not from the first read), so nothing is missed. */
  private stream<T extends 'profile' | 'diagnostics' | 'actors'>(
    topic: T,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<Topics[T][0]> {
    const events = on(this.emitter, topic, { signal });
    return (async function* () {
      try {
        for await (const [value] of events) yield value as Topics[T][0];
      } catch (error) {
        // The subscriber went away: the stream simply ends.
        if (!signal?.aborted) throw error;
      }
    })();
  }

  /** Resolves when a task is queued for the actor, after `ms`, or when `signal` aborts. */
  waitForTask(actorId: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off('queued', onQueued);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const onQueued = (queuedFor: string) => {
        if (queuedFor === actorId) done();
      };
      const timer = setTimeout(done, ms);
      this.emitter.on('queued', onQueued);
      signal?.addEventListener('abort', done, { once: true });
      if (signal?.aborted) done();
    });
  }
}
