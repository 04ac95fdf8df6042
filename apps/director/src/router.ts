import { authRouter } from './routers/auth.js';
import { publicProcedure, router } from './trpc.js';

export const appRouter = router({
  system: router({
    health: publicProcedure.query(() => ({ status: 'ok' as const })),
  }),
  auth: authRouter,
});

export type AppRouter = typeof appRouter;
