// A mail server in a form, as MailServerFields edits it, its wording, and the rule its port follows.
import type { TlsTrustDraft } from './tls-trust';

/** Core's server shape, its port blank (undefined) until typed, every TLS trust mode's field. */
export type ServerDraft<S extends { port: number }> = Omit<S, 'port' | 'tlsTrust'> & {
  port: number | undefined;
  tlsTrust: TlsTrustDraft;
};

/** The wording of one use of MailServerFields (the profile's steps, Email Settings). */
export type MailServerLabels = {
  host: string;
  hostHint?: string;
  encryption: string;
  port: string;
  authType: string;
  /**
   * For a server that may take mail without authentication: the label of its "requires
   * authentication" checkbox; the auth type (and the `auth` slot) show only while it is ticked.
   */
  requiresAuth?: string;
};

/** The port to show after the protocol or encryption changed: the new default, unless the user typed another. */
export function followDefault(
  port: number | undefined,
  previousDefault: number,
  nextDefault: number,
): number {
  return port === undefined || port === previousDefault ? nextDefault : port;
}
