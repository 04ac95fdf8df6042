// "Send test email": the connectivity check, then the email itself as a last step, so the user
// sees exactly where it stops.
import type { OutgoingMessage, ProbeOptions, ProbeReport } from '@email-profiles/core';
import { type ConnectionOptions } from '@email-profiles/transport-net';
import { probeSmtp } from './probe.js';
import { sendSmtp } from './send.js';
import type { SmtpConfig } from './session.js';

export async function sendTestEmail(
  config: SmtpConfig,
  message: OutgoingMessage,
  options: ProbeOptions & ConnectionOptions = {},
): Promise<ProbeReport> {
  const report = await probeSmtp(config, options);
  if (!report.ok) return report;
  const started = performance.now();
  const sent = await sendSmtp(config, message, options);
  const durationMs = performance.now() - started;
  const step = sent.ok
    ? {
        name: 'send' as const,
        status: 'ok' as const,
        durationMs,
        summary: `Accepted: ${sent.response}`,
      }
    : {
        name: 'send' as const,
        status: 'failed' as const,
        durationMs,
        summary: sent.failure.summary,
        failure: sent.failure,
      };
  options.onStep?.(step);
  return {
    ok: sent.ok,
    steps: [...report.steps, step],
    ...(sent.ok ? {} : { failure: sent.failure }),
    durationMs: report.durationMs + durationMs,
  };
}
