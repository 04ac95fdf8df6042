export const ACTOR_BUNDLE_ENTRY: string;
export const ACTOR_BUNDLE_FILE: string;
