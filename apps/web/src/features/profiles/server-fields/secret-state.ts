// A secret field's part of core's secret check (none when adding): SecretField's `stored`
// (blank keeps the stored secret) and `reentry` (why it must be typed again).
import type { SecretCheck } from '@email-profiles/core';

export function secretFieldState(status: SecretCheck | undefined, key: string) {
  return { stored: status?.keep.includes(key) ?? false, reentry: status?.reentry[key] };
}
