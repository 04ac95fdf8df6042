// For the server tests: raw HTTP requests with any header (Host, Origin, X-Forwarded-For, …) and
// from any local address (127.0.0.2 and on work on Linux loopback), which fetch cannot send.
import { request } from 'node:http';

export type RawResponse = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body's bytes as sent (e.g. gzipped). */
  raw: Buffer;
};

export type RawRequest = {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The local address to connect from. */
  from?: string;
};

export function rawRequest(baseUrl: string, options: RawRequest): Promise<RawResponse> {
  const url = new URL(options.path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
        headers: {
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        agent: false,
        ...(options.from === undefined ? {} : { localAddress: options.from }),
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: raw.toString('utf8'),
            raw,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(options.body);
  });
}

/** The tRPC error code of a raw response, or `HTTP <status>`. */
export function trpcCode(response: RawResponse): string {
  return /"code":"([A-Z_]+)"/.exec(response.body)?.[1] ?? `HTTP ${response.status}`;
}

/** `name=value` of each Set-Cookie of a response. */
export function cookiesOf(response: RawResponse): string[] {
  const header = response.headers['set-cookie'];
  return (Array.isArray(header) ? header : header === undefined ? [] : [header]).map(
    (cookie) => cookie.split(';')[0] ?? '',
  );
}
