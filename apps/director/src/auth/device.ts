// Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser that
// logged in to an account gets a long-lived cookie naming that account, sealed with the master
// key (so it cannot be forged or altered). A login that presents a valid device cookie for the
// account it tries is counted on that cookie alone: an attacker guessing from elsewhere can lock
// the account for unknown browsers, but not the administrator's own browser out.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Vault } from '../secrets/vault.js';

export const DEVICE_COOKIE = 'ep_device';
export const DEVICE_TTL_MS = 180 * 24 * 3600_000;
/** Sent only to the login call. */
const DEVICE_COOKIE_PATH = '/api/trpc/auth.login';
const CONTEXT = 'device-cookie';

const payloadSchema = z.object({ account: z.string(), id: z.string(), expiresAt: z.number() });

export type Device = { id: string; account: string };

/** A fresh device cookie for `account` (lower case), as a Set-Cookie value. */
export function deviceCookie(vault: Vault, account: string, secure: boolean): string {
  const payload = {
    account,
    id: randomBytes(16).toString('base64url'),
    expiresAt: Date.now() + DEVICE_TTL_MS,
  };
  return [
    `${DEVICE_COOKIE}=${vault.seal(JSON.stringify(payload), CONTEXT)}`,
    `Max-Age=${DEVICE_TTL_MS / 1000}`,
    `Path=${DEVICE_COOKIE_PATH}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** The device a cookie value names, if it is genuine, unexpired and for `account`. */
export function validDevice(
  vault: Vault,
  value: string | undefined,
  account: string,
): Device | undefined {
  if (value === undefined || value === '' || value.length > 512) return undefined;
  try {
    const payload = payloadSchema.parse(JSON.parse(vault.open(value, CONTEXT)));
    if (payload.account !== account || payload.expiresAt <= Date.now()) return undefined;
    return { id: payload.id, account: payload.account };
  } catch {
    return undefined;
  }
}
