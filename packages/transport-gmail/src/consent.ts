// The one-time Google consent: the client ID and secret alone cannot read a mailbox. The user
// opens the consent URL, Google redirects back with a code, and the code is exchanged for a
// refresh token, which the profile stores.
import { OAuth2Client } from 'google-auth-library';
import {
  transportErrorCodes,
  type ConsentExchange,
  type ConsentResult,
  type ConsentUrlRequest,
  type FailureStage,
  type OAuthConsent,
  type OperationOptions,
} from '@email-profiles/core';
import { TransportError, asTransportError } from '@email-profiles/transport-net';
import {
  defaultTuning,
  endpointsOf,
  gmailScopes,
  type GmailTuning,
  type GoogleEndpoints,
} from './config.js';
import { describeToken, withSession } from './session.js';

/** The Google page where the mailbox's owner allows reading and sending. */
export function buildConsentUrl(
  request: ConsentUrlRequest & { endpoints?: Partial<GoogleEndpoints> },
): string {
  const client = new OAuth2Client({
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    endpoints: { oauth2AuthBaseUrl: endpointsOf(request.endpoints).auth },
    useAuthRequestParameters: false,
  });
  return client.generateAuthUrl({
    scope: [gmailScopes.read, gmailScopes.send],
    // offline: a refresh token; consent: asked again every time, so a refresh token is returned
    // again even when the account had consented before.
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: true,
    state: request.state,
    ...(request.loginHint ? { login_hint: request.loginHint } : {}),
  });
}

const READ_SCOPES = new Set([
  gmailScopes.read,
  'https://www.googleapis.com/auth/gmail.modify',
  'https://mail.google.com/',
]);
const SEND_SCOPES = new Set([
  gmailScopes.send,
  'https://www.googleapis.com/auth/gmail.compose',
  'https://www.googleapis.com/auth/gmail.modify',
  'https://mail.google.com/',
]);

/** The scopes of ours that a grant lacks (broader Gmail scopes count as covering them). */
export function missingScopes(granted: readonly string[]): string[] {
  return [
    ...(granted.some((scope) => READ_SCOPES.has(scope)) ? [] : [gmailScopes.read]),
    ...(granted.some((scope) => SEND_SCOPES.has(scope)) ? [] : [gmailScopes.send]),
  ];
}

export function scopeError(stage: FailureStage, granted: readonly string[]): TransportError {
  return new TransportError({
    stage,
    protocol: 'gmail',
    message: `Google granted ${granted.length > 0 ? granted.join(' ') : 'no Gmail scope'}; missing ${missingScopes(granted).join(' ')} (insufficient authentication scopes)`,
  });
}

export function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * Exchanges the code from Google's redirect for a refresh token, and asks Gmail which account
 * consented. Never throws: failures come back with stage, Google's words and a hint.
 */
export async function exchangeConsentCode(
  request: ConsentExchange & { endpoints?: Partial<GoogleEndpoints> },
  options: OperationOptions & { tuning?: Partial<GmailTuning> } = {},
): Promise<ConsentResult> {
  try {
    return await withSession(
      {
        clientId: request.clientId,
        clientSecret: request.clientSecret,
        redirectUri: request.redirectUri,
        endpoints: endpointsOf(request.endpoints),
        tuning: { ...defaultTuning, ...options.tuning },
        signal: options.signal,
      },
      async (session) => {
        session.addSecret(request.code);
        const { tokens } = await session.call('consent', () =>
          session.oauth.getToken({ code: request.code, redirect_uri: request.redirectUri }),
        );
        if (!tokens.access_token)
          throw new TransportError({
            stage: 'consent',
            protocol: 'gmail',
            errorCode: transportErrorCodes.protocolViolation,
            message: 'Google answered without an access token',
          });
        session.oauth.setCredentials(tokens);
        if (!tokens.refresh_token)
          throw new TransportError({
            stage: 'consent',
            protocol: 'gmail',
            errorCode: transportErrorCodes.noRefreshToken,
            message: 'Google answered without a refresh token',
          });
        const { scopes } = describeToken(tokens);
        if (scopes.length > 0 && missingScopes(scopes).length > 0)
          throw scopeError('consent', scopes);
        const { data } = await session.call('mailbox', () =>
          session.api.users.getProfile({ userId: 'me' }),
        );
        const consentedAddress = data.emailAddress;
        if (!consentedAddress)
          throw new TransportError({
            stage: 'mailbox',
            protocol: 'gmail',
            errorCode: transportErrorCodes.protocolViolation,
            message: 'Gmail answered without the account address',
          });
        return {
          ok: true as const,
          refreshToken: tokens.refresh_token,
          consentedAddress,
          matchesProfile: sameAddress(consentedAddress, request.emailAddress),
          scopes,
        };
      },
    );
  } catch (error) {
    return { ok: false, failure: asTransportError(error, 'consent').failure };
  }
}

/** Google's consent as core's OAuthConsent, against Google (or the endpoints given). */
export function createGoogleConsent(endpoints?: Partial<GoogleEndpoints>): OAuthConsent {
  const at = endpoints ? { endpoints } : {};
  return {
    consentUrl: (request) => buildConsentUrl({ ...request, ...at }),
    exchange: (request, options) => exchangeConsentCode({ ...request, ...at }, options),
    // Here invalid_grant is about the code just given, not a stored authorisation.
    codeRefused: (failure) => failure.signal === 'google-invalid-grant',
  };
}
