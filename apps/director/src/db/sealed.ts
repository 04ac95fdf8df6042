// Splitting a record into public fields and sealed secrets, and back. Which fields are secret
// comes from core's schema marks (secretFieldsOf), never from a list kept here.
import type { Vault } from '../secrets/vault.js';
import type { PublicFields, SealedSecrets } from './schema.js';

export function sealSecrets(
  vault: Vault,
  record: Record<string, unknown>,
  secretKeys: readonly string[],
  contextPrefix: string,
): { publicFields: PublicFields; sealedSecrets: SealedSecrets } {
  const publicFields: PublicFields = {};
  const sealedSecrets: SealedSecrets = {};
  for (const [key, value] of Object.entries(record)) {
    if (!secretKeys.includes(key)) {
      publicFields[key] = value;
    } else if (typeof value === 'string') {
      sealedSecrets[key] = vault.seal(value, `${contextPrefix}:${key}`);
    } else if (value !== undefined) {
      throw new TypeError(`Secret field "${key}" must be a string`);
    }
  }
  return { publicFields, sealedSecrets };
}

export function openSecrets(
  vault: Vault,
  sealedSecrets: SealedSecrets,
  contextPrefix: string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(sealedSecrets).map(([key, sealed]) => [
      key,
      vault.open(sealed, `${contextPrefix}:${key}`),
    ]),
  );
}
