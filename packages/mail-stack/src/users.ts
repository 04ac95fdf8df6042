// The accounts every stack has. Passwords are fixed (they only ever exist on loopback during a
// test run) so failures are easy to reproduce by hand.

export type MailUser = {
  /** The login name that always works (PLAIN and LOGIN). */
  username: string;
  password: string;
  /** Where mail for this account is delivered. */
  address: string;
  /**
   * The same account in the `DOMAIN\user` form, where the server accepts that literal string for
   * PLAIN and LOGIN (see the README for NTLM).
   */
  domainUsername?: string;
};

/** The mail domain Postfix accepts and Dovecot holds mailboxes for. */
export const MAIL_DOMAIN = 'example.test';
/** The NetBIOS-style domain of the `DOMAIN\user` login forms. */
export const NETBIOS_DOMAIN = 'EXAMPLE';
/** Cyrus' servername, which is also its SASL realm. */
export const CYRUS_SERVERNAME = 'localhost';

function domainUser(local: string, password: string): MailUser {
  return {
    username: `${local}@${MAIL_DOMAIN}`,
    password,
    address: `${local}@${MAIL_DOMAIN}`,
    domainUsername: `${NETBIOS_DOMAIN}\\${local}`,
  };
}

export const DOVECOT_USERS: readonly MailUser[] = [
  domainUser('actor1', 'actor1-Secret'),
  domainUser('actor2', 'actor2-Secret'),
];

export const POSTFIX_USERS: readonly MailUser[] = [domainUser('sender', 'sender-Secret')];

export const CYRUS_USERS: readonly MailUser[] = [
  { username: 'ntlmuser', password: 'ntlmuser-Secret', address: `ntlmuser@${CYRUS_SERVERNAME}` },
  { username: 'ntlmuser2', password: 'ntlmuser2-Secret', address: `ntlmuser2@${CYRUS_SERVERNAME}` },
];

/** Cyrus administrator (creates the mailboxes); not part of the public user lists. */
export const CYRUS_ADMIN = 'cyrusadmin';
