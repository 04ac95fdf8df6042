// The operator of the network test, run in its own namespace: a logged-in browser tab's client of
// the Director at the URL given, driven by JSON lines on stdin ({ id, kind, path, input } or
// { id, health: true }) and answering each on stdout ({ id, value } or { id, error }).
import { createInterface } from 'node:readline';
import { browserTab } from '@email-profiles/director/testing';

const url = process.argv[2] ?? '';
const { client } = browserTab(url);
type Request = {
  id: number;
  kind?: 'query' | 'mutate';
  path?: string;
  input?: unknown;
  health?: boolean;
};

async function answer(request: Request): Promise<unknown> {
  if (request.health) {
    for (let i = 0; i < 600; i += 1) {
      const ok = await fetch(`${url}/api/health`)
        .then((response) => response.ok)
        .catch(() => false);
      if (ok) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${url} did not answer`);
  }
  // e.g. "zones.create" and "mutate": client.zones.create.mutate(input).
  let target: unknown = client;
  for (const part of [...(request.path ?? '').split('.'), request.kind ?? 'query'])
    target = (target as Record<string, unknown>)[part];
  return (target as (input: unknown) => Promise<unknown>)(request.input);
}

for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line) as Request;
  answer(request).then(
    (value) => {
      console.log(JSON.stringify({ id: request.id, value }));
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      console.log(JSON.stringify({ id: request.id, error: message }));
    },
  );
}
