// @email-profiles/director: the server operators and actors talk to.
export { loadConfig, type Config } from './config.js';
export { startDirector, type RunningDirector } from './director.js';
export type { AppRouter } from './router.js';
