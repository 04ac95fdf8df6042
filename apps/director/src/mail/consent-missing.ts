// The Director's Gmail settings before their one-time consent: nothing can be sent yet, and both
// the check and a send say so at the token step, with what to do.
import {
  productFailures,
  type Failure,
  type ProbeReport,
  type ProbeStep,
} from '@email-profiles/core';
import type { DirectorTransport } from './sender.js';

export function consentMissingFailure(fromAddress: string): Failure {
  return productFailures.gmailConsentMissing(fromAddress);
}

export function notConsented(fromAddress: string): DirectorTransport {
  const failure = consentMissingFailure(fromAddress);
  const step: ProbeStep = {
    name: 'token',
    status: 'failed',
    durationMs: 0,
    summary: failure.summary,
    failure,
  };
  const report: ProbeReport = { ok: false, steps: [step], failure, durationMs: 0 };
  return {
    probe: (options) => {
      options?.onStep?.(step);
      return Promise.resolve(report);
    },
    send: () => Promise.resolve({ ok: false, failure }),
  };
}
