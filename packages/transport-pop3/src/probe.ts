import type { ProbeOptions, ProbeReport } from '@email-profiles/core';
import { runProbe, type ConnectionOptions } from '@email-profiles/transport-net';
import { loginPop3, openPop3, stat, type Pop3Config } from './session.js';

/** The POP3 connectivity check: DNS, TCP, TLS, greeting and CAPA, STLS, login, STAT. */
export function probePop3(
  config: Pop3Config,
  options: ProbeOptions & ConnectionOptions = {},
): Promise<ProbeReport> {
  return runProbe(options.onStep, async (recorder) => {
    const session = await openPop3(config, recorder, options);
    try {
      await recorder.step(
        'auth',
        () => loginPop3(session, config),
        (method) => ({
          summary: `Logged in as ${config.username} with ${method}`,
          facts: { mechanism: method },
        }),
      );
      await recorder.step(
        'mailbox',
        () => stat(session),
        ({ count, octets }) => ({
          summary: `The mailbox holds ${count} messages (${octets} bytes)`,
          facts: { messages: count, octets },
        }),
      );
    } finally {
      session.quit();
    }
  });
}
