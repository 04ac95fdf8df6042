// Records the steps of an operation with their timings, for the connectivity check. The same
// recorder runs under send and find-code, where its report is simply not shown.
import { performance } from 'node:perf_hooks';
import type { Failure, ProbeReport, ProbeStep, ProbeStepName } from '@email-profiles/core';
import { asTransportError } from './errors.js';

type StepFacts = Omit<ProbeStep, 'name' | 'status' | 'durationMs'>;

const stageOfStep: Record<ProbeStepName, Failure['stage']> = {
  dns: 'dns',
  tcp: 'tcp',
  tls: 'tls',
  greeting: 'greeting',
  starttls: 'tls',
  auth: 'auth',
  mailbox: 'mailbox',
  token: 'auth',
  permission: 'permission',
  access: 'permission',
  send: 'send',
};

export class StepRecorder {
  private readonly steps: ProbeStep[] = [];
  private readonly started = performance.now();

  constructor(private readonly onStep?: (step: ProbeStep) => void) {}

  /** Runs one step; records it as ok with the facts `describe` gives, or as failed, and rethrows. */
  async step<T>(
    name: ProbeStepName,
    run: () => Promise<T>,
    describe: (value: T) => StepFacts,
  ): Promise<T> {
    const begin = performance.now();
    try {
      const value = await run();
      this.push({ name, status: 'ok', durationMs: elapsed(begin), ...describe(value) });
      return value;
    } catch (error) {
      const transportError = asTransportError(error, stageOfStep[name]);
      const failure = transportError.failure;
      this.push({
        ...transportError.step,
        name,
        status: 'failed',
        durationMs: elapsed(begin),
        summary: failure.summary,
        failure,
      });
      throw transportError;
    }
  }

  /** Records a step that was not needed (e.g. STARTTLS with SSL/TLS chosen). */
  note(name: ProbeStepName, status: 'ok' | 'skipped' | 'warning', summary: string): void {
    this.push({ name, status, durationMs: 0, summary });
  }

  report(failure?: Failure): ProbeReport {
    return {
      ok: failure === undefined,
      steps: [...this.steps],
      ...(failure ? { failure } : {}),
      durationMs: elapsed(this.started),
    };
  }

  private push(step: ProbeStep): void {
    this.steps.push(step);
    this.onStep?.(step);
  }
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}

/** Runs a probe body and always returns a report: ok, or stopped at the first failing step. */
export async function runProbe(
  onStep: ((step: ProbeStep) => void) | undefined,
  body: (recorder: StepRecorder) => Promise<void>,
): Promise<ProbeReport> {
  const recorder = new StepRecorder(onStep);
  try {
    await body(recorder);
    return recorder.report();
  } catch (error) {
    return recorder.report(asTransportError(error, 'config').failure);
  }
}
