export function bundleIsStale(outfile: string): boolean;
export function bundle(options: {
  entry: string;
  outfile: string;
  external?: string[];
}): Promise<void>;
