// Runs a command to completion with a time limit and collects its output.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export type RunResult = { code: number | null; stdout: string; stderr: string };

export type RunOptions = {
  input?: string;
  timeoutMs?: number;
  cwd?: string;
  /**
   * For commands that start a daemon: the daemon inherits the command's stdout and stderr, so
   * they go to this file (instead of pipes that would stay open) and the command is done when it
   * exits. The file's content is returned as stdout.
   */
  outputFile?: string;
};

export function run(command: string, args: readonly string[], options: RunOptions = {}) {
  const { input, timeoutMs = 20_000, cwd, outputFile } = options;
  return new Promise<RunResult>((resolve, reject) => {
    const outputFd = outputFile === undefined ? undefined : openSync(outputFile, 'a', 0o600);
    const output = outputFd ?? 'pipe';
    const child = spawn(command, args, {
      cwd,
      stdio: ['pipe', output, output],
      env: { ...process.env, LC_ALL: 'C' },
      // A process group of its own: a Ctrl-C in the terminal (`npm run demo`) reaches the process
      // that started the stack, which stops its servers itself, in order, by their recorded pids;
      // it must not kill a half-done helper (openssl, postmap) or a server under it.
      detached: true,
    });
    if (outputFd !== undefined) closeSync(outputFd);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command}: ${error.message}`));
    });
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      if (outputFile !== undefined) stdout = readFileSync(outputFile, 'utf8');
      const result = { code, stdout, stderr };
      if (code === 0) {
        resolve(result);
        return;
      }
      const why = signal === null ? `exit code ${code ?? '?'}` : `signal ${signal}`;
      const text = `${stderr}${stdout}`.trim();
      reject(
        new Error(`${command} ${args.join(' ')} failed (${why})${text === '' ? '' : `:\n${text}`}`),
      );
    };
    if (outputFile === undefined) child.on('close', finish);
    else child.on('exit', finish);
    child.stdin?.on('error', () => {
      // The command may exit before reading its input; its exit status tells what happened.
    });
    child.stdin?.end(input ?? '');
  });
}
