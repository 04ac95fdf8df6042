// @email-profiles/transport-imap: probe and find-code over IMAP.
export type { ImapConfig } from './session.js';
export { createImapTransport, type ImapTransportOptions } from './transport.js';
