import type { ProbeOptions, ProbeReport } from '@email-profiles/core';
import { runProbe, type ConnectionOptions } from '@email-profiles/transport-net';
import { loginImap, openImap, type ImapConfig } from './session.js';

/** The IMAP connectivity check: DNS, TCP, TLS, greeting and capabilities, STARTTLS, login, EXAMINE INBOX. */
export function probeImap(
  config: ImapConfig,
  options: ProbeOptions & ConnectionOptions = {},
): Promise<ProbeReport> {
  return runProbe(options.onStep, async (recorder) => {
    const session = await openImap(config, recorder, options);
    try {
      await recorder.step(
        'auth',
        () => loginImap(session, config),
        (method) => ({
          summary: `Logged in as ${config.username} with ${method}`,
          facts: { mechanism: method, idle: session.has('IDLE') },
        }),
      );
      await recorder.step(
        'mailbox',
        async () => {
          const reply = await session.ok('EXAMINE INBOX', 'mailbox');
          const exists = reply.untagged
            .map((line) => /^\* (\d+) EXISTS/i.exec(line)?.[1])
            .find((n) => n !== undefined);
          return Number(exists ?? 0);
        },
        (messages) => ({
          summary: `INBOX opened read-only: ${messages} messages`,
          facts: { messages },
        }),
      );
    } finally {
      session.logout();
    }
  });
}
