import { publicProcedure, router } from './trpc.js';

export const appRouter = router({
  system: router({
    health: publicProcedure.query(() => ({ status: 'ok' as const })),
  }),
});

export type AppRouter = typeof appRouter;
