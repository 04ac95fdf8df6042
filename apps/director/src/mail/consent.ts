// What an OAuth consent authorises: the Director's mail settings or a profile, of a method or
// server type whose traits in core name a provider. Reads the credentials the consent is asked
// with, and stores the refresh token it yields (sealed).
import {
  followProfileChange,
  isConsentMailSettings,
  isConsentProfile,
  MAIL_METHODS,
  SERVER_TYPES,
  type ConsentTarget,
  type OAuthProvider,
  type Secret,
} from '@email-profiles/core';
import type { Config } from '../config.js';
import {
  getProfileVerification,
  loadMailSettings,
  loadProfile,
  putProfileVerification,
  saveMailSettings,
  saveProfile,
  type Conn,
} from '../db/index.js';
import type { Vault } from '../secrets/vault.js';

export type ConsentCredentials = { clientId: string; clientSecret: Secret; emailAddress: string };

export type Resolved =
  | { ok: true; provider: OAuthProvider; credentials: ConsentCredentials }
  | { ok: false; code: 'NOT_FOUND' | 'PRECONDITION_FAILED'; message: string };

/** The labels of the entries that need consent, e.g. "Gmail API". */
const consentLabels = (traits: Record<string, { label: string; consent: unknown }>) =>
  Object.values(traits)
    .filter((trait) => trait.consent !== undefined)
    .map((trait) => trait.label)
    .join(' or ');

export function consentCredentials(db: Conn, vault: Vault, target: ConsentTarget): Resolved {
  if (target.target === 'mail-settings') {
    const settings = loadMailSettings(db, vault);
    if (!settings || !isConsentMailSettings(settings)) {
      return {
        ok: false,
        code: 'PRECONDITION_FAILED',
        message: `Save the Director's mail settings with the ${consentLabels(MAIL_METHODS)} method first`,
      };
    }
    const { clientId, clientSecret, fromAddress } = settings;
    return {
      ok: true,
      provider: MAIL_METHODS[settings.method].consent,
      credentials: { clientId, clientSecret, emailAddress: fromAddress },
    };
  }
  const profile = loadProfile(db, vault, target.profileId);
  if (!profile) {
    return { ok: false, code: 'NOT_FOUND', message: `No profile "${target.profileId}"` };
  }
  if (!isConsentProfile(profile)) {
    return {
      ok: false,
      code: 'PRECONDITION_FAILED',
      message: `Only a profile of server type ${consentLabels(SERVER_TYPES)} is authorised this way`,
    };
  }
  const { clientId, clientSecret, emailAddress } = profile;
  return {
    ok: true,
    provider: SERVER_TYPES[profile.serverType].consent,
    credentials: { clientId, clientSecret, emailAddress },
  };
}

/**
 * Stores the refresh token on its target. For a profile this is a connection change, so the
 * actors' verification states are reset as an edit would reset them.
 */
export function storeConsent(
  db: Conn,
  vault: Vault,
  target: ConsentTarget,
  consent: { refreshToken: string; consentedAddress: string },
): void {
  const fields = {
    refreshToken: consent.refreshToken as Secret,
    consentedAddress: consent.consentedAddress,
    consentedAt: new Date().toISOString(), // an app in Testing loses it 7 days later
  };
  db.transaction((tx) => {
    if (target.target === 'mail-settings') {
      const settings = loadMailSettings(tx, vault);
      if (!settings || !isConsentMailSettings(settings))
        throw new Error('The mail settings are gone');
      saveMailSettings(tx, vault, { ...settings, ...fields });
      return;
    }
    const before = loadProfile(tx, vault, target.profileId);
    if (!before || !isConsentProfile(before)) throw new Error('The profile is gone');
    const after = { ...before, ...fields };
    const state = getProfileVerification(tx, before.id);
    if (!state) throw new Error('The profile has no verification state');
    const next = followProfileChange(state, before, after);
    if (!next.ok) throw new Error(next.rejection.message);
    saveProfile(tx, vault, after);
    putProfileVerification(tx, before.id, next.state);
  });
}

/** The web app's page for a target, where the browser comes back to after the consent. */
export function targetPage(target: ConsentTarget | undefined): string {
  if (target?.target === 'profile') {
    return `/settings/email-actions/${encodeURIComponent(target.profileId)}/edit`;
  }
  return '/settings/email';
}

/** How browsers reach the Director: the configured public URL, or the address it listens on. */
export function publicBaseUrl(config: Pick<Config, 'publicUrl' | 'host' | 'port'>): string {
  if (config.publicUrl !== undefined) return config.publicUrl;
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const host = wildcard
    ? 'localhost'
    : config.host.includes(':')
      ? `[${config.host}]`
      : config.host;
  return `http://${host}:${config.port}`;
}
