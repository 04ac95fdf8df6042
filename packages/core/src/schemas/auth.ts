// The Director's operator accounts: first-run setup, login, the current user.
import { z } from 'zod';
import { emailAddressSchema } from '../validation/fields.js';

export const newPasswordSchema = z
  .string({ error: 'Enter a password' })
  .min(12, 'Use at least 12 characters')
  .max(1024, 'A password can be at most 1024 characters');

/** First-run setup of the administrator account. */
export const adminSetupSchema = z.object({
  email: emailAddressSchema,
  password: newPasswordSchema,
});
export type AdminSetup = z.infer<typeof adminSetupSchema>;

export const loginSchema = z.object({
  email: emailAddressSchema,
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(1024),
});
export type Login = z.infer<typeof loginSchema>;

export const currentUserSchema = z.object({ email: z.string() });
export type CurrentUser = z.infer<typeof currentUserSchema>;

export const authStatusSchema = z.object({
  /** True until the administrator account exists. */
  setupRequired: z.boolean(),
  user: currentUserSchema.nullable(),
});
export type AuthStatus = z.infer<typeof authStatusSchema>;
