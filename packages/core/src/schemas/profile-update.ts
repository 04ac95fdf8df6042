// Applying an update to a stored profile: a blank secret keeps the stored one only while
// everything it is sent to is unchanged (checkBlankSecrets over the fields marked `destination`).
import type {
  EmailProfile,
  EmailProfileUpdate,
  EmailProfileUpdateInput,
  PublicEmailProfile,
} from './profile.js';
import { emailProfileSchema, profileFieldSchemas } from './profile.js';
import { secretFieldsOf } from './secret.js';
import { needsConsent } from './server-types.js';
import { checkSecrets, mergeSecrets, type Merged, type SecretCheck } from './secret-update.js';

/**
 * Which secrets of a profile update a blank keeps, and why the others must be entered again: a
 * stored secret is kept only while the server type, servers, ports, encryption, certificate
 * trust, auth type, account username, tenant and client ID it is sent to are unchanged (for
 * IMAP/POP3 the one account password goes to both the incoming and the outgoing server). Works
 * from the public view of the stored profile, so the web form decides exactly as the Director
 * does; the update may be the form's input or the parsed update. Gmail's consent is kept while
 * its destination (the client ID) and the address are.
 */
export function profileSecretCheck(
  stored: EmailProfile | PublicEmailProfile,
  update: EmailProfileUpdate | EmailProfileUpdateInput,
): SecretCheck {
  // Every secret a server type has is required, so the stored profile has each of its type's.
  const storedSecrets = secretFieldsOf(profileFieldSchemas[stored.serverType]);
  return checkSecrets({
    schema: profileFieldSchemas[update.serverType],
    stored,
    update,
    hasStored: (key) => storedSecrets.includes(key),
    // A consent belongs to the mailbox that gave it: it may stay only within the same type.
    ...(needsConsent(stored.serverType) && stored.serverType === update.serverType
      ? { consent: { stored: stored.emailAddress, update: update.emailAddress } }
      : {}),
  });
}

/** Merges a validated update into the stored profile (see profileSecretCheck). */
export function mergeProfileUpdate(
  existing: EmailProfile,
  update: EmailProfileUpdate,
): Merged<EmailProfile> {
  if (update.id !== existing.id) {
    return {
      ok: false,
      issues: [{ path: ['id'], message: 'The update is for a different profile' }],
    };
  }
  const check = profileSecretCheck(existing, update);
  return mergeSecrets(emailProfileSchema, existing, update, check, {
    manualCode: existing.manualCode,
  });
}
