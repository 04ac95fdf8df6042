// Operator accounts: first-run setup of the administrator, login (rate-limited), logout, me.
//
// Login limits (15-minute window), each attempt counted before its password is checked:
// - a browser with a valid device cookie for the account: 5 attempts on that cookie, and nothing
//   else (so others' guessing cannot lock the administrator's own browser out);
// - any other caller: 5 per account and address, 20 per address, and 50 per account from all
//   addresses together (a distributed guess locks the account for unknown browsers only).
import { TRPCError } from '@trpc/server';
import {
  adminSetupSchema,
  authStatusSchema,
  currentUserSchema,
  loginSchema,
} from '@email-profiles/core';
import { hashPassword, verifyPassword } from '../auth/password.js';
import { deviceCookie, validDevice } from '../auth/device.js';
import type { LimitRule } from '../auth/rate-limit.js';
import { SESSION_TTL_MS, endSession, hashToken, newToken, sessionCookie } from '../auth/session.js';
import { countUsers, createSession, createUser, findUserByEmail } from '../db/index.js';
import { operatorProcedure, publicProcedure, router, type Context } from '../trpc.js';

// Verified against when the account does not exist, so both cases take as long. Made on the
// first such login, not at start-up.
let noSuchUser: Promise<string> | undefined;
const noSuchUserHash = () => (noSuchUser ??= hashPassword('no such user'));

/** Attempts per 15 minutes. */
export const LIMITS = { device: 5, accountAtAddress: 5, address: 20, account: 50 } as const;

function startSession(ctx: Context, userId: string): void {
  const token = newToken();
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
      ctx.setCookie(deviceCookie(ctx.vault, input.email.toLowerCase(), ctx.secure));
      return { email: input.email.toLowerCase() };
    }),

  login: publicProcedure
    .input(loginSchema)
    .output(currentUserSchema)
    .mutation(async ({ ctx, input }) => {
      const email = input.email.toLowerCase();
      const device = validDevice(ctx.vault, ctx.deviceCookie, email);
      const accountAtAddress = `account-address:${email} ${ctx.clientAddressBucket}`;
      const rules: LimitRule[] = device
        ? [{ key: `device:${device.id}`, max: LIMITS.device }]
        : [
            { key: accountAtAddress, max: LIMITS.accountAtAddress },
            { key: `address:${ctx.clientAddressBucket}`, max: LIMITS.address },
            { key: `account:${email}`, max: LIMITS.account },
          ];
      // Synchronous: counted before anything is awaited, so concurrent attempts see each other.
      const decision = ctx.loginLimiter.reserve(rules);
      if (!decision.allowed) {
        ctx.log.warn(
          { email: input.email, address: ctx.clientAddress, limit: decision.key.split(':')[0] },
          'login refused: too many failed logins',
        );
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
        decision.attempt.failed();
        ctx.log.warn({ email: input.email, address: ctx.clientAddress }, 'failed login');
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong email or password' });
      }
      decision.attempt.succeeded(device ? [`device:${device.id}`] : [accountAtAddress]);
      startSession(ctx, user.id);
      ctx.setCookie(deviceCookie(ctx.vault, user.email, ctx.secure));
      return { email: user.email };
    }),

  logout: operatorProcedure.mutation(({ ctx }) => {
    if (ctx.sessionHash !== undefined) endSession(ctx.db, ctx.sessionHash);
    ctx.setCookie(sessionCookie(undefined, ctx.secure));
  }),

  me: operatorProcedure.output(currentUserSchema).query(({ ctx }) => ({ email: ctx.user.email })),
});
