// One consent client per OAuth provider (core's OAUTH_PROVIDERS, which also holds each one's
// label and callback path). A server type or mail method that needs consent names its provider in
// core; adding a provider is an entry there and one here.
import type { OAuthConsent, OAuthProvider } from '@email-profiles/core';
import { createGoogleConsent } from '@email-profiles/transport-gmail';
import type { Config } from '../config.js';

export const consentClients: Record<OAuthProvider, (config: Config) => OAuthConsent> = {
  google: (config) => createGoogleConsent(config.mailEndpoints.google),
};
