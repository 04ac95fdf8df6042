// The authenticated part, done by imapflow: our session hands over its logged-in connection with
// a synthetic `* PREAUTH` greeting (RFC 9051: "already authenticated by external means"), so
// imapflow skips login and works on the mailbox.
import { ImapFlow, type ImapTransport } from 'imapflow';
import type { ImapSession } from './session.js';

/** Bounds on what imapflow accepts from the server (a hostile one may send anything). */
const MAX_LINE = 1024 * 1024;
const MAX_RESPONSE = 16 * 1024 * 1024;

export function handToImapflow(session: ImapSession): ImapFlow {
  const { connection } = session;
  // Capabilities that are about logging in mean nothing any more, and STARTTLS after PREAUTH is
  // refused by imapflow (rightly: it cannot protect an existing login).
  const capabilities = session.capabilities.filter(
    (c) => c !== 'STARTTLS' && c !== 'LOGINDISABLED' && !c.startsWith('AUTH='),
  );
  const { socket } = connection.handOver(
    `* PREAUTH [CAPABILITY ${capabilities.join(' ')}] Logged in\r\n`,
  );
  const transport: ImapTransport = {
    connect: (_options, onConnect) => {
      setImmediate(onConnect);
      return socket;
    },
  };
  return new ImapFlow({
    host: connection.endpoint.host,
    port: connection.endpoint.port,
    secure: false,
    doSTARTTLS: false,
    transport,
    logger: false,
    disableAutoIdle: true,
    disableAutoEnable: true,
    maxLineLength: MAX_LINE,
    maxResponseSize: MAX_RESPONSE,
    greetingTimeout: connection.timeouts.greetingMs,
    socketTimeout: 5 * 60_000,
  });
}
