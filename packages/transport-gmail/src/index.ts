// @email-profiles/transport-gmail: the Gmail API transport (probe, send, find code) and the
// pieces of the one-time Google consent.
import type { MailboxTransport } from '@email-profiles/core';
import { defaultTuning, type GmailConfig, type GmailTuning } from './config.js';
import { findCodeGmail } from './find.js';
import { probeGmail } from './probe.js';
import { sendGmail } from './send.js';

/** Probe, send and find code for one Gmail profile (after consent gave it a refresh token). */
export function createGmailTransport(
  config: GmailConfig,
  tuning: Partial<GmailTuning> = {},
): MailboxTransport {
  const settings: GmailTuning = { ...defaultTuning, ...tuning };
  return {
    probe: (options) => probeGmail(config, settings, options),
    send: (message, options) => sendGmail(config, settings, message, options),
    findCode: (request, options) => findCodeGmail(config, settings, request, options),
  };
}

export { buildConsentUrl, createGoogleConsent, exchangeConsentCode } from './consent.js';
export {
  defaultTuning,
  gmailScopes,
  googleEndpoints,
  type GmailConfig,
  type GmailTuning,
  type GoogleEndpoints,
} from './config.js';
