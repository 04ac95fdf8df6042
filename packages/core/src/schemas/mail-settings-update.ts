// Applying an update to the Director's stored mail settings: a blank secret keeps the stored one
// only while everything it is sent to is unchanged (checkBlankSecrets over the fields marked
// `destination`); Gmail's consent is kept while its client and the consenting address are.
import type {
  DirectorMailSettings,
  DirectorMailSettingsUpdate,
  DirectorMailSettingsUpdateInput,
  PublicDirectorMailSettings,
} from './mail-settings.js';
import { directorMailSettingsSchema, mailSettingsFieldSchemas } from './mail-settings.js';
import { secretFieldsOf } from './secret.js';
import { checkSecrets, mergeSecrets, type Merged, type SecretCheck } from './secret-update.js';

/**
 * Which secrets of a settings update a blank keeps, and why the others must be entered again:
 * kept only while the method, server address, port, encryption, certificate trust, "requires
 * authentication", auth type, user name, tenant and client ID are unchanged. From the stored
 * settings or their public view (which says `passwordSet`), so the web form decides as the
 * Director does. Without authentication the SMTP password is not used, so nothing is asked; with
 * it and nothing stored to keep, it must be entered.
 */
export function mailSettingsSecretCheck(
  stored: DirectorMailSettings | PublicDirectorMailSettings | null | undefined,
  update: DirectorMailSettingsUpdate | DirectorMailSettingsUpdateInput,
): SecretCheck {
  const storedSecrets = stored ? secretFieldsOf(mailSettingsFieldSchemas[stored.method]) : [];
  const hasStored = (key: string) => {
    if (!stored || !storedSecrets.includes(key)) return false;
    // Office 365 and Gmail always have their client secret; SMTP's password is optional.
    if (stored.method !== 'smtp') return true;
    return 'passwordSet' in stored ? stored.passwordSet : stored.password !== undefined;
  };
  const smtpAuth = update.method === 'smtp' && update.requiresAuth;
  const check = checkSecrets({
    schema: mailSettingsFieldSchemas[update.method],
    stored: stored ?? undefined,
    update,
    hasStored,
    uses: (key) => !(update.method === 'smtp' && key === 'password' && !update.requiresAuth),
    ...(stored?.method === 'gmail' && update.method === 'gmail'
      ? { consent: { stored: stored.fromAddress, update: update.fromAddress } }
      : {}),
  });
  // The schema's SMTP password is optional (none without authentication): with authentication
  // and no stored password to keep or to replace, it is needed.
  const password = (update as { password?: string }).password;
  const known = check.keep.includes('password') || 'password' in check.reentry;
  if (smtpAuth && (password === undefined || password === '') && !known) {
    check.issues.push({ path: ['password'], message: 'Enter the password' });
  }
  return check;
}

/** Merges a validated update into the stored settings (see mailSettingsSecretCheck). */
export function mergeMailSettings(
  stored: DirectorMailSettings | undefined,
  update: DirectorMailSettingsUpdate,
): Merged<DirectorMailSettings> {
  const check = mailSettingsSecretCheck(stored, update);
  // Without authentication there is no password, stored or sent.
  const used: Record<string, unknown> = { ...update };
  if (update.method === 'smtp' && !update.requiresAuth) delete used.password;
  return mergeSecrets(directorMailSettingsSchema, stored, used, check);
}
