// GET on a provider's callback path (e.g. /api/gmail/callback): where the OAuth provider sends
// the browser after the consent. Checks the state, exchanges the code for a refresh token
// (checking the account that consented), stores it sealed, and sends the browser back to the web
// app with the outcome in the query string.
//
// The session cookie is SameSite=Strict, so a browser does not send it on the provider's cross-site
// redirect: the state stands in for it. It was issued to a session, which must still be live.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  consentQuery,
  OAUTH_PROVIDERS,
  type ConsentTarget,
  type OAuthProvider,
} from '@email-profiles/core';
import { sessionUser } from '../db/index.js';
import { CONSENT_TTL_MS, consentStates, type PendingConsent } from '../mail/consent-states.js';
import { consentCredentials, publicBaseUrl, storeConsent, targetPage } from '../mail/consent.js';
import { consentClients } from '../mail/oauth-providers.js';
import type { Services } from '../trpc.js';

/** The code exchange and the account look-up together. */
const EXCHANGE_TIMEOUT_MS = 45_000;

type Outcome = { ok: true; account: string } | { ok: false; message: string };

const AGAIN = 'Start the authorisation again from the Director.';

export async function handleConsentCallback(
  services: Services,
  provider: OAuthProvider,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { label } = OAUTH_PROVIDERS[provider];
  const query = new URL(req.url ?? '/', 'http://callback').searchParams;
  const state = query.get('state');
  let target: ConsentTarget | undefined;
  let outcome: Outcome;
  if (req.method !== 'GET') {
    outcome = { ok: false, message: 'The consent callback takes GET only.' };
  } else if (!state) {
    outcome = { ok: false, message: `${label}'s answer carries no state. ${AGAIN}` };
  } else {
    const taken = consentStates(services.db).take(state);
    if (!taken.ok) {
      outcome = {
        ok: false,
        message:
          taken.reason === 'expired'
            ? `The authorisation was not completed within ${CONSENT_TTL_MS / 60_000} minutes. ${AGAIN}`
            : `This authorisation is unknown or was already used. ${AGAIN}`,
      };
    } else {
      target = taken.pending.target;
      outcome = await complete(services, provider, taken.pending, query, req);
    }
  }
  const location = new URL(`${publicBaseUrl(services.config)}${targetPage(target)}`);
  if (outcome.ok) {
    location.searchParams.set(consentQuery.outcome, 'granted');
    location.searchParams.set(consentQuery.account, outcome.account);
  } else {
    location.searchParams.set(consentQuery.outcome, 'failed');
    location.searchParams.set(consentQuery.message, outcome.message);
  }
  services.log.info(
    {
      target: target?.target,
      provider,
      ok: outcome.ok,
      ...(outcome.ok ? {} : { reason: outcome.message }),
    },
    'consent callback',
  );
  res.writeHead(303, {
    location: location.toString(),
    'cache-control': 'no-store',
    // The callback URL carries the code: it must not travel on as a Referer.
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  });
  res.end();
}

async function complete(
  services: Services,
  provider: OAuthProvider,
  pending: PendingConsent,
  query: URLSearchParams,
  req: IncomingMessage,
): Promise<Outcome> {
  const { db, vault, config } = services;
  const { label } = OAUTH_PROVIDERS[provider];
  if (sessionUser(db, pending.sessionHash)?.id !== pending.userId) {
    return {
      ok: false,
      message: `Your Director session ended before ${label} answered. Log in and start the authorisation again.`,
    };
  }
  const error = query.get('error');
  if (error !== null) {
    return {
      ok: false,
      message:
        error === 'access_denied'
          ? `The consent was declined in ${label}, so the Director was not authorised.`
          : `${label} did not authorise the Director (${error.replace(/[^\w.-]/g, '').slice(0, 64)}). ${AGAIN}`,
    };
  }
  const code = query.get('code');
  if (!code)
    return { ok: false, message: `${label}'s answer carries no authorisation code. ${AGAIN}` };
  const resolved = consentCredentials(db, vault, pending.target);
  if (
    !resolved.ok ||
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- one provider today
    resolved.provider !== provider ||
    resolved.credentials.clientId !== pending.clientId ||
    resolved.credentials.emailAddress.toLowerCase() !== pending.emailAddress.toLowerCase()
  ) {
    return {
      ok: false,
      message: `The settings changed or were removed while ${label} asked for consent. ${AGAIN}`,
    };
  }
  const { credentials } = resolved;
  const closed = new AbortController();
  const onClose = () => {
    closed.abort();
  };
  req.socket.once('close', onClose);
  try {
    const client = consentClients[provider](config);
    const result = await client.exchange(
      { ...credentials, code, redirectUri: pending.redirectUri },
      { signal: AbortSignal.any([closed.signal, AbortSignal.timeout(EXCHANGE_TIMEOUT_MS)]) },
    );
    if (!result.ok) {
      const { failure } = result;
      if (client.codeRefused(failure)) {
        return {
          ok: false,
          message: `${label} refused the authorisation code (${failure.serverText ?? 'invalid_grant'}): a code is valid once and for a few minutes. ${AGAIN}`,
        };
      }
      return { ok: false, message: `${failure.summary} ${failure.hint}` };
    }
    if (!result.matchesProfile) {
      const expected =
        pending.target.target === 'profile'
          ? `the profile is for ${credentials.emailAddress}`
          : `the Director's mail settings send as ${credentials.emailAddress}`;
      return {
        ok: false,
        message: `${label} authorised ${result.consentedAddress}, but ${expected}. Sign in to ${label} as ${credentials.emailAddress} and authorise again.`,
      };
    }
    storeConsent(db, vault, pending.target, {
      refreshToken: result.refreshToken,
      consentedAddress: result.consentedAddress,
    });
    if (pending.target.target === 'profile') {
      services.verification.profileEdited(pending.target.profileId);
    }
    return { ok: true, account: result.consentedAddress };
  } catch (error) {
    services.log.error({ err: error, provider }, 'storing the consent failed');
    return { ok: false, message: `The consent could not be stored. ${AGAIN}` };
  } finally {
    req.socket.off('close', onClose);
  }
}
