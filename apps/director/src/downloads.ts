// The actor in one file (apps/actor/dist), offered at /downloads/ so an actor host needs only
// Node 20: read on first demand (not at every start: 5 MB to hash), served with its SHA-256 beside it (`<file>.sha256`, the format
// `sha256sum -c` reads). Public like any agent download: it holds no secret, and the one-time
// enrollment token is what admits an actor.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename } from 'node:path';
import { ACTOR_DOWNLOAD_PATH, type ActorDownload } from '@email-profiles/core';

export type ActorBundle = ActorDownload & { body: Buffer };

/** The bundle at `file`, read and hashed the first time it is asked for and found. */
export function actorBundleAt(file: string): () => ActorBundle | undefined {
  let bundle: ActorBundle | undefined;
  return () => {
    if (bundle !== undefined || !existsSync(file)) return bundle;
    const body = readFileSync(file);
    const sha256 = createHash('sha256').update(body).digest('hex');
    bundle = { path: ACTOR_DOWNLOAD_PATH, sha256, bytes: body.length, body };
    return bundle;
  };
}

/** Answers the bundle and its checksum file; false for any other path. */
export function serveDownload(
  actorBundle: (() => ActorBundle | undefined) | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  headers: Record<string, string>,
): boolean {
  if (!path.startsWith(ACTOR_DOWNLOAD_PATH) || (req.method !== 'GET' && req.method !== 'HEAD'))
    return false;
  const bundle = actorBundle?.();
  if (bundle === undefined) return false;
  const name = basename(ACTOR_DOWNLOAD_PATH);
  let type: string;
  let body: Buffer;
  if (path === ACTOR_DOWNLOAD_PATH) {
    type = 'text/javascript; charset=utf-8';
    body = bundle.body;
  } else if (path === `${ACTOR_DOWNLOAD_PATH}.sha256`) {
    type = 'text/plain; charset=utf-8';
    body = Buffer.from(`${bundle.sha256}  ${name}\n`);
  } else {
    return false;
  }
  for (const [header, value] of Object.entries(headers)) res.setHeader(header, value);
  res.writeHead(200, {
    'content-type': type,
    'content-length': String(body.length),
    'content-disposition': `attachment; filename="${basename(path)}"`,
    'cache-control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
