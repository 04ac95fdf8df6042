import type { CyrusPorts } from './cyrus.js';
import type { DovecotPorts } from './dovecot.js';
import type { PostfixPorts } from './postfix.js';
import type { StackTls } from './tls.js';
import type { MailUser } from './users.js';

export type { CyrusPorts, DovecotPorts, MailUser, PostfixPorts, StackTls };

export type Component = 'dovecot' | 'postfix' | 'cyrus';

/** Everything about a running stack that can cross a process boundary (JSON-serializable). */
export type MailStackInfo = {
  host: '127.0.0.1';
  /** Private run folder (deleted by stop()). */
  dir: string;
  tls: StackTls;
  dovecot?: { ports: DovecotPorts; users: MailUser[] };
  postfix?: { ports: PostfixPorts; users: MailUser[] };
  cyrus?: { ports: CyrusPorts; users: MailUser[] };
};

export type MailStack = MailStackInfo & {
  /** LMTP into whichever server owns the mailbox. */
  deliver(toAddress: string, rawMessage: string): Promise<void>;
  /** Fast bulk fill (Dovecot: maildir files written directly; Cyrus: LMTP). */
  fillMailbox(
    address: string,
    count: number,
    options?: { date?: Date; subjectPrefix?: string },
  ): Promise<void>;
  /** Stops every server, checks no process or port is left, removes `dir`. Idempotent. */
  stop(): Promise<void>;
};

export type StartOptions = { components?: Component[] };
