// Where a verification email landed: the folder (Inbox, or Junk/Spam), how long it took from the
// Director's submit to the mailbox, and the receiving server's verdict on its authentication
// (SPF, DKIM, DMARC from the Authentication-Results header: headers only, as always).
import { z } from 'zod';
import { reportedTextSchema } from '../validation/text.js';

export const mailFolderSchema = z.enum(['inbox', 'junk']);
export type MailFolder = z.infer<typeof mailFolderSchema>;

export const mailFolderLabels: Record<MailFolder, string> = { inbox: 'Inbox', junk: 'Junk/Spam' };

/** The verdicts RFC 8601 defines for these methods (and any other word a server uses, bounded). */
const verdictSchema = reportedTextSchema(16);

export const authenticationVerdictsSchema = z.object({
  spf: verdictSchema.optional(),
  dkim: verdictSchema.optional(),
  dmarc: verdictSchema.optional(),
});
export type AuthenticationVerdicts = z.infer<typeof authenticationVerdictsSchema>;

/** The form of an application permission's name, e.g. `Mail.Read`. */
export const PERMISSION_NAME = /^[A-Za-z][A-Za-z0-9.]{0,63}$/;

/**
 * What a Graph app may read besides its own mailbox, as the actor saw it while verifying: the
 * token's tenant-wide mail permissions (Entra admin consent, the `roles` claim: every mailbox of
 * the tenant unless Exchange scopes them) and the answer to reading the canary mailbox.
 */
export const mailboxAccessSchema = z.object({
  /** Permission names as Entra writes them (e.g. `Mail.ReadBasic.All`): nothing else is shown. */
  tenantWideRoles: z.array(z.string().regex(PERMISSION_NAME)).max(32),
  /** Reading the canary: refused (403, scoped), allowed (not scoped), no such mailbox, not tried. */
  canary: z.enum(['denied', 'readable', 'absent', 'not_checked']),
});
export type MailboxAccess = z.infer<typeof mailboxAccessSchema>;

/**
 * The worst of what several actors saw: one that could read the canary outweighs another that
 * was refused (a policy cached differently), and a checked canary outweighs an unchecked one.
 */
export function worstAccess(seen: readonly MailboxAccess[]): MailboxAccess | undefined {
  const rank = (access: MailboxAccess) =>
    (readsOtherMailboxes(access) ? 4 : 0) + (access.canary === 'not_checked' ? 0 : 1);
  return [...seen].sort((a, b) => rank(b) - rank(a))[0];
}

/** Roles of the `roles` claim that let an app read mail (Mail.Send alone does not). */
export const MAIL_READING_ROLES = [
  'Mail.Read',
  'Mail.ReadBasic',
  'Mail.ReadBasic.All',
  'Mail.ReadWrite',
];

/** The app can read mailboxes other than its own: seen on the canary, or granted tenant-wide. */
export function readsOtherMailboxes(access: MailboxAccess): boolean {
  if (access.canary === 'readable') return true;
  if (access.canary === 'denied') return false; // scoped, e.g. by an application access policy
  return access.tenantWideRoles.some((role) => MAIL_READING_ROLES.includes(role));
}

export const deliverySchema = z.object({
  folder: mailFolderSchema,
  /** The folder's own name on the server (e.g. "Junk", "[Gmail]/Spam"). */
  folderName: reportedTextSchema(200).optional(),
  /** From the Director's server accepting the email to the mailbox's arrival time. */
  latencyMs: z.number().min(0).optional(),
  authentication: authenticationVerdictsSchema.optional(),
  access: mailboxAccessSchema.optional(),
});
export type Delivery = z.infer<typeof deliverySchema>;

const METHODS = ['spf', 'dkim', 'dmarc'] as const;

/**
 * The SPF, DKIM and DMARC verdicts of Authentication-Results header values (RFC 8601), the
 * first header (the receiving server's own, on top) winning per method. Hostile input is only
 * text: anything that is not `method=word` is ignored.
 */
export function parseAuthenticationResults(headers: readonly string[]): AuthenticationVerdicts {
  const verdicts: AuthenticationVerdicts = {};
  for (const header of headers.slice(0, 20)) {
    // Comments in parentheses may hold anything, even "spf=pass": they are not results.
    const text = header.slice(0, 8192).replace(/\([^()]*\)/g, ' ');
    for (const method of METHODS) {
      if (verdicts[method] !== undefined) continue;
      const match = new RegExp(`(?:^|[;\\s])${method}\\s*=\\s*([a-z]{1,16})\\b`, 'i').exec(text);
      if (match?.[1]) verdicts[method] = match[1].toLowerCase();
    }
  }
  return verdicts;
}
