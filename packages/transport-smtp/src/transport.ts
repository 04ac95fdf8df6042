// The SMTP transport as core's interface: one factory, probe and send through one config, and
// several messages over one session.
import type { OutgoingMessage, OutgoingTransport, SendResult } from '@email-profiles/core';
import type { ConnectionOptions } from '@email-profiles/transport-net';
import { probeSmtp } from './probe.js';
import { sendSmtp, sendSmtpMany, type SendManyOptions } from './send.js';
import type { SmtpConfig } from './session.js';

export type SmtpTransport = OutgoingTransport & {
  sendMany(messages: readonly OutgoingMessage[], options?: SendManyOptions): Promise<SendResult[]>;
};

export function createSmtpTransport(
  config: SmtpConfig,
  options: ConnectionOptions = {},
): SmtpTransport {
  return {
    probe: (probe) => probeSmtp(config, { ...options, ...probe }),
    send: (message, operation) => sendSmtp(config, message, { ...options, ...operation }),
    sendMany: (messages, many) => sendSmtpMany(config, messages, { ...options, ...many }),
  };
}
