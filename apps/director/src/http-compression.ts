// Large operator answers (the profiles table: 1,000 profiles × 20 actors is ~1.3 MB of JSON, most
// of it the same actor ids again) go gzipped when the client accepts it: a few ms at level 1 for
// a hundredth of the bytes. Never for the actor API (its tasks carry the mailbox secrets) or auth,
// nor for small answers: compressing a secret together with text a caller chose can reveal the
// secret by the compressed size (BREACH), and operator answers never carry secrets.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

/** Smaller answers are sent as they are (an enrollment token's answer is well under it). */
export const COMPRESS_MIN_BYTES = 16 * 1024;

const NEVER = ['actorApi.', 'auth.'];

/** Whether the client takes gzip (Accept-Encoding, with a quality above 0). */
export function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * Makes `res` gzip a tRPC answer of `procedures` (the names in the path, batched or not) if it is
 * JSON of at least COMPRESS_MIN_BYTES; streams (subscriptions) pass through as they are.
 */
export function compressAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  procedures: readonly string[],
): void {
  if (procedures.some((name) => NEVER.some((prefix) => name.startsWith(prefix)))) return;
  res.setHeader('vary', 'accept-encoding');
  if (!acceptsGzip(req.headers['accept-encoding'])) return;
  const write = res.write.bind(res) as (chunk: Uint8Array) => boolean;
  const end = res.end.bind(res) as (chunk?: Uint8Array, done?: () => void) => ServerResponse;
  const chunks: Buffer[] = [];
  let passThrough: boolean | undefined;
  const decide = () => {
    passThrough ??= !String(res.getHeader('content-type') ?? '').startsWith('application/json');
    return passThrough;
  };
  res.write = ((chunk: string | Uint8Array) => {
    if (decide()) return write(Buffer.from(chunk));
    chunks.push(Buffer.from(chunk));
    return true;
  }) as ServerResponse['write'];
  res.end = ((...args: unknown[]) => {
    const done = args.find((arg): arg is () => void => typeof arg === 'function');
    const [chunk] = args;
    if (typeof chunk === 'string' || chunk instanceof Uint8Array) res.write(chunk);
    if (decide()) return end(undefined, done);
    const body = Buffer.concat(chunks);
    if (body.length >= COMPRESS_MIN_BYTES && !res.hasHeader('content-encoding')) {
      const zipped = gzipSync(body, { level: 1 });
      res.setHeader('content-encoding', 'gzip');
      res.setHeader('content-length', zipped.length);
      return end(zipped, done);
    }
    res.setHeader('content-length', body.length);
    return end(body, done);
  }) as ServerResponse['end'];
}
