// The actor in one file (apps/actor/dist), offered at /downloads/ so an actor host needs only
// Node 20: read once at start, served with its SHA-256 beside it (`<file>.sha256`, the format
// `sha256sum -c` reads). Public like any agent download: it holds no secret, and the one-time
// enrollment token is what admits an actor.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename } from 'node:path';
import { ACTOR_DOWNLOAD_PATH, type ActorDownload } from '@email-profiles/core';

export type ActorBundle = ActorDownload & { body: Buffer };

export function loadActorBundle(file: string): ActorBundle | undefined {
  if (!existsSync(file)) return undefined;
  const body = readFileSync(file);
  const sha256 = createHash('sha256').update(body).digest('hex');
  return { path: ACTOR_DOWNLOAD_PATH, sha256, bytes: body.length, body };
}

/** Answers the bundle and its checksum file; false for any other path. */
export function serveDownload(
  bundle: ActorBundle | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  headers: Record<string, string>,
): boolean {
  if (bundle === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
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
