// `npm start`: the Director and a local actor in one process (see embedded.ts).
import { createLogger, loadConfig } from '@email-profiles/director';
import { LOCAL_ZONE, startEmbedded } from './embedded.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  const embedded = await startEmbedded(config, log);
  const url = embedded.director.url;
  console.log(
    [
      '',
      `Email Profiles is running at ${url} with a local actor (zone "${LOCAL_ZONE}").`,
      `Data directory: ${config.dataDir}`,
      '',
      `First run: open ${url} in a browser and create the administrator account.`,
      'Actors on other hosts: see apps/actor/README.md (three commands).',
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
  const stop = (signal: string) => {
    log.info({ signal }, 'stopping');
    void embedded.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', () => {
    stop('SIGINT');
  });
  process.once('SIGTERM', () => {
    stop('SIGTERM');
  });
}

await main();
