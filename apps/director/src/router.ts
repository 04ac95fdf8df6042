import { actorApiRouter } from './routers/actor-api.js';
import { actorsRouter } from './routers/actors.js';
import { diagnosticsRouter } from './routers/diagnostics.js';
import { consentRouter } from './routers/consent.js';
import { authRouter } from './routers/auth.js';
import { healthRouter } from './routers/health.js';
import { profilesRouter } from './routers/profiles.js';
import { settingsRouter } from './routers/settings.js';
import { verificationRouter } from './routers/verification.js';
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
  health: healthRouter,
  consent: consentRouter,
  verification: verificationRouter,
  diagnostics: diagnosticsRouter,
  actorApi: actorApiRouter,
});

export type AppRouter = typeof appRouter;
