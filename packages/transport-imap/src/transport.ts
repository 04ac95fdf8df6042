// The IMAP transport as core's interface: one factory, probe and find-code through one config.
import type { IncomingTransport } from '@email-profiles/core';
import type { ConnectionOptions } from '@email-profiles/transport-net';
import { findCodeImap } from './find.js';
import { probeImap } from './probe.js';
import type { ImapConfig } from './session.js';

export type ImapTransportOptions = ConnectionOptions & {
  /** Without IDLE: the pause between looks (the transport's own pacing otherwise). */
  pollMs?: number;
};

export function createImapTransport(
  config: ImapConfig,
  options: ImapTransportOptions = {},
): IncomingTransport {
  return {
    probe: (probe) => probeImap(config, { ...options, ...probe }),
    findCode: (request, operation) => findCodeImap(config, request, { ...options, ...operation }),
  };
}
