// The built web app (apps/web/dist) from the Director's own port: files with their content types,
// hashed assets cached for a year, every other page path answered with index.html (the SPA's
// router takes it from there). Paths never leave the dist folder.
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names files under assets/ by content hash: they never change under the same name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * A handler for GET and HEAD of non-API paths, or undefined when `root` holds no index.html
 * (the web app is not built). `headers` go on every answer (the Director's security headers).
 */
export function staticSite(
  root: string,
  headers: Record<string, string>,
): StaticHandler | undefined {
  const base = normalize(root.endsWith(sep) ? root : root + sep);
  const index = join(base, 'index.html');
  if (!existsSync(index)) return undefined;

  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    type: string,
    cache: string,
    body: Buffer | string,
  ) => {
    res.writeHead(status, {
      ...headers,
      'content-type': type,
      'cache-control': cache,
      'content-length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  /** The file a URL path names inside `base`, or undefined when it would leave it. */
  const resolve = (urlPath: string): string | undefined => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
    const file = normalize(join(base, decoded));
    return file.startsWith(base) ? file : undefined;
  };

  return async (req, res) => {
    const urlPath = (req.url ?? '/').split('?')[0] ?? '/';
    const file = resolve(urlPath);
    if (file === undefined) {
      answer(req, res, 400, 'text/plain; charset=utf-8', 'no-store', 'Bad path');
      return;
    }
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) {
      const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      const cache = urlPath.startsWith('/assets/') ? IMMUTABLE : 'no-cache';
      answer(req, res, 200, type, cache, await readFile(file));
      return;
    }
    // A missing file with an extension is a missing file, not a page of the app.
    if (extname(urlPath) !== '') {
      answer(req, res, 404, 'text/plain; charset=utf-8', 'no-store', 'Not found');
      return;
    }
    answer(req, res, 200, TYPES['.html'] ?? '', 'no-cache', await readFile(index));
  };
}
