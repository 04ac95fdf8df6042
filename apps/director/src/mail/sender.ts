// How the Director sends: the verification emails and "Send test email" go through the transport
// of the method chosen in its mail settings.
import type { DirectorMailSettings, MailSender } from '@email-profiles/core';
import { sendSmtp, smtpConfigFromSettings } from '@email-profiles/transport-smtp';

/** A sender for the Director's mail settings. */
export function directorSender(settings: DirectorMailSettings): MailSender {
  const config = smtpConfigFromSettings(settings);
  return { send: (message, options) => sendSmtp(config, message, options) };
}
