// Real actor processes for the end-to-end tests and the benchmark: the built actor, the one file
// an actor host downloads, spawned with Node; its output kept, its pid recorded so the test can
// kill it (and nothing is left behind).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { ACTOR_BUNDLE_FILE } from '../../build.mjs';

const BIN = ACTOR_BUNDLE_FILE;
/** As the bundle's shebang line runs it (see src/main.ts). */
export const ACTOR_NODE_FLAGS = ['--max-semi-space-size=1'];

export type ActorProcess = {
  child: ChildProcess;
  pid: number;
  /** Everything it printed (stdout and stderr). */
  output: string[];
  exited: Promise<number | null>;
};

/** Runs the CLI to its end (enroll): exit code and output. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...ACTOR_NODE_FLAGS, BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Starts `email-profiles-actor run`; the caller stops it (stopActor) or `ActorFleet.killAll`. */
export function startActorProcess(
  credentialPath: string,
  env: Record<string, string> = {},
): ActorProcess {
  const child = spawn(
    process.execPath,
    [...ACTOR_NODE_FLAGS, BIN, 'run', '--credential', credentialPath],
    {
      env: { ...process.env, EMAIL_PROFILES_LOG_LEVEL: 'debug', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (child.pid === undefined) throw new Error('the actor process did not start');
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  return { child, pid: child.pid, output, exited };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every actor process a test started, by pid. */
export class ActorFleet {
  readonly processes: ActorProcess[] = [];

  start(credentialPath: string, env: Record<string, string> = {}): ActorProcess {
    const started = startActorProcess(credentialPath, env);
    this.processes.push(started);
    return started;
  }

  /** SIGTERM (graceful) and wait for the exit code. */
  async stop(actor: ActorProcess): Promise<number | null> {
    if (alive(actor.pid)) process.kill(actor.pid, 'SIGTERM');
    return actor.exited;
  }

  /** Stops every process still running (SIGTERM, SIGKILL after 5 s) and checks none is left. */
  async killAll(): Promise<void> {
    await Promise.all(
      this.processes.map(async (actor) => {
        if (actor.child.exitCode !== null || actor.child.signalCode !== null) return;
        process.kill(actor.pid, 'SIGTERM');
        const timer = setTimeout(() => {
          if (alive(actor.pid)) process.kill(actor.pid, 'SIGKILL');
        }, 5_000);
        await actor.exited;
        clearTimeout(timer);
      }),
    );
    const left = this.processes.filter((actor) => alive(actor.pid));
    if (left.length > 0)
      throw new Error(`actor processes left running: ${left.map((a) => a.pid).join(', ')}`);
  }
}
