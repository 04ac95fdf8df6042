// What goes into the headers of an email we build or hand to nodemailer: From (address and
// name), To and Subject. A control character there (CR LF above all) would end the header and
// start another (a smuggled Bcc:), so such a message is refused before anything is sent.
import {
  hasControlCharacter,
  transportErrorCodes,
  type ObservedProtocol,
  type OutgoingMessage,
} from '@email-profiles/core';
import { TransportError } from './errors.js';

const FIELDS = [
  ['from', 'sender address'],
  ['fromName', 'sender name'],
  ['to', 'recipient address'],
  ['subject', 'subject'],
] as const;

/** Throws a config failure when a header value of the message holds a control character. */
export function refuseUnsafeHeaders(
  message: Pick<OutgoingMessage, 'from' | 'fromName' | 'to' | 'subject'>,
  protocol: ObservedProtocol,
): void {
  for (const [field, label] of FIELDS) {
    const value = message[field];
    if (value !== undefined && hasControlCharacter(value)) {
      throw new TransportError({
        stage: 'config',
        protocol,
        errorCode: transportErrorCodes.unsafeCommandLine,
        message: `The ${label} contains a line break or control character; the email was not sent`,
      });
    }
  }
}
