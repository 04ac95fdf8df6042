// email-profiles-actor: `enroll` once with a token from the Director's Actors page, then `run`.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TRPCClientError } from '@trpc/client';
import { createLogger } from '@email-profiles/log';
import { runActor } from './agent.js';
import { CredentialError, credentialExists, readCredential } from './credentials.js';
import { EnrollError, enrollActor } from './enroll.js';
import {
  CREDENTIAL_ENV,
  TEST_ENDPOINTS_ENV,
  defaultCredentialPath,
  transportOptionsFromEnv,
} from './options.js';

const USAGE = `Usage:
  email-profiles-actor enroll --director <url> --token <enrollment token> --name <actor name>
                              [--zone <zone name>] [--credential <file>] [--force]
  email-profiles-actor run [--credential <file>]

enroll  Enrolls this host as an actor with a one-time token from the Director's Actors page
        (the token decides the Security Zone; --zone checks it). Stores the actor's credential
        in <file> with mode 0600.
run     Connects to the Director and does the mailbox checks assigned to this actor until
        stopped (Ctrl-C or SIGTERM: running checks finish or are handed back).

The credential file defaults to $${CREDENTIAL_ENV} or ~/.config/email-profiles/actor.json.
Log level: EMAIL_PROFILES_LOG_LEVEL (default info). ${TEST_ENDPOINTS_ENV} is for tests only.`;

class UsageError extends Error {}

/** The token crosses the network in clear text with http:// to another host. */
function warnIfCleartext(directorUrl: string): void {
  const { protocol, hostname } = new URL(directorUrl);
  const loopback = hostname === 'localhost' || hostname === '[::1]' || hostname.startsWith('127.');
  if (protocol === 'http:' && !loopback) {
    console.error(
      `Warning: ${directorUrl} is plain HTTP: the actor's token and the mailbox credentials of its tasks cross the network unencrypted. Put the Director behind HTTPS (a reverse proxy) and use https://.`,
    );
  }
}

function parse(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
): Record<string, unknown> {
  try {
    return parseArgs({
      args: joinDashedValues(args, options),
      options,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * `--token -Xyz` → `--token=-Xyz`: a value may start with a dash (a pasted token), which
 * parseArgs would otherwise refuse as ambiguous. A following known option stays an option.
 */
function joinDashedValues(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
): string[] {
  const isOption = (arg: string) => {
    const name = /^--([^=]+)/.exec(arg)?.[1];
    return name !== undefined && name in options;
  };
  const joined: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const value = args[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (
      name !== undefined &&
      options[name]?.type === 'string' &&
      value?.startsWith('-') === true &&
      !isOption(value)
    ) {
      joined.push(`${arg}=${value}`);
      i += 1;
    } else joined.push(arg);
  }
  return joined;
}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`Missing --${name}`);
  return value.trim();
}

async function enrollCommand(args: string[]): Promise<number> {
  const values = parse(args, {
    director: { type: 'string' },
    token: { type: 'string' },
    name: { type: 'string' },
    zone: { type: 'string' },
    credential: { type: 'string' },
    force: { type: 'boolean' },
  });
  const directorUrl = required(values, 'director');
  const enrollmentToken = required(values, 'token');
  const name = required(values, 'name');
  const credentialPath =
    typeof values.credential === 'string' ? values.credential : defaultCredentialPath();
  if (credentialExists(credentialPath) && values.force !== true) {
    throw new UsageError(
      `${credentialPath} already holds an actor credential: give another --credential, or --force to replace it`,
    );
  }
  const zone = typeof values.zone === 'string' ? values.zone : undefined;
  if (URL.canParse(directorUrl)) warnIfCleartext(directorUrl);
  const credential = await enrollActor({
    directorUrl,
    enrollmentToken,
    name,
    credentialPath,
    ...(zone === undefined ? {} : { zone }),
  });
  console.log(
    `Enrolled "${credential.name}" into zone "${credential.zone.name}" (actor ${credential.actorId}).\nCredential saved to ${credentialPath} (mode 0600). Start it with: email-profiles-actor run${values.credential === undefined ? '' : ` --credential ${credentialPath}`}`,
  );
  return 0;
}

async function runCommand(args: string[]): Promise<number> {
  const values = parse(args, { credential: { type: 'string' } });
  const path = typeof values.credential === 'string' ? values.credential : defaultCredentialPath();
  const credential = readCredential(path);
  warnIfCleartext(credential.directorUrl);
  const transports = transportOptionsFromEnv();
  const log = createLogger(process.env.EMAIL_PROFILES_LOG_LEVEL ?? 'info');
  const actor = runActor({
    directorUrl: credential.directorUrl,
    token: credential.token,
    log,
    transports,
  });
  log.info(
    { actorId: credential.actorId, zone: credential.zone.name, director: credential.directorUrl },
    'actor running',
  );
  const stop = () => void actor.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await actor.done;
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'enroll':
        return await enrollCommand(rest);
      case 'run':
        return await runCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}": use enroll or run`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof EnrollError || error instanceof CredentialError) {
      console.error(error.message);
      return 1;
    }
    if (error instanceof TRPCClientError) {
      // The Director's own words (e.g. why an enrollment token was refused), or why it is unreachable.
      const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
      console.error(`The Director refused or did not answer: ${error.message}${cause}`);
      return 1;
    }
    throw error;
  }
}
