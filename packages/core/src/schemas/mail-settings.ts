// The Director's own mail settings: the server it sends verification emails from.
import { z } from 'zod';
import { accountUsernameProblem, emailAddressSchema } from '../validation/fields.js';
import { publicObject, secret, updateObject } from './secret.js';
import {
  encryptionSchema,
  refineSmtpAuth,
  serverWarnings,
  tlsTrustSchema,
  whenValid,
  type FieldWarning,
} from './servers.js';
import { portSchema, serverAddressSchema } from '../validation/fields.js';

export const smtpAuthMechanismSchema = z.enum(['plain', 'ntlm'], { error: 'Choose Plain or NTLM' });

/** The SMTP login name: free-form (many servers accept a bare user name), but never blank. */
const smtpUsernameSchema = z
  .string({ error: 'Enter the user name' })
  .trim()
  .min(1, 'Enter the user name')
  .max(256, 'A user name can be at most 256 characters')
  .refine((value) => !value.includes('\\') || accountUsernameProblem(value) === undefined, {
    error: 'Use the form DOMAIN\\user with a valid NetBIOS domain',
  });

const smtpSettingsBase = z.object({
  method: z.literal('smtp'),
  fromAddress: emailAddressSchema,
  fromName: z.string().trim().max(128, 'A sender name can be at most 128 characters').optional(),
  host: serverAddressSchema,
  port: portSchema,
  encryption: encryptionSchema,
  requiresAuth: z.boolean({ error: 'Say whether the server requires authentication' }),
  authType: smtpAuthMechanismSchema.optional(),
  username: smtpUsernameSchema.optional(),
  password: secret(
    z.string().min(1, 'Enter the password').max(1024, 'A password can be at most 1024 characters'),
  ).optional(),
  tlsTrust: tlsTrustSchema.default({ mode: 'system' }),
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

export const directorMailSettingsSchema = z.discriminatedUnion(
  'method',
  [smtpSettingsBase.superRefine(refineAuth(true), authFields)],
  { error: 'Choose how the Director sends email' },
);
export type DirectorMailSettings = z.infer<typeof directorMailSettingsSchema>;
export type DirectorMailSettingsInput = z.input<typeof directorMailSettingsSchema>;

export const publicDirectorMailSettingsSchema = z.discriminatedUnion('method', [
  publicObject(smtpSettingsBase).extend({ passwordSet: z.boolean() }),
]);
export type PublicDirectorMailSettings = z.infer<typeof publicDirectorMailSettingsSchema>;

/** Update input: a blank password keeps the stored one. */
export const directorMailSettingsUpdateSchema = z.discriminatedUnion('method', [
  updateObject(smtpSettingsBase).superRefine(refineAuth(false), authFields),
]);
export type DirectorMailSettingsUpdate = z.infer<typeof directorMailSettingsUpdateSchema>;

export function directorMailSettingsWarnings(settings: {
  port: number;
  encryption: z.infer<typeof encryptionSchema>;
  requiresAuth: boolean;
}): FieldWarning[] {
  return serverWarnings({ ...settings, authenticates: settings.requiresAuth });
}

/** "Send test email": where to send it. */
export const directorMailTestSchema = z.object({ to: emailAddressSchema });
export type DirectorMailTest = z.infer<typeof directorMailTestSchema>;
