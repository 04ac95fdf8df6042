import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RESPONSE_BYTES, nodeFetch } from './http-fetch.js';

let server: Server;
let base: string;
const seen: { method?: string; body: string; auth?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, body, auth: req.headers.authorization });
      if (req.url === '/huge') {
        const chunk = Buffer.alloc(1024 * 1024, 'x');
        const write = (left: number): void => {
          if (left === 0 || res.destroyed) {
            res.end();
            return;
          }
          res.write(chunk, () => {
            write(left - 1);
          });
        };
        write(MAX_RESPONSE_BYTES / chunk.length + 2);
        return;
      }
      if (req.url === '/slow') return; // never answers
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ echo: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('nodeFetch (the tRPC client over node:http)', () => {
  it('sends the method, headers and body, and reads the status and JSON', async () => {
    const response = await nodeFetch(`${base}/x`, {
      method: 'POST',
      body: '{"a":1}',
      headers: { authorization: 'Bearer t' },
    });
    expect(response).toMatchObject({ ok: true, status: 200 });
    expect(await response.json()).toEqual({ echo: '{"a":1}' });
    expect(seen.at(-1)).toEqual({ method: 'POST', body: '{"a":1}', auth: 'Bearer t' });
    const missing = await nodeFetch(`${base}/missing`);
    expect(missing).toMatchObject({ ok: false, status: 404 });
  });

  it('stops reading an answer larger than the bound', async () => {
    await expect(nodeFetch(`${base}/huge`)).rejects.toThrow(/larger than/);
  });

  it('aborts with its signal', async () => {
    const controller = new AbortController();
    const pending = nodeFetch(`${base}/slow`, { signal: controller.signal });
    setTimeout(() => {
      controller.abort();
    }, 50);
    await expect(pending).rejects.toThrow(/abort/i);
  });

  it('refuses what it does not implement', async () => {
    await expect(nodeFetch('ftp://127.0.0.1/')).rejects.toThrow(/Unsupported protocol/);
    await expect(
      nodeFetch(`${base}/x`, { method: 'POST', body: new Uint8Array(1) }),
    ).rejects.toThrow(/string bodies/);
  });
});
