// "Send test email": the Director's sending, step by step (SMTP: DNS to login; Graph: token and
// Mail.Send; Gmail: token, mailbox, permission), then the email itself as a last `send` step, so
// the user sees exactly where it stops.
import type {
  DirectorMailSettings,
  OutgoingMessage,
  ProbeOptions,
  ProbeReport,
  ProbeStep,
} from '@email-profiles/core';
import type { MailEndpoints } from '../config.js';
import { directorTransport } from './sender.js';

export async function sendDirectorTestEmail(
  settings: DirectorMailSettings,
  message: OutgoingMessage,
  endpoints: MailEndpoints = {},
  options: ProbeOptions = {},
): Promise<ProbeReport> {
  const transport = directorTransport(settings, endpoints);
  const report = await transport.probe(options);
  if (!report.ok) return report;
  const started = performance.now();
  const sent = await transport.send(message, options.signal ? { signal: options.signal } : {});
  const durationMs = performance.now() - started;
  const step: ProbeStep = sent.ok
    ? { name: 'send', status: 'ok', durationMs, summary: `Accepted: ${sent.response}` }
    : {
        name: 'send',
        status: 'failed',
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
