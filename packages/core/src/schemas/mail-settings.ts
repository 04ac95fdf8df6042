// The Director's own mail settings: how it sends the verification emails. One variant per sending
// method: an SMTP server, Microsoft Office 365 (Graph sendMail) or the Gmail API. Each variant is
// declared once as an unrefined object; the stored, update and public schemas derive from it.
import { expiryDateSchema } from './health.js';
import { z } from 'zod';
import {
  accountUsernameProblem,
  emailAddressSchema,
  gmailClientIdSchema,
  graphClientIdSchema,
  idSchema,
  portSchema,
  serverAddressSchema,
  tenantIdSchema,
} from '../validation/fields.js';
import { lineSafe, nameCharacterProblem } from '../validation/text.js';
import {
  gmailClientSecretSchema,
  consentFields,
  graphClientSecretSchema,
  graphCloudSchema,
} from './profile.js';
import type { OAuthProvider } from './oauth-providers.js';
import { destination, publicObject, secret, updateObject } from './secret.js';
import {
  encryptionSchema,
  refineSmtpAuth,
  serverWarnings,
  tlsTrustSchema,
  whenValid,
  type FieldWarning,
} from './servers.js';

/** How the Director sends its emails, declared once: the list, labels and traits. */
export const MAIL_METHODS = {
  smtp: { label: 'SMTP server', consent: undefined },
  graph: { label: 'Microsoft Office 365 (Graph API)', consent: undefined },
  gmail: { label: 'Gmail API', consent: 'google' },
} as const satisfies Record<string, { label: string; consent: OAuthProvider | undefined }>;
export type MailMethod = keyof typeof MAIL_METHODS;
const MAIL_METHOD_NAMES = Object.keys(MAIL_METHODS) as [MailMethod, ...MailMethod[]];

export const mailMethodSchema = z.enum(MAIL_METHOD_NAMES, {
  error: 'Choose how the Director sends email',
});

export const mailMethodLabels = Object.fromEntries(
  MAIL_METHOD_NAMES.map((method) => [method, MAIL_METHODS[method].label]),
) as { [K in MailMethod]: (typeof MAIL_METHODS)[K]['label'] };

/** The methods whose account owner consents once (OAuth) before the Director can send. */
export type ConsentMailMethod = {
  [K in MailMethod]: (typeof MAIL_METHODS)[K]['consent'] extends undefined ? never : K;
}[MailMethod];

export const isConsentMailSettings = <S extends { method: MailMethod }>(
  settings: S,
): settings is Extract<S, { method: ConsentMailMethod }> =>
  MAIL_METHODS[settings.method].consent !== undefined;

/** SMTP AUTH mechanisms: Plain (PLAIN, or LOGIN when only that is offered), Login, CRAM-MD5, NTLM. */
export const smtpAuthMechanismSchema = z.enum(['plain', 'login', 'cram-md5', 'ntlm'], {
  error: 'Choose Plain, Login, CRAM-MD5 or NTLM',
});
export type SmtpAuthMechanism = z.infer<typeof smtpAuthMechanismSchema>;

export const smtpAuthMechanismLabels: Record<SmtpAuthMechanism, string> = {
  plain: 'Plain',
  login: 'Login',
  'cram-md5': 'CRAM-MD5',
  ntlm: 'NTLM',
};

/** The SMTP login name: free-form (many servers accept a bare user name), but never blank. */
const smtpUsernameSchema = z
  .string({ error: 'Enter the user name' })
  .trim()
  .min(1, 'Enter the user name')
  .max(256, 'A user name can be at most 256 characters')
  .refine(...lineSafe('user name'))
  .refine((value) => !value.includes('\\') || accountUsernameProblem(value) === undefined, {
    error: 'Use the form DOMAIN\\user with a valid NetBIOS domain',
  });

/** What every method has: the address the emails come from, and an optional display name. */
const senderFields = {
  fromAddress: emailAddressSchema,
  fromName: z
    .string()
    .trim()
    .max(128, 'A sender name can be at most 128 characters')
    .superRefine((value, ctx) => {
      const message = nameCharacterProblem(value, 'A sender name');
      if (message) ctx.addIssue({ code: 'custom', message });
    })
    .optional(),
};

// Where each method's secret is sent is marked with `destination`: a blank secret keeps the stored
// one only while those fields are unchanged (see checkBlankSecrets).
const method = <M extends MailMethod>(value: M) =>
  destination(z.literal(value), 'the sending method', { variant: true });

const smtpFields = z.object({
  method: method('smtp'),
  ...senderFields,
  host: destination(serverAddressSchema, 'the server address'),
  port: destination(portSchema, 'the port'),
  encryption: destination(encryptionSchema, 'the encryption'),
  requiresAuth: destination(
    z.boolean({ error: 'Say whether the server requires authentication' }),
    '"requires authentication"',
  ),
  authType: destination(smtpAuthMechanismSchema.optional(), 'the authentication type'),
  /** May differ from the from-address. */
  username: destination(smtpUsernameSchema.optional(), 'the user name'),
  password: secret(
    z
      .string()
      .min(1, 'Enter the password')
      .max(1024, 'A password can be at most 1024 characters')
      .refine(...lineSafe('password')),
  ).optional(),
  tlsTrust: destination(tlsTrustSchema.default({ mode: 'system' }), 'the certificate trust'),
});

/** Office 365: Graph sendMail as the mailbox `fromAddress`, with an app-only token. */
const graphFields = z.object({
  method: method('graph'),
  ...senderFields,
  tenantId: destination(tenantIdSchema, 'the tenant ID'),
  clientId: destination(graphClientIdSchema, 'the client ID'),
  clientSecret: graphClientSecretSchema,
  cloud: destination(graphCloudSchema.default('global'), 'the Microsoft cloud'),
  /** The client secret's "Expires" date in Entra ID, for the warnings before it runs out. */
  clientSecretExpiresOn: expiryDateSchema.optional(),
});

/** Gmail API as the account `fromAddress`, after its one-time consent. */
const gmailFields = z.object({
  method: method('gmail'),
  ...senderFields,
  clientId: destination(gmailClientIdSchema, 'the client ID'),
  clientSecret: gmailClientSecretSchema,
  /** The Google app's publishing status is Testing: Google ends its consent after 7 days. */
  googleAppInTesting: z.boolean().default(false),
});

type AuthFields = {
  requiresAuth: boolean;
  authType?: unknown;
  username?: unknown;
  password?: unknown;
};

/** Auth type, user name and (except on update, where blank keeps it) password go with requiresAuth. */
function refineAuth(requirePassword: boolean) {
  return (value: AuthFields, ctx: z.RefinementCtx) => {
    refineSmtpAuth(value, ctx);
    if (value.requiresAuth && value.username === undefined) {
      ctx.addIssue({ code: 'custom', path: ['username'], message: 'Enter the user name' });
    }
    if (value.requiresAuth && requirePassword && value.password === undefined) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'Enter the password' });
    }
  };
}

const authFields = whenValid('requiresAuth', 'authType', 'username', 'password');
const methodError = { error: 'Choose how the Director sends email' };

const storedGmail = gmailFields.extend(consentFields);

/** The settings as the Director stores them (secrets decrypted in memory only). */
export const directorMailSettingsSchema = z.discriminatedUnion(
  'method',
  [smtpFields.superRefine(refineAuth(true), authFields), graphFields, storedGmail],
  methodError,
);
export type DirectorMailSettings = z.infer<typeof directorMailSettingsSchema>;
export type DirectorMailSettingsInput = z.input<typeof directorMailSettingsSchema>;
export type SmtpMailSettings = Extract<DirectorMailSettings, { method: 'smtp' }>;
export type GraphMailSettings = Extract<DirectorMailSettings, { method: 'graph' }>;
export type GmailMailSettings = Extract<DirectorMailSettings, { method: 'gmail' }>;

/** Which server the Director's emails go through, as the history shows it. */
export function senderServer(settings: DirectorMailSettings): string {
  switch (settings.method) {
    case 'smtp':
      return `${settings.host}:${String(settings.port)}`;
    case 'graph':
      return 'Microsoft Graph';
    case 'gmail':
      return 'Gmail API';
  }
}

/**
 * What the API returns: no secret. SMTP says whether a password is stored; Gmail whether the
 * one-time consent is done (and which account gave it).
 */
export const publicDirectorMailSettingsSchema = z.discriminatedUnion('method', [
  publicObject(smtpFields).extend({ passwordSet: z.boolean() }),
  publicObject(graphFields),
  publicObject(storedGmail).extend({ consentGranted: z.boolean() }),
]);
export type PublicDirectorMailSettings = z.infer<typeof publicDirectorMailSettingsSchema>;

/**
 * Update input: the fields a user enters, where a blank secret keeps the stored one (while the
 * method stays the same). The Gmail refresh token comes only from the consent, never from here.
 */
export const directorMailSettingsUpdateSchema = z.discriminatedUnion(
  'method',
  [
    updateObject(smtpFields).superRefine(refineAuth(false), authFields),
    updateObject(graphFields),
    updateObject(gmailFields),
  ],
  methodError,
);
export type DirectorMailSettingsUpdate = z.infer<typeof directorMailSettingsUpdateSchema>;
export type DirectorMailSettingsUpdateInput = z.input<typeof directorMailSettingsUpdateSchema>;

/** The user-entered fields of each method, e.g. to list a method's secret fields. */
export const mailSettingsFieldSchemas = {
  smtp: smtpFields,
  graph: graphFields,
  gmail: gmailFields,
} as const;

/** Port/encryption mismatch and clear-text password warnings for the SMTP method. */
export function directorMailSettingsWarnings(settings: {
  port: number;
  encryption: z.infer<typeof encryptionSchema>;
  requiresAuth: boolean;
}): FieldWarning[] {
  return serverWarnings({ ...settings, authenticates: settings.requiresAuth });
}

/** "Send test email": where to send it. */
export const directorMailTestSchema = z.object({
  to: emailAddressSchema,
  /**
   * The settings as the form holds them, to test before saving (nothing is stored); a blank
   * secret keeps the stored one under the rule Save applies. Without it: the stored settings.
   */
  draft: directorMailSettingsUpdateSchema.optional(),
});
export type DirectorMailTest = z.infer<typeof directorMailTestSchema>;

/** What a Google consent is for: the Director's own Gmail mail settings, or a Gmail profile. */
export const consentTargetSchema = z.discriminatedUnion(
  'target',
  [
    z.object({ target: z.literal('mail-settings') }),
    z.object({ target: z.literal('profile'), profileId: idSchema }),
  ],
  { error: "Choose what to authorise: the Director's mail settings or a Gmail profile" },
);
export type ConsentTarget = z.infer<typeof consentTargetSchema>;

/** Where to send the browser for the consent, and until when that link can be completed. */
export const consentStartSchema = z.object({
  url: z.string(),
  /** The Director's callback; it must be an authorised redirect URI of the OAuth client. */
  redirectUri: z.string(),
  expiresAt: z.string(),
});
export type ConsentStart = z.infer<typeof consentStartSchema>;

/**
 * The query parameters the Director's consent callback adds when it sends the browser back to
 * the web app: `granted` or `failed`, the account that consented, or what went wrong.
 */
export const consentQuery = {
  outcome: 'consentOutcome',
  account: 'consentAccount',
  message: 'consentMessage',
} as const;
