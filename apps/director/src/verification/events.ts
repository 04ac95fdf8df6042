// In-process notifications: a profile's verification changed, a task was queued for an actor, a
// connectivity check moved on. Subscriptions and long-polls wait on these; the database stays the
// source of truth, so a missed notification only delays, never loses, an update.
import { EventEmitter, on } from 'node:events';

type Topics = {
  profile: [profileId: string];
  queued: [actorId: string];
  diagnostics: [runId: string];
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

  /** Every profile change until `signal` aborts. */
  profiles(signal: AbortSignal | undefined): AsyncGenerator<string> {
    return this.stream('profile', signal);
  }

  diagnostics(signal: AbortSignal | undefined): AsyncGenerator<string> {
    return this.stream('diagnostics', signal);
  }

  /** Listens from the moment it is called (not from the first read), so nothing is missed. */
  private stream(
    topic: 'profile' | 'diagnostics',
    signal: AbortSignal | undefined,
  ): AsyncGenerator<string> {
    const events = on(this.emitter, topic, { signal });
    return (async function* () {
      try {
        for await (const [id] of events) yield id as string;
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
