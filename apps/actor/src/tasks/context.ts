import type { ActorTask, TaskProgress } from '@email-profiles/core';
import type { TransportOptions } from '../transports.js';

export type FindCodeTask = Extract<ActorTask, { kind: 'find_code' }>;
export type ProbeTask = Extract<ActorTask, { kind: 'probe' }>;

/** What a task runner gets from the agent: cancellation, transport options, a progress sink. */
export type TaskContext = {
  signal: AbortSignal;
  transports: TransportOptions;
  /** Sends progress to the Director (in order; failures to send are the agent's business). */
  report(progress: TaskProgress): void;
};
