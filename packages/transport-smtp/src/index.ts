// @email-profiles/transport-smtp: probe and send over SMTP.
export { probeSmtp } from './probe.js';
export { sendSmtp } from './send.js';
export type { SmtpAuth, SmtpConfig } from './session.js';
