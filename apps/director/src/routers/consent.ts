// The one-time OAuth consent, for the Director's mail settings or a profile whose method or
// server type needs one: the operator gets the provider's consent URL here; the provider sends
// the browser back to the callback route (consent-callback.ts), which stores the refresh token.
import { TRPCError } from '@trpc/server';
import { consentStartSchema, consentTargetSchema, OAUTH_PROVIDERS } from '@email-profiles/core';
import { consentStates } from '../mail/consent-states.js';
import { consentCredentials, publicBaseUrl } from '../mail/consent.js';
import { consentClients } from '../mail/oauth-providers.js';
import { operatorProcedure, router } from '../trpc.js';

export const consentRouter = router({
  /** Starts a consent: the provider's page to open, valid for a few minutes and once. */
  start: operatorProcedure
    .input(consentTargetSchema)
    .output(consentStartSchema)
    .mutation(({ ctx, input }) => {
      const resolved = consentCredentials(ctx.db, ctx.vault, input);
      if (!resolved.ok) throw new TRPCError({ code: resolved.code, message: resolved.message });
      if (ctx.sessionHash === undefined) {
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Log in first' });
      }
      const { provider } = resolved;
      const { clientId, emailAddress } = resolved.credentials;
      const redirectUri = `${publicBaseUrl(ctx.config)}${OAUTH_PROVIDERS[provider].callbackPath}`;
      const { state, expiresAt } = consentStates(ctx.db).create({
        userId: ctx.user.id,
        sessionHash: ctx.sessionHash,
        target: input,
        clientId,
        emailAddress,
        redirectUri,
      });
      const url = consentClients[provider](ctx.config).consentUrl({
        clientId,
        redirectUri,
        state,
        loginHint: emailAddress,
      });
      ctx.log.info(
        { target: input.target, provider },
        `${OAUTH_PROVIDERS[provider].label} consent started`,
      );
      return { url, redirectUri, expiresAt: new Date(expiresAt).toISOString() };
    }),
});
