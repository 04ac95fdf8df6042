// The actor's work loop: long-polls the Director for tasks, runs them (bounded overall and per
// mailbox), reports progress and results, heartbeats with the running task ids (which renews their
// leases and says which to cancel), reconnects with jittered back-off when the Director is away,
// and on stop finishes what it can within a short grace and hands the rest back.
import type { Logger } from 'pino';
import {
  MAX_POLL_WAIT_MS,
  MAX_TASKS_PER_POLL,
  productFailures,
  type ActorTask,
  type Failure,
  type TaskProgress,
  type TaskResult,
} from '@email-profiles/core';
import { DEFAULT_BACKOFF, backoffDelay, pause, type Backoff } from './backoff.js';
import {
  describeCallError,
  directorClient,
  isRefusal,
  isUnauthorized,
  type DirectorClient,
} from './client.js';
import { DEFAULT_MAX_TASKS, MailboxLimits } from './limits.js';
import type { TaskContext } from './tasks/context.js';
import { runFindCode } from './tasks/find-code.js';
import { runProbeTask } from './tasks/probe.js';
import type { TransportOptions } from './transports.js';

export const ACTOR_VERSION = '0.0.0';
const MIN_HEARTBEAT_MS = 200;

export type AgentOptions = {
  directorUrl: string;
  token: string;
  log: Logger;
  transports?: TransportOptions;
  /** Tasks run at once (each also waits for its mailbox's own bound). */
  maxTasks?: number;
  /** At most this long between heartbeats (shorter when the Director's leases are short). */
  heartbeatMs?: number;
  pollWaitMs?: number;
  backoff?: Backoff;
  /** On stop, how long running tasks may still finish before they are handed back. */
  shutdownGraceMs?: number;
  /** Another client (tests). */
  client?: DirectorClient;
};

export type RunningActor = {
  /** Stops polling, lets running tasks finish within the grace, hands the rest back. Idempotent. */
  stop(): Promise<void>;
  /** Settles when the agent has stopped; rejects when the Director refused the actor's token. */
  readonly done: Promise<void>;
  runningTaskIds(): string[];
};

type Running = {
  task: ActorTask;
  controller: AbortController;
  /** Why it was aborted: cancelled by the Director, or handed back at shutdown. */
  stopped?: 'cancelled' | 'shutdown';
  finished: Promise<void>;
};

/** The unexpected: the runner itself threw. Nothing the error said goes to the Director. */
const CRASHED: Failure = productFailures.actorCrashed();

export class ActorAgent {
  private readonly client: DirectorClient;
  private readonly log: Logger;
  private readonly limits = new MailboxLimits();
  private readonly running = new Map<string, Running>();
  /** Results the Director has not acknowledged yet (kept across Director outages). */
  private readonly outbox = new Map<string, TaskResult>();
  private readonly delivering = new Set<string>();
  /** Progress reports per task, sent one after another, so a result always follows its steps. */
  private readonly progressChains = new Map<string, Promise<void>>();
  private readonly handBack = new Set<string>();
  private readonly stopController = new AbortController();
  private slotWaiters: (() => void)[] = [];
  private failures = 0;
  private backoffWake: AbortController | undefined;
  private heartbeatEveryMs: number;
  private heartbeatFailed = false;
  private stopping: Promise<void> | undefined;
  private fatal: Error | undefined;
  private readonly settings: Required<
    Pick<AgentOptions, 'maxTasks' | 'heartbeatMs' | 'pollWaitMs' | 'backoff' | 'shutdownGraceMs'>
  >;

  constructor(private readonly options: AgentOptions) {
    this.client = options.client ?? directorClient(options.directorUrl, options.token);
    this.log = options.log;
    this.settings = {
      maxTasks: options.maxTasks ?? DEFAULT_MAX_TASKS,
      heartbeatMs: options.heartbeatMs ?? 10_000,
      pollWaitMs: Math.min(options.pollWaitMs ?? MAX_POLL_WAIT_MS, MAX_POLL_WAIT_MS),
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      shutdownGraceMs: options.shutdownGraceMs ?? 2_000,
    };
    this.heartbeatEveryMs = this.settings.heartbeatMs;
  }

  start(): RunningActor {
    const loops = Promise.all([this.pollLoop(), this.heartbeatLoop()]);
    const done = loops.then(async () => {
      await this.stop();
      if (this.fatal) throw this.fatal;
    });
    // `done` is for whoever awaits it; an unobserved rejection must not crash the host process.
    done.catch(() => undefined);
    return {
      stop: () => this.stop(),
      done,
      runningTaskIds: () => [...this.running.keys()],
    };
  }

  private stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async pollLoop(): Promise<void> {
    // Until one poll got through: this process runs nothing yet, so whatever the Director still
    // has leased to this actor (a process that was killed, or the Director restarted) comes back.
    let resume = true;
    while (!this.stopped()) {
      await this.freeSlot();
      if (this.stopped()) return;
      const free = this.settings.maxTasks - this.running.size;
      try {
        const tasks = await this.client.nextTasks(
          { max: Math.min(free, MAX_TASKS_PER_POLL), waitMs: this.settings.pollWaitMs, resume },
          this.stopController.signal,
        );
        resume = false;
        this.reconnected();
        for (const task of tasks) this.begin(task);
      } catch (error) {
        if (this.stopped()) return;
        if (this.refused(error)) return;
        await this.backOff('poll', error);
      }
    }
  }

  private async heartbeatLoop(): Promise<void> {
    while (!this.stopped()) {
      await this.heartbeat();
      await pause(this.heartbeatEveryMs, this.stopController.signal);
    }
  }

  private async heartbeat(): Promise<void> {
    const ids = [...new Set([...this.running.keys(), ...this.outbox.keys()])];
    try {
      const reply = await this.client.heartbeat(
        { runningTaskIds: ids, version: ACTOR_VERSION },
        this.stopController.signal,
      );
      this.heartbeatFailed = false;
      if (this.failures > 0) {
        // Back: end the poll loop's back-off now rather than at its next try.
        this.backoffWake?.abort();
        this.reconnected();
      }
      // Three heartbeats per lease, so one lost heartbeat never costs a task its lease.
      const leaseMs = Date.parse(reply.leaseExpiresAt) - Date.parse(reply.serverTime);
      this.heartbeatEveryMs = Number.isFinite(leaseMs)
        ? Math.max(Math.min(this.settings.heartbeatMs, leaseMs / 3), MIN_HEARTBEAT_MS)
        : this.settings.heartbeatMs;
      for (const id of reply.cancelTaskIds) this.cancel(id);
      this.flush();
    } catch (error) {
      this.heartbeatFailed = true;
      if (!this.stopped() && !this.refused(error))
        this.log.debug({ reason: describeCallError(error) }, 'heartbeat failed');
    }
  }

  /** The Director refused the token: stop for good (the actor was revoked). */
  private refused(error: unknown): boolean {
    if (!isUnauthorized(error)) return false;
    if (!this.fatal) {
      this.fatal = new Error(
        "The Director refused this actor's token (revoked?): enroll the actor again",
      );
      this.log.error(this.fatal.message);
      void this.stop();
    }
    return true;
  }

  private async backOff(call: string, error: unknown): Promise<void> {
    const delay = backoffDelay(this.failures, this.settings.backoff);
    if (this.failures === 0)
      this.log.warn({ call, reason: describeCallError(error) }, 'Director unreachable; retrying');
    this.failures += 1;
    const wake = new AbortController();
    this.backoffWake = wake;
    await pause(delay, AbortSignal.any([this.stopController.signal, wake.signal]));
    this.backoffWake = undefined;
  }

  private reconnected(): void {
    if (this.failures > 0) {
      this.log.info({ attempts: this.failures }, 'Director reachable again');
      this.failures = 0;
    }
    if (this.heartbeatFailed) void this.heartbeat();
    this.flush();
  }

  private freeSlot(): Promise<void> {
    if (this.running.size < this.settings.maxTasks) return Promise.resolve();
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private begin(task: ActorTask): void {
    if (this.running.has(task.id) || this.outbox.has(task.id)) return;
    const controller = new AbortController();
    const entry: Running = { task, controller, finished: Promise.resolve() };
    this.running.set(task.id, entry);
    entry.finished = this.execute(entry).finally(() => {
      this.running.delete(task.id);
      const waiters = this.slotWaiters;
      this.slotWaiters = [];
      for (const wake of waiters) wake();
    });
  }

  private async execute(entry: Running): Promise<void> {
    const { task, controller } = entry;
    const about = { taskId: task.id, kind: task.kind, serverType: task.profile.serverType };
    this.log.info(about, 'task started');
    const context: TaskContext = {
      signal: controller.signal,
      transports: this.options.transports ?? {},
      report: (progress) => {
        this.sendProgress(progress);
      },
    };
    let result: TaskResult | undefined;
    let release: (() => void) | undefined;
    try {
      release = await this.limits.acquire(task.profile, controller.signal);
      result =
        task.kind === 'find_code'
          ? await runFindCode(task, context)
          : await runProbeTask(task, context);
    } catch (error) {
      if (!controller.signal.aborted) {
        this.log.error(
          { ...about, err: error instanceof Error ? error.name : 'unknown' },
          'task crashed',
        );
        result = { kind: 'error', taskId: task.id, failure: CRASHED };
      }
    } finally {
      release?.();
    }
    if (entry.stopped === 'cancelled') {
      this.log.info(about, 'task cancelled by the Director');
      this.progressChains.delete(task.id);
      return;
    }
    if (entry.stopped === 'shutdown' || result === undefined) {
      this.handBack.add(task.id);
      this.progressChains.delete(task.id);
      return;
    }
    this.log.info({ ...about, outcome: outcomeOf(result) }, 'task finished');
    this.outbox.set(task.id, result);
    await this.deliver(task.id);
  }

  private sendProgress(progress: TaskProgress): void {
    const previous = this.progressChains.get(progress.taskId) ?? Promise.resolve();
    this.progressChains.set(
      progress.taskId,
      previous.then(async () => {
        try {
          await this.client.progress(progress);
        } catch (error) {
          // Progress is for watching live; the result carries everything again.
          this.log.debug(
            { taskId: progress.taskId, reason: describeCallError(error) },
            'progress not delivered',
          );
        }
      }),
    );
  }

  private async deliver(taskId: string): Promise<void> {
    const result = this.outbox.get(taskId);
    if (result === undefined || this.delivering.has(taskId)) return;
    this.delivering.add(taskId);
    try {
      await this.progressChains.get(taskId);
      const ack = await this.client.complete(result);
      this.outbox.delete(taskId);
      this.progressChains.delete(taskId);
      if (!ack.accepted) this.log.info({ taskId }, 'result not needed any more (task is over)');
    } catch (error) {
      if (isRefusal(error) && !isUnauthorized(error)) {
        this.outbox.delete(taskId);
        this.progressChains.delete(taskId);
        this.log.error({ taskId, reason: describeCallError(error) }, 'result refused');
      } else {
        this.log.debug({ taskId, reason: describeCallError(error) }, 'result kept for later');
      }
    } finally {
      this.delivering.delete(taskId);
    }
  }

  private flush(): void {
    for (const taskId of this.outbox.keys()) void this.deliver(taskId);
  }

  private cancel(taskId: string): void {
    const entry = this.running.get(taskId);
    if (entry) {
      entry.stopped ??= 'cancelled';
      entry.controller.abort(new Error('cancelled by the Director'));
    }
    if (this.outbox.delete(taskId)) this.progressChains.delete(taskId);
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.stopController.abort();
    for (const wake of this.slotWaiters) wake();
    this.slotWaiters = [];
    const all = () => Promise.all([...this.running.values()].map((entry) => entry.finished));
    if (this.running.size > 0) {
      await Promise.race([all(), pause(this.settings.shutdownGraceMs)]);
      for (const entry of this.running.values()) {
        entry.stopped ??= 'shutdown';
        entry.controller.abort(new Error('actor stopping'));
      }
      await all();
    }
    await Promise.all([...this.outbox.keys()].map((taskId) => this.deliver(taskId)));
    const taskIds = [...this.handBack, ...this.outbox.keys()];
    if (taskIds.length > 0 && !this.fatal) {
      try {
        const { released } = await this.client.release({ taskIds });
        this.log.info({ released }, 'tasks handed back to the Director');
      } catch (error) {
        this.log.warn(
          { tasks: taskIds.length, reason: describeCallError(error) },
          'could not hand tasks back; the Director takes them back when their lease expires',
        );
      }
    }
    this.log.info('actor stopped');
  }
}

function outcomeOf(result: TaskResult): string {
  switch (result.kind) {
    case 'find_code':
      return result.result.found ? 'found' : `not found (${result.result.failure.stage})`;
    case 'probe':
      return result.report.ok ? 'ok' : `failed (${result.report.failure?.stage ?? 'unknown'})`;
    case 'error':
      return 'error';
  }
}

/** Runs an actor until `stop()` (library entry point, e.g. the embedded local actor). */
export function runActor(options: AgentOptions): RunningActor {
  return new ActorAgent(options).start();
}
