// "Send test email": the connectivity check, then the email itself as a last step, so the user
// sees exactly where it stops.
import type { OutgoingMessage, ProbeOptions, ProbeReport } from '@email-profiles/core';
import { probeThenSend, type ConnectionOptions } from '@email-profiles/transport-net';
import { probeSmtp } from './probe.js';
import { sendSmtp } from './send.js';
import type { SmtpConfig } from './session.js';

export function sendTestEmail(
  config: SmtpConfig,
  message: OutgoingMessage,
  options: ProbeOptions & ConnectionOptions = {},
): Promise<ProbeReport> {
  return probeThenSend(
    {
      probe: (probeOptions) => probeSmtp(config, { ...options, ...probeOptions }),
      send: (sent, sendOptions) => sendSmtp(config, sent, { ...options, ...sendOptions }),
    },
    message,
    options,
  );
}
