// Failures the product records itself, not from a transport's observation: the actor's runner
// crashed, the Director's mail settings vanished, a connectivity check never reported, the
// Director's Gmail sender lacks consent. Kept here so docs/troubleshooting.md lists them too.
import { explainFailure, type Failure } from './taxonomy.js';

/**
 * Verify's refusal of an automatic-mode profile while the Director has no mail settings: the web
 * app recognises it to offer the two ways out (Email Settings, or manual mode).
 */
export const MAIL_SETTINGS_MISSING =
  "Configure the Director's mail settings, or enable Send verification email manually";

export const productFailures = {
  /** The actor's task runner threw; nothing the error said goes to the Director. */
  actorCrashed: (): Failure => ({
    stage: 'config',
    origin: 'actor',
    summary: 'The actor could not run this check',
    hint: "See the actor's log on its host, then run the check again",
    transient: true,
  }),
  /** Automatic mode: the mail settings were removed between Verify and the send. */
  mailSettingsRemoved: (): Failure => ({
    ...explainFailure({ stage: 'config', origin: 'director' }),
    summary: "The Director's mail settings were removed before the email was sent.",
    hint: "Configure the Director's mail settings, or enable Send verification email manually, then verify again.",
  }),
  /** A connectivity check whose actor never reported its result. */
  diagnosticsTimedOut: (): Failure => ({
    ...explainFailure({ stage: 'timeout' }),
    summary: 'The connectivity check did not finish in time.',
    hint: 'The actor started the check but did not report its result. Check the actor agent on its host, then run the check again.',
  }),
  /**
   * An actor reported the code found, but the subject it reported does not carry the attempt's
   * code: the Director does not take its word for it.
   */
  actorReportedWrongMessage: (): Failure => ({
    ...explainFailure({ stage: 'search' }),
    summary: "The actor reported a message that does not carry this attempt's code.",
    hint: 'The Director checks the subject an actor reports against the code it sent, and this one did not match, so the profile stays unverified. Update the actor agent on its host (and check that it was not altered), then verify again.',
    transient: false,
  }),
  /** The actor was revoked while its connectivity check ran. */
  actorRevoked: (): Failure => ({
    ...explainFailure({ stage: 'config' }),
    summary: 'The actor was revoked during the check.',
    hint: 'A revoked actor can no longer reach the Director. Enroll the host again (Actors page, Add actor) or run the check from another actor.',
    transient: false,
  }),
  /** The Director sends through the Gmail API but its consent was never given. */
  gmailConsentMissing: (fromAddress: string): Failure => ({
    ...explainFailure({ stage: 'consent', protocol: 'gmail', origin: 'director' }),
    summary: `Google has not yet authorised the Director to send as ${fromAddress}.`,
    hint: `In the Director's mail settings, click "Authorise with Google" and sign in as ${fromAddress}.`,
  }),
} as const;
