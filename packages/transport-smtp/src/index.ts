// @email-profiles/transport-smtp: probe and send over SMTP.
export type { SendManyOptions } from './send.js';
export { type SmtpAuth, type SmtpConfig } from './session.js';
export { createSmtpTransport, type SmtpTransport } from './transport.js';
