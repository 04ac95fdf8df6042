export const ACTOR_BUNDLE_FILE: string;
/** Resolves true when it built. */
export function buildActor(options?: { onlyIfStale?: boolean }): Promise<boolean>;
