// The verification emails' queue: at most `concurrency` sending sessions (SMTP sessions or API
// senders) at once, the rest waiting their turn. Stopping drops what waits, aborts what runs and
// waits for it to end.
import pLimit from 'p-limit';
import type { Logger } from 'pino';

export class SendQueue {
  private readonly limit;
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    readonly concurrency: number,
    private readonly log: Logger,
  ) {
    this.limit = pLimit(concurrency);
  }

  /** Aborted when the Director stops: a job ends early, leaving its work for the next start. */
  get stopped(): AbortSignal {
    return this.stopping.signal;
  }

  add(job: () => Promise<void>): void {
    void this.limit(async () => {
      const run = job().catch((error: unknown) => {
        this.log.error({ err: error }, 'sending a verification email failed unexpectedly');
      });
      this.running.add(run);
      await run;
      this.running.delete(run);
    });
  }

  async stop(): Promise<void> {
    this.limit.clearQueue();
    this.stopping.abort();
    await Promise.allSettled([...this.running]);
  }
}
