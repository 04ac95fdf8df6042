import {
  explainFailure,
  type ProbeStep,
  transportErrorCodes,
  type Failure,
  type FailureObservation,
  type FailureStage,
} from '@email-profiles/core';
import { currentOrigin } from './origin.js';

/** A failure with everything core needs to explain it: the stage, codes, the server's words. */
export class TransportError extends Error {
  readonly observation: FailureObservation;
  /** What the failing step saw anyway (e.g. the certificate of an untrusted server). */
  readonly step: Partial<ProbeStep> | undefined;

  constructor(
    observation: FailureObservation,
    options?: { cause?: unknown; step?: Partial<ProbeStep> },
  ) {
    super(
      observation.serverText ?? observation.message ?? observation.errorCode ?? observation.stage,
      {
        cause: options?.cause,
      },
    );
    this.name = 'TransportError';
    const origin = observation.origin ?? currentOrigin();
    this.observation = origin === undefined ? observation : { ...observation, origin };
    this.step = options?.step;
  }

  get failure(): Failure {
    return explainFailure(this.observation);
  }
}

type Context = Omit<FailureObservation, 'stage'>;

/** Wraps anything thrown during a stage into a TransportError for that stage. */
export function asTransportError(
  error: unknown,
  stage: FailureStage,
  context: Context = {},
): TransportError {
  if (error instanceof TransportError) return error;
  const err = error as { code?: unknown; message?: unknown; name?: unknown } | undefined;
  const errorCode =
    err?.name === 'AbortError'
      ? transportErrorCodes.aborted
      : typeof err?.code === 'string'
        ? err.code
        : undefined;
  const message = typeof err?.message === 'string' ? err.message : String(error);
  return new TransportError(
    { ...context, stage, ...(errorCode ? { errorCode } : {}), message },
    { cause: error },
  );
}
