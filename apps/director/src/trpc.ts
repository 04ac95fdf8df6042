// tRPC setup: what every procedure sees, who may call what, and errors that carry zod's field
// paths and messages to the client, so a form can put a server-side error on the right field.
import { initTRPC, TRPCError } from '@trpc/server';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import type { CurrentUser } from '@email-profiles/core';
import type { FailureLimiter } from './auth/rate-limit.js';
import type { Config } from './config.js';
import type { ActorRecord, Conn } from './db/index.js';
import type { Vault } from './secrets/vault.js';
import type { DirectorEvents } from './verification/events.js';
import type { Orchestrator } from './verification/orchestrator.js';

/** What lives as long as the Director. */
export type Services = {
  config: Config;
  log: Logger;
  db: Conn;
  vault: Vault;
  loginLimiter: FailureLimiter;
  events: DirectorEvents;
  orchestrator: Orchestrator;
};

/** What one request adds: who is calling, from where, and how to answer with a cookie. */
export type Context = Services & {
  user: (CurrentUser & { id: string }) | undefined;
  sessionHash: string | undefined;
  /** The actor whose token came as `Authorization: Bearer`, if any. */
  actor: ActorRecord | undefined;
  clientAddress: string;
  secure: boolean;
  setCookie: (cookie: string) => void;
};

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        fieldErrors:
          cause instanceof ZodError
            ? cause.issues.map((issue) => ({
                path: issue.path.map(String),
                message: issue.message,
              }))
            : undefined,
      },
    };
  },
});

export const router = t.router;
/** Only for what must work before login: first-run setup, login, status, health. */
export const publicProcedure = t.procedure;

/** Everything an operator does: requires a logged-in session. */
export const operatorProcedure = t.procedure.use(({ ctx, next }) => {
  if (ctx.user === undefined)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Log in first' });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** The actor API: requires an enrolled actor's token; operators' sessions are not accepted. */
export const actorProcedure = t.procedure.use(({ ctx, next }) => {
  if (ctx.actor === undefined) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: "This is the actor API: present an enrolled actor's token",
    });
  }
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});
