// `npm start`: the Director on this machine, with its data in EMAIL_PROFILES_DATA_DIR.
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
      'First run: create the administrator account with the auth.setup procedure of the API',
      `(${director.url}/api/trpc); the web app that will do this for you is not built yet.`,
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
