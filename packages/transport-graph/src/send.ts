// Sending through Microsoft Graph: POST /users/{address}/sendMail. Graph answers 202 once it has
// queued the message; delivery happens later, so the result says queued, not delivered.
import type { OperationOptions, OutgoingMessage, SendResult } from '@email-profiles/core';
import { withHttp } from '@email-profiles/transport-net';
import type { GraphConfig, ResolvedOptions } from './config.js';
import { asGraphError } from './errors.js';
import { GraphSession } from './session.js';

export const GRAPH_SEND_ACCEPTED =
  '202 Accepted: queued by Microsoft Graph for delivery (not yet delivered)';

export async function sendGraph(
  config: GraphConfig,
  options: ResolvedOptions,
  message: OutgoingMessage,
  operation: OperationOptions = {},
): Promise<SendResult> {
  try {
    await withHttp(async (dispatcher) => {
      const session = new GraphSession(config, options, dispatcher, operation.signal);
      await session.call({
        method: 'POST',
        path: '/sendMail',
        json: sendMailBody(config, message),
        stage: 'send',
        need: 'Mail.Send',
        ok: [202],
      });
    });
    return { ok: true, response: GRAPH_SEND_ACCEPTED };
  } catch (error) {
    return { ok: false, failure: asGraphError(error, 'send').failure };
  }
}

/** The sendMail request body; `from` only when it differs from the mailbox (needs Send As). */
export function sendMailBody(config: GraphConfig, message: OutgoingMessage): unknown {
  const ownAddress = message.from.toLowerCase() === config.emailAddress.toLowerCase();
  const from =
    ownAddress && message.fromName === undefined
      ? {}
      : {
          from: {
            emailAddress: {
              address: message.from,
              ...(message.fromName === undefined ? {} : { name: message.fromName }),
            },
          },
        };
  return {
    message: {
      subject: message.subject,
      body: { contentType: 'Text', content: message.text },
      toRecipients: [{ emailAddress: { address: message.to } }],
      ...from,
    },
    saveToSentItems: false,
  };
}
