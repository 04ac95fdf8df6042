// The few HTTP requests the actor makes to the Director, over node:http(s) instead of the global
// fetch: Node's fetch loads its own HTTP stack (undici) into the process, about 18 MB of resident
// memory that an actor, which must stay small, does not need. Only what the tRPC client uses is
// implemented: a method, string body, headers and signal in; the status and the JSON body out.
// TLS is verified as Node does by default (NODE_EXTRA_CA_CERTS adds a private CA).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** The most a Director answer may be (50 tasks, each with a profile and its CA, fit well within). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export type FetchInit = {
  method?: string;
  body?: unknown;
  headers?: unknown;
  signal?: AbortSignal | null;
};

export type FetchResponse = { ok: boolean; status: number; json(): Promise<unknown> };

// Connections are kept open between calls (heartbeats and polls come every few seconds).
const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: 16 }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: 16 }),
};

export function nodeFetch(
  input: string | URL | Request,
  init: FetchInit = {},
): Promise<FetchResponse> {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return Promise.reject(new Error(`Unsupported protocol ${url.protocol}`));
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== 'string')
    return Promise.reject(new Error('Only string bodies are supported'));
  const headers = headerRecord(init.headers);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<FetchResponse>((resolve, reject) => {
    const request = send(
      url,
      {
        method: init.method ?? 'GET',
        headers: {
          ...headers,
          ...(typeof body === 'string'
            ? { 'content-length': String(Buffer.byteLength(body)) }
            : {}),
        },
        agent: agents[url.protocol as 'http:' | 'https:'],
        ...(init.signal ? { signal: init.signal } : {}),
      },
      (response) => {
        readBody(response).then((text) => {
          const status = response.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            json: () => Promise.resolve().then(() => JSON.parse(text) as unknown),
          });
        }, reject);
      },
    );
    request.once('error', reject);
    request.end(typeof body === 'string' ? body : undefined);
  });
}

function headerRecord(headers: unknown): Record<string, string> {
  if (headers === undefined || headers === null) return {};
  if (Array.isArray(headers)) return Object.fromEntries(headers as [string, string][]);
  // A Headers object, without touching the global (which would load undici).
  const entries = (headers as { entries?: () => Iterable<[string, string]> }).entries;
  if (typeof entries === 'function') return Object.fromEntries(entries.call(headers));
  return headers as Record<string, string>;
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        response.destroy(
          new Error(`The Director's answer is larger than ${MAX_RESPONSE_BYTES} bytes`),
        );
        return;
      }
      chunks.push(chunk);
    });
    response.once('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    response.once('error', reject);
    response.once('aborted', () => {
      reject(new Error('The Director closed the connection mid-answer'));
    });
  });
}
