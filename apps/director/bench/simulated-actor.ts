// A simulated actor for the benchmarks: it speaks the real actor API over HTTP (long-polls
// nextTasks, heartbeats every 10 s with its running tasks, reports progress and results) but
// checks no mailbox: every find_code task completes as found. Unbatched httpLink, so a heartbeat
// never waits behind a long-poll.
import { setMaxListeners } from 'node:events';
import {
  MAX_POLL_WAIT_MS,
  MAX_TASKS_PER_POLL,
  type ActorTask,
  type TaskResult,
} from '@email-profiles/core';
import { createTRPCClient, httpLink } from '@trpc/client';
import { Agent, fetch as undiciFetch } from 'undici';
import type { AppRouter } from '../src/router.js';

export type SimulatedActorOptions = {
  /**
   * The loopback address it calls from (127.0.0.2 and on), as an actor on a host of its own: the
   * Director limits connections per address, and one process's actors would otherwise share one.
   */
  localAddress?: string;
  heartbeatMs?: number;
  pollWaitMs?: number;
  /** Tasks worked on at once, like the agent's maxTasks. */
  maxTasks?: number;
};

/** Room for the long-poll itself before a call is given up. */
const CALL_MARGIN_MS = 15_000;

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** Every call of an actor listens to its stop signal: up to maxTasks of them at once. */
function stopController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** The i-th simulated actor's own loopback address: 127.0.2.1, 127.0.2.2, … (250 per /24). */
export const ownAddress = (i: number) => `127.0.${2 + Math.floor(i / 250)}.${1 + (i % 250)}`;

export class SimulatedActor {
  readonly completed: string[] = [];
  readonly errors: unknown[] = [];
  private readonly api;
  private readonly stopping = stopController();
  private readonly running = new Set<string>();
  private readonly loops: Promise<void>[] = [];
  private readonly settings: Required<Omit<SimulatedActorOptions, 'localAddress'>>;

  private readonly agent: Agent | undefined;

  constructor(baseUrl: string, token: string, options: SimulatedActorOptions = {}) {
    const { localAddress } = options;
    const agent = localAddress === undefined ? undefined : new Agent({ localAddress });
    this.agent = agent;
    this.api = createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${baseUrl}/api/trpc`,
          headers: { authorization: `Bearer ${token}` },
          ...(agent
            ? {
                fetch: (url: string, init?: Parameters<typeof undiciFetch>[1]) =>
                  undiciFetch(url, { ...init, dispatcher: agent }) as unknown as Promise<Response>,
              }
            : {}),
        }),
      ],
    }).actorApi;
    this.settings = {
      heartbeatMs: options.heartbeatMs ?? 10_000,
      pollWaitMs: options.pollWaitMs ?? MAX_POLL_WAIT_MS,
      maxTasks: options.maxTasks ?? 100,
    };
  }

  start(): void {
    this.loops.push(this.heartbeatLoop(), this.pollLoop());
  }

  /** Stops both loops and hands running tasks back, as the agent does on shutdown. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled(this.loops);
    if (this.running.size > 0) {
      await this.api.release
        .mutate({ taskIds: [...this.running] }, { signal: AbortSignal.timeout(CALL_MARGIN_MS) })
        .catch(() => undefined);
    }
    await this.agent?.close();
  }

  private stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private signal(ms: number): AbortSignal {
    return AbortSignal.any([this.stopping.signal, AbortSignal.timeout(ms)]);
  }

  private async heartbeatLoop(): Promise<void> {
    while (!this.stopped()) {
      try {
        const reply = await this.api.heartbeat.mutate(
          { runningTaskIds: [...this.running] },
          { signal: this.signal(CALL_MARGIN_MS) },
        );
        for (const id of reply.cancelTaskIds) this.running.delete(id);
      } catch (error) {
        if (!this.stopped()) this.errors.push(error);
      }
      await pause(this.settings.heartbeatMs, this.stopping.signal);
    }
  }

  private async pollLoop(): Promise<void> {
    const working: Promise<void>[] = [];
    while (!this.stopped()) {
      const free = this.settings.maxTasks - this.running.size;
      if (free <= 0) {
        await Promise.race(working);
        continue;
      }
      try {
        const tasks = await this.api.nextTasks.mutate(
          { max: Math.min(free, MAX_TASKS_PER_POLL), waitMs: this.settings.pollWaitMs },
          { signal: this.signal(this.settings.pollWaitMs + CALL_MARGIN_MS) },
        );
        for (const task of tasks) {
          this.running.add(task.id);
          const work: Promise<void> = this.work(task).finally(() => {
            this.running.delete(task.id);
            void working.splice(working.indexOf(work), 1);
          });
          working.push(work);
        }
      } catch (error) {
        if (this.stopped()) break;
        this.errors.push(error);
        await pause(1_000, this.stopping.signal);
      }
    }
    await Promise.allSettled(working);
  }

  private async work(task: ActorTask): Promise<void> {
    const signal = { signal: this.signal(CALL_MARGIN_MS) };
    try {
      const result: TaskResult =
        task.kind === 'find_code'
          ? {
              kind: 'find_code',
              taskId: task.id,
              result: {
                found: true,
                subject: `(${task.code})`,
                via: 'search',
                durationMs: 1,
                folder: 'inbox',
              },
            }
          : {
              kind: 'error',
              taskId: task.id,
              failure: {
                stage: 'config',
                origin: 'actor',
                summary: 'The simulated actor runs no probes.',
                hint: 'Use the actor agent.',
                transient: false,
              },
            };
      if (task.kind === 'find_code') {
        await this.api.progress.mutate(
          { type: 'check_started', taskId: task.id, at: new Date().toISOString() },
          signal,
        );
      }
      await this.api.complete.mutate(result, signal);
      this.completed.push(task.id);
    } catch (error) {
      if (!this.stopped()) this.errors.push(error);
    }
  }
}
