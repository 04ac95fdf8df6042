// @email-profiles/transport-graph: a mailbox reached through Microsoft Graph (Office 365):
// probe, send and find-code with an app-only (client-credentials) token.
import type { MailboxTransport } from '@email-profiles/core';
import { resolveOptions, type GraphConfig, type GraphTransportOptions } from './config.js';
import { findCodeGraph } from './find.js';
import { probeGraph } from './probe.js';
import { sendGraph } from './send.js';

export {
  cloudEndpoints,
  defaultGraphOptions,
  resolveGraph,
  resolveOptions,
  type GraphConfig,
  type GraphEndpoints,
  type GraphTransportOptions,
} from './config.js';
export { GRAPH_SEND_ACCEPTED, sendMailBody } from './send.js';
export type { GraphProbePurpose } from './probe.js';
export { clearGraphTokenCache, tokenRoles, REFRESH_MARGIN_MS } from './token.js';

export function createGraphTransport(
  config: GraphConfig,
  options: GraphTransportOptions = {},
): MailboxTransport {
  const resolved = resolveOptions(options);
  return {
    probe: (probeOptions) => probeGraph(config, resolved, probeOptions),
    send: (message, operation) => sendGraph(config, resolved, message, operation),
    findCode: (request, operation) => findCodeGraph(config, resolved, request, operation),
  };
}

/**
 * Probe and send only, for a mailbox that only sends (the Director's own mail settings): the
 * probe checks the token and the Mail.Send permission, not reading.
 */
export function createGraphSender(
  config: GraphConfig,
  options: GraphTransportOptions = {},
): Pick<MailboxTransport, 'probe' | 'send'> {
  const resolved = resolveOptions(options);
  return {
    probe: (probeOptions) => probeGraph(config, resolved, probeOptions, 'send'),
    send: (message, operation) => sendGraph(config, resolved, message, operation),
  };
}
