// Google's one-time consent, for the Director's Gmail mail settings or a Gmail profile: the
// operator gets the consent URL here; Google sends the browser back to the callback route
// (gmail-callback.ts), which stores the refresh token.
import { TRPCError } from '@trpc/server';
import { gmailConsentStartSchema, gmailConsentTargetSchema } from '@email-profiles/core';
import { buildConsentUrl } from '@email-profiles/transport-gmail';
import { consentStates } from '../mail/consent-states.js';
import { CALLBACK_PATH, consentCredentials, publicBaseUrl } from '../mail/gmail-consent.js';
import { operatorProcedure, router } from '../trpc.js';

export const gmailRouter = router({
  /** Starts a consent: the Google page to open, valid for a few minutes and once. */
  startConsent: operatorProcedure
    .input(gmailConsentTargetSchema)
    .output(gmailConsentStartSchema)
    .mutation(({ ctx, input }) => {
      const resolved = consentCredentials(ctx.db, ctx.vault, input);
      if (!resolved.ok) throw new TRPCError({ code: resolved.code, message: resolved.message });
      if (ctx.sessionHash === undefined) {
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Log in first' });
      }
      const { clientId, emailAddress } = resolved.credentials;
      const redirectUri = `${publicBaseUrl(ctx.config)}${CALLBACK_PATH}`;
      const { state, expiresAt } = consentStates(ctx.db).create({
        userId: ctx.user.id,
        sessionHash: ctx.sessionHash,
        target: input,
        clientId,
        emailAddress,
        redirectUri,
      });
      const url = buildConsentUrl({
        clientId,
        redirectUri,
        state,
        loginHint: emailAddress,
        ...(ctx.config.mailEndpoints.google ? { endpoints: ctx.config.mailEndpoints.google } : {}),
      });
      ctx.log.info({ target: input.target }, 'Google consent started');
      return { url, redirectUri, expiresAt: new Date(expiresAt).toISOString() };
    }),
});
