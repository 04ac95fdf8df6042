// @email-profiles/director: the server operators and actors talk to.
export { loadConfig, type Config } from './config.js';
export { startDirector, type RunningDirector } from './director.js';
export type { AppRouter } from './router.js';
export { createLogger } from './log.js';
// The embedded launcher (apps/actor) creates the local zone and enrollment token through these.
export { openDatabase, createZone, listZones } from './db/index.js';
export { issueEnrollmentToken } from './db/enrollment.js';
