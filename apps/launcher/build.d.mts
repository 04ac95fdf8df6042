export const LAUNCHER_FILE: string;
/** Resolves true when it built. */
export function buildLauncher(options?: { onlyIfStale?: boolean }): Promise<boolean>;
