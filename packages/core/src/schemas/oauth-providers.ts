// The OAuth providers a mailbox owner consents with, declared once. A server type or a mail
// method that needs the owner's one-time consent names its provider (its `consent` trait); the
// Director keeps one consent client per provider.
export const OAUTH_PROVIDERS = {
  /** Its callback was named for Gmail first; users register it as a redirect URI, so it stays. */
  google: { label: 'Google', callbackPath: '/api/gmail/callback' },
} as const satisfies Record<
  string,
  {
    label: string;
    /** Where the provider sends the browser back: the OAuth client's authorised redirect URI. */
    callbackPath: string;
  }
>;

export type OAuthProvider = keyof typeof OAUTH_PROVIDERS;

export const OAUTH_PROVIDER_NAMES = Object.keys(OAUTH_PROVIDERS) as OAuthProvider[];
