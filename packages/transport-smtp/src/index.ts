// @email-profiles/transport-smtp: probe and send over SMTP.
export { probeSmtp } from './probe.js';
export { sendSmtp, sendSmtpMany, type SendManyOptions } from './send.js';
export { type SmtpAuth, type SmtpConfig } from './session.js';
export { createSmtpTransport, type SmtpTransport } from './transport.js';
