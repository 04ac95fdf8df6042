export const LAUNCHER_ENTRY: string;
export const LAUNCHER_FILE: string;
export const LAUNCHER_EXTERNAL: string[];
