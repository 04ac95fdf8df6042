// Field schemas shared by every form and API input. Each rule carries the message a user sees.
import { z } from 'zod';
import { checkHost } from './host.js';
import { lineValueProblem, nameCharacterProblem } from './text.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** Database identifiers (opaque to users). */
export const idSchema = z
  .string({ error: 'Expected an identifier' })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'Expected an identifier of letters, digits, "-" or "_"');

/** A token of 32 random bytes in base64url (43 characters), as the Director issues them. */
export function randomTokenSchema(name: string) {
  return z
    .string({ error: `Enter the ${name}` })
    .regex(/^[A-Za-z0-9_-]{43}$/, `An ${name} is 43 letters, digits, "-" or "_"`);
}

/** A point in time as the API and the database carry it: ISO 8601 with an offset (UTC: `Z`). */
export const timestampSchema = z.iso.datetime({ offset: true });

/** A verification code: a lower-case RFC 4122 version 4 UUID. */
export const verificationCodeSchema = z
  .string()
  .regex(UUID_V4, 'Expected a version 4 UUID in lower case');

export const displayNameSchema = z
  .string({ error: 'Enter a name' })
  .trim()
  .min(1, 'Enter a name')
  .max(64, 'A name can be at most 64 characters')
  .superRefine((value, ctx) => {
    const message = nameCharacterProblem(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });

// Dot-atom local part (RFC 5322 3.2.3): the form every mail system accepts unquoted.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;

/** Returns a message for what is wrong with an email address, or undefined when it is valid. */
export function emailAddressProblem(value: string): string | undefined {
  if (value === '') return 'Enter an email address';
  const unsafe = lineValueProblem(value, 'email address');
  if (unsafe) return unsafe;
  const at = value.lastIndexOf('@');
  if (at === -1) return 'An email address needs an "@", like name@example.com';
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local === '') return 'Enter the part before the "@"';
  if (domain === '') return 'Enter the domain after the "@"';
  if (local.length > 64) return 'The part before the "@" can be at most 64 characters';
  if (value.length > 254) return 'An email address can be at most 254 characters';
  if (!LOCAL_PART.test(local)) {
    return `"${local}" is not a valid mailbox name: use letters, digits and . _ - + (no spaces, no dot at either end or twice in a row)`;
  }
  const host = checkHost(domain);
  if (!host.ok || host.kind !== 'hostname' || domain.endsWith('.')) {
    return `"${domain}" is not a valid email domain`;
  }
  if (!domain.includes('.'))
    return `"${domain}" is not a full domain: expected something like example.com`;
  return undefined;
}

export const emailAddressSchema = z
  .string({ error: 'Enter an email address' })
  .trim()
  .superRefine((value, ctx) => {
    const message = emailAddressProblem(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });

/** One mailbox address, however it was capitalised or padded (consent is for an account). */
export function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

// NetBIOS domain names: 1-15 characters, none of \ / : * ? " < > | or space, not starting with ".".
const NETBIOS_DOMAIN = /^[A-Za-z0-9!@#$%^&')(._{}~-]{1,15}$/;
// sAMAccountName: at most 20 characters, none of " / \ [ ] : ; | = , + * ? < > @.
const SAM_ACCOUNT = /^[^"/\\[\]:;|=,+*?<>@\s]{1,20}$/;

/** Returns a message for what is wrong with an account username, or undefined when it is valid. */
export function accountUsernameProblem(value: string): string | undefined {
  if (value === '') return 'Enter the account username';
  const unsafe = lineValueProblem(value, 'username');
  if (unsafe) return unsafe;
  const slash = value.indexOf('\\');
  if (slash !== -1) {
    const domain = value.slice(0, slash);
    const user = value.slice(slash + 1);
    if (domain === '') return 'Enter the domain before "\\", as in DOMAIN\\user';
    if (domain.length > 15)
      return `The domain "${domain}" is longer than the 15 characters a NetBIOS domain can have`;
    if (!NETBIOS_DOMAIN.test(domain) || domain.startsWith('.') || /^\d+$/.test(domain)) {
      return `"${domain}" is not a valid NetBIOS domain name`;
    }
    if (user === '') return 'Enter the user name after "\\", as in DOMAIN\\user';
    if (user.includes('\\')) return 'Use a single "\\" between domain and user';
    if (user.length > 20)
      return `The user name "${user}" is longer than 20 characters (the Windows sAMAccountName limit)`;
    if (!SAM_ACCOUNT.test(user) || /^[.\s]+$/.test(user)) {
      return `"${user}" is not a valid Windows user name`;
    }
    return undefined;
  }
  if (value.includes('@')) {
    const problem = emailAddressProblem(value);
    return problem ? `Use the form user@domain: ${lowerFirst(problem)}` : undefined;
  }
  return 'Use the form user@domain or DOMAIN\\user';
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

export const accountUsernameSchema = z
  .string({ error: 'Enter the account username' })
  .trim()
  .superRefine((value, ctx) => {
    const message = accountUsernameProblem(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });

/** A server address: IPv4, IPv6 or host name, trimmed; IPv6 brackets removed, names lower-cased. */
export const serverAddressSchema = z
  .string({ error: 'Enter the server address' })
  .transform((value, ctx) => {
    const result = checkHost(value);
    if (result.ok) return result.host;
    ctx.addIssue({ code: 'custom', message: result.message });
    return z.NEVER;
  });

export const portSchema = z
  .number({ error: 'Enter a port number' })
  .int('A port is a whole number')
  .min(1, 'A port is between 1 and 65535')
  .max(65535, 'A port is between 1 and 65535');

const TENANT_DOMAIN = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/i;

export const tenantIdSchema = z
  .string({ error: 'Enter the Directory (tenant) ID' })
  .trim()
  .min(1, { error: 'Enter the Directory (tenant) ID', abort: true })
  .refine(
    (value) => isGuid(value) || TENANT_DOMAIN.test(value),
    'Enter the Directory (tenant) ID as a GUID (from Azure: Entra ID > Overview) or the tenant domain, such as contoso.onmicrosoft.com',
  )
  .transform((value) => value.toLowerCase());

export const graphClientIdSchema = z
  .string({ error: 'Enter the Application (client) ID' })
  .trim()
  .min(1, { error: 'Enter the Application (client) ID', abort: true })
  .refine(
    isGuid,
    'The Application (client) ID is a GUID like 00000000-0000-0000-0000-000000000000 (from Azure: App registrations > Overview)',
  )
  .transform((value) => value.toLowerCase());

export const gmailClientIdSchema = z
  .string({ error: 'Enter the OAuth client ID' })
  .trim()
  .min(1, { error: 'Enter the OAuth client ID', abort: true })
  .regex(
    /^\d+-[a-z0-9]+\.apps\.googleusercontent\.com$/,
    'A Google OAuth client ID looks like 1234567890-abc123.apps.googleusercontent.com (Google Cloud console > Credentials)',
  );
