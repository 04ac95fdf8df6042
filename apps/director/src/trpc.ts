// tRPC setup: what every procedure sees, who may call what, and errors that carry zod's field
// paths and messages to the client, so a form can put a server-side error on the right field.
// Errors never carry internals: no stack (whatever NODE_ENV says), and an internal error reaches
// the caller as "Internal error" only (it is logged in full).
import type { Health } from './health/index.js';
import { initTRPC, TRPCError } from '@trpc/server';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import type { CurrentUser } from '@email-profiles/core';
import type { FailureLimiter } from './auth/rate-limit.js';
import { sessionEnd } from './auth/session.js';
import type { Config } from './config.js';
import type { ActorBundle } from './downloads.js';
import { sessionUser, type ActorRecord, type Conn } from './db/index.js';
import type { Vault } from './secrets/vault.js';
import type { DirectorEvents } from './verification/events.js';
import { DomainError } from './domain-error.js';
import { apiError } from './routers/errors.js';
import type { Diagnostics } from './verification/diagnostics.js';
import type { TaskBroker } from './verification/task-broker.js';
import type { Verification } from './verification/verification.js';

/** What lives as long as the Director. */
export type Services = {
  config: Config;
  log: Logger;
  db: Conn;
  vault: Vault;
  loginLimiter: FailureLimiter;
  events: DirectorEvents;
  tasks: TaskBroker;
  verification: Verification;
  diagnostics: Diagnostics;
  health: Health;
  /** The actor in one file, when it is built: served at /downloads/ (read on first demand). */
  actorBundle?: () => ActorBundle | undefined;
};

/** What one request adds: who is calling, from where, and how to answer with a cookie. */
export type Context = Services & {
  user: (CurrentUser & { id: string }) | undefined;
  sessionHash: string | undefined;
  /** The actor whose token came as `Authorization: Bearer`, if any. */
  actor: ActorRecord | undefined;
  /** The client's address (X-Forwarded-For only through a trusted proxy). */
  clientAddress: string;
  /** What the address is counted under: itself, or its /64 for IPv6. */
  clientAddressBucket: string;
  /** The device cookie's raw value, if the browser sent one. */
  deviceCookie: string | undefined;
  /** Whether cookies get `Secure`: a TLS socket or an https:// public URL. */
  secure: boolean;
  setCookie: (cookie: string) => void;
};

export const INTERNAL_ERROR_MESSAGE = 'Internal error';

const t = initTRPC.context<Context>().create({
  // Never tRPC's development mode: it puts stacks (with file paths) into error responses.
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { stack, ...data } = shape.data as typeof shape.data & { stack?: string };
    return {
      ...shape,
      message: internal ? INTERNAL_ERROR_MESSAGE : shape.message,
      data: {
        ...data,
        fieldErrors:
          !internal && cause instanceof ZodError
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

/** Every procedure: a DomainError thrown anywhere below becomes its API error here, once. */
const base = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) throw apiError(result.error.cause);
  return result;
});

/** Only for what must work before login: first-run setup, login, status, health. */
export const publicProcedure = base;

/** Everything an operator does: requires a logged-in session. */
export const operatorProcedure = base.use(async ({ ctx, next, type }) => {
  if (ctx.user === undefined)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Log in first' });
  if (type !== 'subscription' || ctx.sessionHash === undefined)
    return next({ ctx: { ...ctx, user: ctx.user } });
  // A subscription lives only as long as the session it was opened with: it ends at logout or
  // expiry, and the events it waits on stop with it (`scope`).
  const session = sessionEnd(ctx.db, ctx.sessionHash);
  const scope = new AbortController();
  const stop = () => {
    session.dispose();
    scope.abort();
  };
  void session.ended.then(stop);
  const result = await next({
    ctx: { ...ctx, user: ctx.user, events: scopedEvents(ctx.events, scope.signal) },
  });
  if (!result.ok) {
    stop();
    return result;
  }
  return {
    ...result,
    data: untilSessionEnds(
      ctx.db,
      ctx.sessionHash,
      session.ended,
      result.data as AsyncIterable<unknown>,
      stop,
    ),
  };
});

/** The Director's events, whose streams also end when `scope` aborts. */
function scopedEvents(events: DirectorEvents, scope: AbortSignal): DirectorEvents {
  const scoped = Object.create(events) as DirectorEvents;
  const within = (signal: AbortSignal | undefined) =>
    signal ? AbortSignal.any([signal, scope]) : scope;
  scoped.profiles = (signal) => events.profiles(within(signal));
  scoped.diagnostics = (signal) => events.diagnostics(within(signal));
  scoped.actors = (signal) => events.actors(within(signal));
  return scoped;
}

const ENDED: unique symbol = Symbol('session ended');

/** The subscription's events until its session is logged out or expires; then it ends. */
async function* untilSessionEnds(
  db: Conn,
  sessionHash: string,
  sessionEnded: Promise<void>,
  source: AsyncIterable<unknown>,
  stop: () => void,
): AsyncGenerator {
  const iterator = source[Symbol.asyncIterator]();
  const ended = sessionEnded.then((): typeof ENDED => ENDED);
  let finished = false;
  try {
    for (;;) {
      const step = await Promise.race([iterator.next(), ended]);
      if (step === ENDED) return;
      if (step.done === true) {
        finished = true;
        return;
      }
      // Checked again before each event: a session deleted any other way ends the stream too.
      if (sessionUser(db, sessionHash) === undefined) return;
      yield step.value;
    }
  } finally {
    // Stops the events the source waits on, so it ends too (its return is queued behind that).
    stop();
    if (!finished) void iterator.return?.(undefined).catch(() => undefined);
  }
}

/** The actor API: requires an enrolled actor's token; operators' sessions are not accepted. */
export const actorProcedure = base.use(({ ctx, next }) => {
  if (ctx.actor === undefined) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: "This is the actor API: present an enrolled actor's token",
    });
  }
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});
