// The OAuth providers a mailbox owner consents with, declared once. A server type or a mail
// method that needs the owner's one-time consent names its provider (its `consent` trait); the
// Director keeps one consent client per provider.
export const OAUTH_PROVIDERS = {
  google: { label: 'Google' },
} as const satisfies Record<string, { label: string }>;

export type OAuthProvider = keyof typeof OAUTH_PROVIDERS;

export const OAUTH_PROVIDER_NAMES = Object.keys(OAUTH_PROVIDERS) as OAuthProvider[];
