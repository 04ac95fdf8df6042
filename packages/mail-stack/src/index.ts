// @email-profiles/mail-stack: a private Dovecot + Postfix + Cyrus IMAP stack on 127.0.0.1 for the
// transport packages' integration tests (test-only; needs root and scripts/install-mail-stack.sh).
import type { MailStackInfo } from './types.js';
// Brings vitest's types into the program so the augmentation below resolves.
import type {} from 'vitest';

export { startMailStack, mailStackInfo, START_TIMEOUT_MS } from './stack.js';
export {
  deliver,
  fillMailbox,
  findMailbox,
  mailboxSubjects,
  rfc5322Date,
  testMessage,
  type FillOptions,
} from './mail.js';
export { NO_IDLE_CAPABILITY } from './dovecot.js';
export { createTls, fingerprintSha256 } from './tls.js';
export { INSTALL_COMMAND } from './install.js';
export { STACK_BASE } from './slots.js';
export {
  CYRUS_SERVERNAME,
  CYRUS_USERS,
  DOVECOT_USERS,
  MAIL_DOMAIN,
  NETBIOS_DOMAIN,
  POSTFIX_USERS,
} from './users.js';
export type {
  Component,
  CyrusPorts,
  DovecotPorts,
  MailStack,
  MailStackInfo,
  MailUser,
  PostfixPorts,
  StackTls,
  StartOptions,
} from './types.js';

// What `inject('mailStack')` returns in tests run with the vitest global setup
// ('@email-profiles/mail-stack/vitest-global-setup').
declare module 'vitest' {
  export interface ProvidedContext {
    mailStack: MailStackInfo;
  }
}
