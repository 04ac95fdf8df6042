import type { ProbeOptions, ProbeReport } from '@email-profiles/core';
import { runProbe, type ConnectionOptions } from '@email-profiles/transport-net';
import { authenticate, openSession, quit, type SmtpConfig } from './session.js';

/**
 * The SMTP connectivity check: DNS, TCP, TLS, greeting and capabilities, STARTTLS, login.
 * Stops at the first failing step; sends no mail.
 */
export function probeSmtp(
  config: SmtpConfig,
  options: ProbeOptions & ConnectionOptions = {},
): Promise<ProbeReport> {
  return runProbe(options.onStep, async (recorder) => {
    const session = await openSession(config, recorder, options);
    try {
      const { auth } = config;
      if (auth === undefined) {
        recorder.note('auth', 'skipped', 'The server is used without authentication');
        return;
      }
      await recorder.step(
        'auth',
        () => authenticate(session, auth),
        (mechanism) => ({
          summary: `Logged in as ${auth.username} with ${mechanism}`,
          facts: { mechanism },
        }),
      );
    } finally {
      quit(session.connection);
    }
  });
}
