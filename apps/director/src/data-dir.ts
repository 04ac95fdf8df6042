// The Director's data directory holds the database and the master key: only its owner may enter
// it (0700), whatever the umask, also when it already existed with a looser mode.
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import type { Logger } from 'pino';

export const DATA_DIR_MODE = 0o700;

/** Creates the data directory with mode 0700, or tightens an existing one (with a warning). */
export function prepareDataDir(path: string, log: Logger): void {
  const created = mkdirSync(path, { recursive: true, mode: DATA_DIR_MODE }) !== undefined;
  const stat = statSync(path);
  if (!stat.isDirectory()) throw new Error(`The data directory ${path} is not a directory`);
  const mode = stat.mode & 0o777;
  if (mode === DATA_DIR_MODE) return;
  chmodSync(path, DATA_DIR_MODE);
  // A directory this call created only missed its mode through the umask: nothing to report.
  if (!created) {
    log.warn(
      { path, was: mode.toString(8).padStart(4, '0'), now: '0700' },
      'the data directory was not private: set its mode to 0700 (only its owner may enter it)',
    );
  }
}
