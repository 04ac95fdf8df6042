// tRPC setup: the context every procedure sees, and errors that carry zod's field paths and
// messages to the client, so a form can put a server-side error on the right field.
import { initTRPC } from '@trpc/server';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import type { Config } from './config.js';

export type Context = { config: Config; log: Logger };

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
export const publicProcedure = t.procedure;
