// The Director's own settings: for now, the mail server it sends verification emails from.
import { TRPCError } from '@trpc/server';
import {
  directorMailSettingsSchema,
  directorMailSettingsUpdateSchema,
  directorMailTestSchema,
  probeReportSchema,
  publicDirectorMailSettingsSchema,
} from '@email-profiles/core';
import { sendTestEmail, smtpConfigFromSettings } from '@email-profiles/transport-smtp';
import { getPublicMailSettings, loadMailSettings, saveMailSettings } from '../db/index.js';
import { operatorProcedure, router } from '../trpc.js';
import { fieldErrors, repository } from './errors.js';

const mailRouter = router({
  /** The public view (`passwordSet` instead of the password), or null when not configured. */
  get: operatorProcedure
    .output(publicDirectorMailSettingsSchema.nullable())
    .query(({ ctx }) => repository(() => getPublicMailSettings(ctx.db)) ?? null),

  /** Saves the settings, the password sealed; a blank password keeps the stored one. */
  update: operatorProcedure
    .input(directorMailSettingsUpdateSchema)
    .output(publicDirectorMailSettingsSchema)
    .mutation(({ ctx, input }) => {
      const saved = ctx.db.transaction((tx) => {
        let password = input.requiresAuth ? input.password : undefined;
        if (input.requiresAuth && password === undefined) {
          password = repository(() => loadMailSettings(tx, ctx.vault))?.password;
          if (password === undefined) {
            throw fieldErrors([{ path: ['password'], message: 'Enter the password' }]);
          }
        }
        const settings = directorMailSettingsSchema.safeParse({ ...input, password });
        if (!settings.success) {
          throw fieldErrors(
            settings.error.issues.map((issue) => ({
              path: issue.path as (string | number)[],
              message: issue.message,
            })),
          );
        }
        return repository(() => {
          saveMailSettings(tx, ctx.vault, settings.data);
          const view = getPublicMailSettings(tx);
          if (!view) {
            throw new TRPCError({
              code: 'INTERNAL_SERVER_ERROR',
              message: 'The mail settings were not saved',
            });
          }
          return view;
        });
      });
      ctx.log.info({ method: input.method, host: input.host }, 'mail settings updated');
      return saved;
    }),

  /** Sends a test email with the stored settings and reports each step (like the probe). */
  sendTest: operatorProcedure
    .input(directorMailTestSchema)
    .output(probeReportSchema)
    .mutation(async ({ ctx, input }) => {
      const settings = repository(() => loadMailSettings(ctx.db, ctx.vault));
      if (!settings) {
        throw new TRPCError({
          code: 'PRECONDITION_FAILED',
          message: "Configure the Director's mail settings first",
        });
      }
      const report = await sendTestEmail(smtpConfigFromSettings(settings), {
        from: settings.fromAddress,
        ...(settings.fromName ? { fromName: settings.fromName } : {}),
        to: input.to,
        subject: 'Email Profiles: test email',
        text: 'This test email was sent by the Email Profiles Director to check its mail settings.',
      });
      ctx.log.info({ to: input.to, ok: report.ok, stage: report.failure?.stage }, 'test email');
      return report;
    }),
});

export const settingsRouter = router({ mail: mailRouter });
