// How the Director sends: the verification emails and "Send test email" go through the transport
// of the method chosen in its mail settings (SMTP, Microsoft Graph or the Gmail API).
import type {
  DirectorMailSettings,
  MailMethod,
  SmtpMailSettings,
  MailSender,
  OutgoingMessage,
  ProbeOptions,
  ProbeReport,
  SendResult,
} from '@email-profiles/core';
import { createGmailTransport } from '@email-profiles/transport-gmail';
import { createGraphSender } from '@email-profiles/transport-graph';
import {
  createSmtpTransport,
  type SendManyOptions,
  type SmtpConfig,
} from '@email-profiles/transport-smtp';
import { asOrigin } from '@email-profiles/transport-net';
import type { MailEndpoints } from '../config.js';
import { notConsented } from './consent-missing.js';

/** The Director's SMTP settings as the transport's config (the login only with requiresAuth). */
function smtpConfigFromSettings(settings: SmtpMailSettings): SmtpConfig {
  const { host, port, encryption, tlsTrust, requiresAuth, authType, username, password } = settings;
  return {
    host,
    port,
    encryption,
    tlsTrust,
    ...(requiresAuth && authType && username !== undefined && password !== undefined
      ? { auth: { type: authType, username, password } }
      : {}),
  };
}

/** A sender's connectivity check (no mail sent) and the send itself. */
export type DirectorTransport = MailSender & {
  probe(options?: ProbeOptions): Promise<ProbeReport>;
};

/**
 * The transport for the Director's mail settings. `endpoints` points Graph and Google requests
 * elsewhere (tests, a proxy); by default they go to Microsoft's and Google's public hosts. Its
 * failures are the Director's (origin "director"), worded for the Director and Email Settings.
 */
export function directorTransport(
  settings: DirectorMailSettings,
  endpoints: MailEndpoints = {},
): DirectorTransport {
  const transport = methodTransport(settings, endpoints);
  return {
    probe: (options) => asOrigin('director', () => transport.probe(options)),
    send: (message, options) => asOrigin('director', () => transport.send(message, options)),
  };
}

type MethodTransport<K extends MailMethod> = (
  settings: Extract<DirectorMailSettings, { method: K }>,
  endpoints: MailEndpoints,
) => DirectorTransport;

/** Each sending method's transport, one entry each. */
const methodTransports: { [K in MailMethod]: MethodTransport<K> } = {
  smtp: (settings) => createSmtpTransport(smtpConfigFromSettings(settings)),
  graph: (settings, endpoints) =>
    createGraphSender({
      tenantId: settings.tenantId,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      cloud: settings.cloud,
      emailAddress: settings.fromAddress,
      ...(endpoints.graph ? { endpoints: endpoints.graph } : {}),
    }),
  gmail: (settings, endpoints) => {
    const { refreshToken } = settings;
    if (refreshToken === undefined) return notConsented(settings.fromAddress);
    return createGmailTransport({
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      emailAddress: settings.fromAddress,
      refreshToken,
      ...(endpoints.google ? { endpoints: endpoints.google } : {}),
    });
  },
};

function methodTransport(
  settings: DirectorMailSettings,
  endpoints: MailEndpoints,
): DirectorTransport {
  // The entry for the settings' own method (TypeScript cannot correlate the two by itself).
  const transport = methodTransports[settings.method] as MethodTransport<MailMethod>;
  return transport(settings, endpoints);
}

/** Sends one message, or several with one result each (over one session where the method allows). */
export type DirectorSender = MailSender & {
  sendMany(messages: readonly OutgoingMessage[], options?: SendManyOptions): Promise<SendResult[]>;
};

/** A sender for the Director's mail settings: the single entry point for sending. */
export function directorSender(
  settings: DirectorMailSettings,
  endpoints: MailEndpoints = {},
): DirectorSender {
  if (settings.method === 'smtp') {
    // Several emails over one session: one connection, handshake and login for many.
    const smtp = createSmtpTransport(smtpConfigFromSettings(settings));
    return {
      send: (message, options) => asOrigin('director', () => smtp.send(message, options)),
      sendMany: (messages, options) => asOrigin('director', () => smtp.sendMany(messages, options)),
    };
  }
  const transport = directorTransport(settings, endpoints);
  return {
    send: (message, options) => transport.send(message, options),
    // The APIs take one message per request; one after another keeps within their limits.
    sendMany: async (messages, options = {}) => {
      const results: SendResult[] = [];
      for (const message of messages) {
        const result = await transport.send(message, options);
        results.push(result);
        options.onResult?.(results.length - 1, result);
      }
      return results;
    },
  };
}
