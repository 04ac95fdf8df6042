import { upperCaseLikeWindows } from './bytes.js';
import { NtlmError } from './errors.js';

function badUsername(message: string): never {
  throw new NtlmError('NTLM_BAD_USERNAME', message);
}

/**
 * Splits an account name into the user and domain NTLM sends (and NTLMv2 hashes):
 *
 * - `DOMAIN\user` → `{ user: 'user', domain: 'DOMAIN' }`, the domain upper-cased (Windows treats
 *   NetBIOS domains case-insensitively; Cyrus only accepts NTLMv2 with an upper-case domain);
 * - `user@domain` (UPN) → `{ user: 'user@domain', domain: '' }`, as Windows clients send it;
 * - `user` → `{ user: 'user', domain: '' }`.
 *
 * Spaces around the whole name and around either side of the backslash are dropped. An empty
 * name, an empty user part, more than one backslash, or a UPN with an empty side throws
 * NTLM_BAD_USERNAME.
 */
export function splitNtlmUsername(username: string): { user: string; domain: string } {
  const name = username.trim();
  if (name === '') badUsername('The account name is empty.');
  const backslash = name.indexOf('\\');
  if (backslash >= 0) {
    const domain = name.slice(0, backslash).trim();
    const user = name.slice(backslash + 1).trim();
    if (user.includes('\\')) badUsername('The account name has more than one backslash.');
    if (user === '') badUsername('The account name has no user after the backslash.');
    return { user, domain: upperCaseLikeWindows(domain) };
  }
  const at = name.lastIndexOf('@');
  if (at >= 0 && (at === 0 || at === name.length - 1)) {
    badUsername('The account name has an "@" without a user before it or a domain after it.');
  }
  return { user: name, domain: '' };
}
