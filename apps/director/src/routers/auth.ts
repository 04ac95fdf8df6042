// Operator accounts: first-run setup of the administrator, login (rate-limited), logout, me.
import { TRPCError } from '@trpc/server';
import {
  adminSetupSchema,
  authStatusSchema,
  currentUserSchema,
  loginSchema,
} from '@email-profiles/core';
import { hashPassword, verifyPassword } from '../auth/password.js';
import { SESSION_TTL_MS, hashToken, newSessionToken, sessionCookie } from '../auth/session.js';
import {
  countUsers,
  createSession,
  createUser,
  deleteSession,
  findUserByEmail,
} from '../db/index.js';
import { operatorProcedure, publicProcedure, router, type Context } from '../trpc.js';

// Verified against when the account does not exist, so both cases take as long. Made on the
// first such login, not at start-up.
let noSuchUser: Promise<string> | undefined;
const noSuchUserHash = () => (noSuchUser ??= hashPassword('no such user'));

function startSession(ctx: Context, userId: string): void {
  const token = newSessionToken();
  createSession(ctx.db, userId, hashToken(token), new Date(Date.now() + SESSION_TTL_MS));
  ctx.setCookie(sessionCookie(token, ctx.secure));
}

export const authRouter = router({
  status: publicProcedure.output(authStatusSchema).query(({ ctx }) => ({
    setupRequired: countUsers(ctx.db) === 0,
    user: ctx.user ? { email: ctx.user.email } : null,
  })),

  setup: publicProcedure
    .input(adminSetupSchema)
    .output(currentUserSchema)
    .mutation(async ({ ctx, input }) => {
      const passwordHash = await hashPassword(input.password);
      // Checked and written in one transaction: two browsers racing through setup get one admin.
      const userId = ctx.db.transaction((tx) => {
        if (countUsers(tx) > 0) return undefined;
        return createUser(tx, input.email, passwordHash);
      });
      if (userId === undefined) {
        throw new TRPCError({
          code: 'FORBIDDEN',
          message: 'The administrator account exists already: log in instead',
        });
      }
      ctx.log.info({ email: input.email }, 'administrator account created');
      startSession(ctx, userId);
      return { email: input.email.toLowerCase() };
    }),

  login: publicProcedure
    .input(loginSchema)
    .output(currentUserSchema)
    .mutation(async ({ ctx, input }) => {
      const account = `account:${input.email.toLowerCase()}`;
      const keys = [`address:${ctx.clientAddress}`, account];
      const decision = ctx.loginLimiter.check(keys);
      if (!decision.allowed) {
        const minutes = Math.ceil(decision.retryAfterMs / 60_000);
        throw new TRPCError({
          code: 'TOO_MANY_REQUESTS',
          message: `Too many failed logins: try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
        });
      }
      const user = findUserByEmail(ctx.db, input.email);
      const valid = await verifyPassword(
        input.password,
        user?.passwordHash ?? (await noSuchUserHash()),
      );
      if (!user || !valid) {
        ctx.loginLimiter.fail(keys);
        ctx.log.warn({ email: input.email, address: ctx.clientAddress }, 'failed login');
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong email or password' });
      }
      ctx.loginLimiter.succeed(account);
      startSession(ctx, user.id);
      return { email: user.email };
    }),

  logout: operatorProcedure.mutation(({ ctx }) => {
    if (ctx.sessionHash !== undefined) deleteSession(ctx.db, ctx.sessionHash);
    ctx.setCookie(sessionCookie(undefined, ctx.secure));
  }),

  me: operatorProcedure.output(currentUserSchema).query(({ ctx }) => ({ email: ctx.user.email })),
});
