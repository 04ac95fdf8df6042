// @email-profiles/transport-pop3: probe and find-code over POP3.
export type { Pop3Config } from './session.js';
export { createPop3Transport, type Pop3TransportOptions } from './transport.js';
