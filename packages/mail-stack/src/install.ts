// Where the Debian packages put things, and the check that they are there.
import { existsSync } from 'node:fs';
import type { Component } from './types.js';

/** Private copy of dovecot-imapd/dovecot-pop3d (they conflict with Cyrus in apt). */
export const DOVECOT_EXTRA =
  process.env['EMAIL_PROFILES_DOVECOT_EXTRA'] ?? '/opt/email-profiles/dovecot-extra';
export const DOVECOT_EXTRA_LIB = `${DOVECOT_EXTRA}/usr/lib/dovecot`;

export const BIN = {
  dovecot: '/usr/sbin/dovecot',
  dovecotLmtp: '/usr/lib/dovecot/lmtp',
  postfix: '/usr/sbin/postfix',
  postfixMaster: '/usr/lib/postfix/sbin/master',
  postconf: '/usr/sbin/postconf',
  cyrusMaster: '/usr/lib/cyrus/bin/master',
  saslpasswd2: '/usr/sbin/saslpasswd2',
  openssl: '/usr/bin/openssl',
} as const;

const REQUIRED: Record<Component, string[]> = {
  dovecot: [
    BIN.dovecot,
    BIN.dovecotLmtp,
    ...['imap', 'imap-login', 'pop3', 'pop3-login'].map((bin) => `${DOVECOT_EXTRA_LIB}/${bin}`),
  ],
  postfix: [BIN.postfix, BIN.postconf, BIN.saslpasswd2],
  cyrus: [BIN.cyrusMaster, BIN.saslpasswd2],
};

export const INSTALL_COMMAND = 'sudo scripts/install-mail-stack.sh';

/** Throws a message naming the installer when something the components need is missing. */
export function assertInstalled(components: readonly Component[]): void {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new Error(
      'The mail stack runs real Dovecot, Postfix and Cyrus servers: it needs Linux and root ' +
        '(as in CI). Run the tests as root.',
    );
  }
  const missing = [BIN.openssl, ...components.flatMap((c) => REQUIRED[c])].filter(
    (file) => !existsSync(file),
  );
  if (missing.length > 0) {
    throw new Error(
      `The mail stack is not installed (missing ${missing.join(', ')}). From the repository ` +
        `root run: ${INSTALL_COMMAND}`,
    );
  }
}
