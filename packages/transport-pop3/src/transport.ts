// The POP3 transport as core's interface: one factory, probe and find-code through one config.
import type { IncomingTransport } from '@email-profiles/core';
import type { ConnectionOptions } from '@email-profiles/transport-net';
import { findCodePop3 } from './find.js';
import { probePop3 } from './probe.js';
import type { Pop3Config } from './session.js';

export type Pop3TransportOptions = ConnectionOptions & {
  /** The pause between looks (the transport's own pacing otherwise). */
  pollMs?: number;
};

export function createPop3Transport(
  config: Pop3Config,
  options: Pop3TransportOptions = {},
): IncomingTransport {
  return {
    probe: (probe) => probePop3(config, { ...options, ...probe }),
    findCode: (request, operation) => findCodePop3(config, request, { ...options, ...operation }),
  };
}
