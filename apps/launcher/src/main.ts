// `npm start`: the Director and a local actor in one process (see embedded.ts). scripts/start.mjs
// runs this from its build, dist/email-profiles.mjs.
import { loadConfig } from '@email-profiles/director';
import { createLogger } from '@email-profiles/log';
import { LOCAL_ZONE, startEmbedded } from './embedded.js';

// Listened for from the start: a Ctrl-C while starting stops the Director once it stands.
let stopRequested: NodeJS.Signals | undefined;
let stop = (signal: NodeJS.Signals) => {
  stopRequested ??= signal;
};
process.on('SIGINT', (signal) => {
  stop(signal);
});
process.on('SIGTERM', (signal) => {
  stop(signal);
});

let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
const log = createLogger(config.logLevel);
const embedded = await startEmbedded(config, log);

let stopping = false as boolean; // set by a signal handler
stop = (signal) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  void embedded.stop().then(() => {
    console.log('Stopped.');
    process.exit(0);
  });
};
if (stopRequested) stop(stopRequested);

const url = embedded.director.url;
if (!stopping)
  console.log(
    [
      '',
      `Email Profiles is running at ${url} with a local actor (zone "${LOCAL_ZONE}").`,
      `Data directory: ${config.dataDir}`,
      '',
      embedded.director.setupRequired()
        ? `First run: open ${url} in a browser and create the administrator account.`
        : `Open ${url} in a browser and log in.`,
      'Actors on other hosts: Director Settings > Actors > Add actor shows the commands.',
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
