// Sending through users.messages.send: the whole RFC 5322 message, base64url, in `raw`.
import type { OperationOptions, OutgoingMessage, SendResult } from '@email-profiles/core';
import { transportErrorCodes } from '@email-profiles/core';
import { TransportError, asTransportError } from '@email-profiles/transport-net';
import type { GmailConfig, GmailTuning } from './config.js';
import { buildRawMessage } from './message.js';
import { sessionOptions } from './probe.js';
import { withSession } from './session.js';

export async function sendGmail(
  config: GmailConfig,
  tuning: GmailTuning,
  message: OutgoingMessage,
  options: OperationOptions = {},
): Promise<SendResult> {
  try {
    return await withSession(sessionOptions(config, tuning, options.signal), async (session) => {
      const { raw } = buildRawMessage(message, config.emailAddress);
      await session.accessToken('auth');
      const { data } = await session.call('send', () =>
        session.api.users.messages.send({ userId: 'me', requestBody: { raw } }),
      );
      if (!data.id)
        throw new TransportError({
          stage: 'send',
          protocol: 'gmail',
          errorCode: transportErrorCodes.protocolViolation,
          message: 'Gmail answered without a message id',
        });
      return {
        ok: true as const,
        response: `Gmail accepted the message (id ${data.id})`,
        messageId: data.id,
      };
    });
  } catch (error) {
    return { ok: false, failure: asTransportError(error, 'send', { protocol: 'gmail' }).failure };
  }
}
