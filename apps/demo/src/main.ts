// `npm run demo`: starts the demo, prints where to click, and stops everything on Ctrl-C.
import { createLogger } from '@email-profiles/log';
import { startDemo } from './demo.js';

const log = createLogger(process.env.EMAIL_PROFILES_LOG_LEVEL ?? 'error');

// Listened for from the start: a Ctrl-C while the sandbox is starting stops it once it stands.
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

let demo;
try {
  demo = await startDemo({
    env: { EMAIL_PROFILES_PORT: '8080', ...process.env },
    log,
  });
} catch (error) {
  // A Ctrl-C can reach a helper the sandbox was starting (between its fork and its own process
  // group): that failure is the stop asked for, and startDemo has undone what it started.
  if (stopRequested) {
    console.log(`\n${stopRequested}: the demo stopped while starting.\nDemo stopped.`);
    process.exit(0);
  }
  console.error(
    `The demo could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}

let stopping = false as boolean; // set by a signal handler
stop = (signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the demo...`);
  void demo.stop().then(() => {
    console.log('Demo stopped.');
    process.exit(0);
  });
};
if (stopRequested) stop(stopRequested);

const lines = [
  '',
  'Email Profiles demo is running.',
  '',
  `  Open       ${demo.url}`,
  `  Log in as  ${demo.login.email}`,
  `  Password   ${demo.login.password}`,
  '',
  '  Settings > Director Settings > Email Actions shows two profiles on a private mail sandbox:',
  ...demo.profiles.map(
    (profile) =>
      `    ${profile.serverType.toUpperCase().padEnd(5)} ${profile.address}  (actors: ${profile.actors.join(', ')})`,
  ),
  '  Click Verify on either: each actor turns Verified within seconds.',
  '',
  `  Mail sandbox ${demo.sandbox.dir} (127.0.0.1, ports ${demo.sandbox.ports.join(', ')})`,
  '',
  'Stop with Ctrl-C: the Director, the actors and the mail sandbox all stop.',
  '',
];
if (!stopping) console.log(lines.join('\n'));
