import { actorsRouter } from './routers/actors.js';
import { authRouter } from './routers/auth.js';
import { profilesRouter } from './routers/profiles.js';
import { settingsRouter } from './routers/settings.js';
import { zonesRouter } from './routers/zones.js';
import { publicProcedure, router } from './trpc.js';

export const appRouter = router({
  system: router({
    health: publicProcedure.query(() => ({ status: 'ok' as const })),
  }),
  auth: authRouter,
  zones: zonesRouter,
  actors: actorsRouter,
  profiles: profilesRouter,
  settings: settingsRouter,
});

export type AppRouter = typeof appRouter;
