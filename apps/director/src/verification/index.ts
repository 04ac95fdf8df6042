// The Director's verification side, put together: the task broker between the Director and its
// actors, verification and connectivity checks (each the handler of its kind of task), and one
// sweep every second that ends what nobody will finish.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Conn } from '../db/index.js';
import type { Vault } from '../secrets/vault.js';
import { Diagnostics } from './diagnostics.js';
import type { DirectorEvents } from './events.js';
import { TaskBroker } from './task-broker.js';
import { Verification } from './verification.js';

export type VerificationTiming = {
  /** How long a task stays leased without a heartbeat; actors heartbeat every 10 s. */
  leaseMs: number;
  sweepMs: number;
  /** After the deadline, the actor's own "not found" (with its details) is awaited this long. */
  deadlineGraceMs: number;
};

export const defaultTiming: VerificationTiming = {
  leaseMs: 30_000,
  sweepMs: 1_000,
  deadlineGraceMs: 10_000,
};

export type VerificationServices = {
  tasks: TaskBroker;
  verification: Verification;
  diagnostics: Diagnostics;
  /** Resumes what a previous run left in progress, then sweeps. */
  start(): void;
  /** Stops sweeping, answers waiting polls and aborts the emails being sent. */
  stop(): Promise<void>;
};

export function createVerificationServices(
  deps: { db: Conn; vault: Vault; log: Logger; config: Config; events: DirectorEvents },
  timing: Partial<VerificationTiming> = {},
): VerificationServices {
  const { leaseMs, sweepMs, deadlineGraceMs } = { ...defaultTiming, ...timing };
  const diagnostics = new Diagnostics(deps);
  const verification = new Verification({ ...deps, leaseMs, deadlineGraceMs });
  const tasks = new TaskBroker(
    { ...deps, leaseMs },
    { find_code: verification.tasks, probe: diagnostics.tasks },
  );
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    const at = new Date();
    try {
      tasks.sweep(at);
      verification.sweep(at);
      diagnostics.sweep(at);
    } catch (error) {
      deps.log.error({ err: error }, 'verification sweep failed');
    }
  };
  return {
    tasks,
    verification,
    diagnostics,
    start() {
      tasks.start();
      verification.resume();
      sweep();
      sweeper = setInterval(sweep, sweepMs);
      sweeper.unref();
    },
    async stop() {
      clearInterval(sweeper);
      tasks.stop();
      await verification.stop();
    },
  };
}
