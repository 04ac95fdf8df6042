import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticSite } from './static.js';

const root = mkdtempSync(join(tmpdir(), 'director-static-'));
const dist = join(root, 'dist');
let server: Server;
let port: number;

/** A raw HTTP GET (fetch would normalise the "../" away before sending it). */
function get(path: string, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      });
      req.on('error', reject);
      req.end();
    },
  );
}

beforeAll(async () => {
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dist, 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
  writeFileSync(join(root, 'secret.txt'), 'outside the dist folder');
  const handler = staticSite(dist, { 'x-content-type-options': 'nosniff' });
  if (!handler) throw new Error('expected a handler');
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

describe('staticSite', () => {
  it('is undefined when the app is not built', () => {
    expect(staticSite(join(root, 'nothing-here'), {})).toBeUndefined();
  });

  it('serves files with their content types; hashed assets are cached for a year', async () => {
    const js = await get('/assets/index-abc123.js');
    expect([js.status, js.headers['content-type'], js.headers['cache-control']]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
    ]);
    expect(js.body).toBe('console.log(1)');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    const css = await get('/assets/index-abc123.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const svg = await get('/favicon.svg');
    expect([svg.headers['content-type'], svg.headers['cache-control']]).toEqual([
      'image/svg+xml',
      'no-cache',
    ]);
  });

  it('answers every page path with index.html, never cached', async () => {
    for (const path of ['/', '/login', '/settings/email-actions/p1/edit?x=1']) {
      const page = await get(path);
      expect([page.status, page.headers['content-type'], page.headers['cache-control']]).toEqual([
        200,
        'text/html; charset=utf-8',
        'no-cache',
      ]);
      expect(page.body).toContain('<title>app</title>');
    }
    const head = await get('/login', 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it('answers 404 for a missing file, not the app', async () => {
    const missing = await get('/assets/gone-123.js');
    expect([missing.status, missing.body]).toEqual([404, 'Not found']);
  });

  it('never serves a file outside the dist folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00index.html',
    ]) {
      const response = await get(path);
      expect(response.body, path).not.toContain('outside the dist folder');
      expect([400, 404], path).toContain(response.status);
    }
    const malformed = await get('/%E0%A4%A');
    expect(malformed.status).toBe(400);
  });
});
