// The Director's own settings: for now, how it sends verification emails (SMTP, Office 365 Graph
// or the Gmail API).
import { TRPCError } from '@trpc/server';
import {
  directorMailSettingsUpdateSchema,
  directorMailTestSchema,
  mergeMailSettings,
  probeReportSchema,
  publicDirectorMailSettingsSchema,
} from '@email-profiles/core';
import { getPublicMailSettings, loadMailSettings, saveMailSettings } from '../db/index.js';
import { sendDirectorTestEmail } from '../mail/test-email.js';
import { operatorProcedure, router } from '../trpc.js';
import { fieldErrors } from './errors.js';

const mailRouter = router({
  /** The public view (no secrets; `passwordSet`, `consentGranted`), or null when not configured. */
  get: operatorProcedure
    .output(publicDirectorMailSettingsSchema.nullable())
    .query(({ ctx }) => getPublicMailSettings(ctx.db) ?? null),

  /**
   * Saves the settings, secrets sealed. A blank secret keeps the stored one only while where it is
   * sent (method, server, port, encryption, trust, login) stays the same; Gmail's consent while
   * the client ID and from-address do (core's mergeMailSettings).
   */
  update: operatorProcedure
    .input(directorMailSettingsUpdateSchema)
    .output(publicDirectorMailSettingsSchema)
    .mutation(({ ctx, input }) => {
      const saved = ctx.db.transaction((tx) => {
        const stored = loadMailSettings(tx, ctx.vault);
        const merged = mergeMailSettings(stored, input);
        if (!merged.ok) throw fieldErrors(merged.issues);
        saveMailSettings(tx, ctx.vault, merged.value);
        const view = getPublicMailSettings(tx);
        if (!view) {
          throw new TRPCError({
            code: 'INTERNAL_SERVER_ERROR',
            message: 'The mail settings were not saved',
          });
        }
        return view;
      });
      ctx.log.info({ method: input.method }, 'mail settings updated');
      return saved;
    }),

  /**
   * Sends a test email with the stored settings, or with the form's before they are saved
   * (nothing stored), and reports each step: the method's check (SMTP:
   * DNS to login; Graph: token, permission; Gmail: token, mailbox, permission), then the send.
   */
  sendTest: operatorProcedure
    .input(directorMailTestSchema)
    .output(probeReportSchema)
    .mutation(async ({ ctx, input, signal }) => {
      const stored = loadMailSettings(ctx.db, ctx.vault);
      const merged = input.draft ? mergeMailSettings(stored, input.draft) : undefined;
      if (merged && !merged.ok) throw fieldErrors(merged.issues);
      const settings = merged ? merged.value : stored;
      if (!settings) {
        throw new TRPCError({
          code: 'PRECONDITION_FAILED',
          message: "Configure the Director's mail settings first",
        });
      }
      const report = await sendDirectorTestEmail(
        settings,
        {
          from: settings.fromAddress,
          ...(settings.fromName ? { fromName: settings.fromName } : {}),
          to: input.to,
          subject: 'Email Profiles: test email',
          text: 'This test email was sent by the Email Profiles Director to check its mail settings.',
        },
        ctx.config.mailEndpoints,
        // The browser went away: so does the attempt.
        signal ? { signal } : {},
      );
      ctx.log.info(
        {
          method: settings.method,
          to: input.to,
          draft: input.draft !== undefined,
          ok: report.ok,
          stage: report.failure?.stage,
        },
        'test email',
      );
      return report;
    }),
});

export const settingsRouter = router({ mail: mailRouter });
