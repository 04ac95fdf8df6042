// The Director alone (`pnpm --filter @email-profiles/director start`), with its data in
// EMAIL_PROFILES_DATA_DIR. `npm start` runs it with a local actor: apps/launcher.
import { ConfigError, loadConfig } from './config.js';
import { startDirector } from './director.js';
import { createLogger } from '@email-profiles/log';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const director = await startDirector(config, log);
  console.log(
    [
      '',
      `Email Profiles Director is running at ${director.url}`,
      `Data directory: ${config.dataDir}`,
      '',
      director.setupRequired()
        ? `First run: open ${director.url} in a browser and create the administrator account`
        : `Open ${director.url} in a browser and log in`,
      '(the web app is served from apps/web/dist: pnpm --filter @email-profiles/web build).',
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
  const stop = (signal: string) => {
    log.info({ signal }, 'stopping');
    void director.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => {
    stop('SIGINT');
  });
  process.once('SIGTERM', () => {
    stop('SIGTERM');
  });
}

await main();
