// One consent client per OAuth provider (core's OAUTH_PROVIDERS), and the callback path each
// provider sends the browser back to. A server type or mail method that needs consent names its
// provider in core; adding a provider is an entry here.
import type { OAuthConsent, OAuthProvider } from '@email-profiles/core';
import { createGoogleConsent } from '@email-profiles/transport-gmail';
import type { Config } from '../config.js';

type ConsentProvider = {
  /** Registered by the user as the OAuth client's redirect URI, so it never changes. */
  callbackPath: string;
  client(config: Config): OAuthConsent;
};

export const consentProviders: Record<OAuthProvider, ConsentProvider> = {
  google: {
    callbackPath: '/api/gmail/callback',
    client: (config) => createGoogleConsent(config.mailEndpoints.google),
  },
};
