// @email-profiles/transport-imap: probe and find-code over IMAP.
export { probeImap } from './probe.js';
export { findCodeImap } from './find.js';
export type { ImapConfig } from './session.js';
export { createImapTransport, type ImapTransportOptions } from './transport.js';
