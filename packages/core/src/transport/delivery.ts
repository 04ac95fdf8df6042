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

export const deliverySchema = z.object({
  folder: mailFolderSchema,
  /** The folder's own name on the server (e.g. "Junk", "[Gmail]/Spam"). */
  folderName: reportedTextSchema(200).optional(),
  /** From the Director's server accepting the email to the mailbox's arrival time. */
  latencyMs: z.number().min(0).optional(),
  authentication: authenticationVerdictsSchema.optional(),
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
