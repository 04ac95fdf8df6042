// For the router tests: a typed tRPC client that keeps its cookies like a browser tab (and can
// record every response body, to check that no secret ever leaves the API).
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../router.js';

export function browserTab(baseUrl: string, recordBodies?: string[]) {
  const jar = new Map<string, string>();
  const setCookies: string[] = [];
  const client = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${baseUrl}/api/trpc`,
        fetch: async (input, init) => {
          const headers = new Headers(init?.headers);
          if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
          const response = await fetch(input as string, { ...init, headers });
          recordBodies?.push(await response.clone().text());
          for (const cookie of response.headers.getSetCookie()) {
            setCookies.push(cookie);
            const [pair = ''] = cookie.split(';');
            const [name = '', value = ''] = pair.split('=');
            if (value === '') jar.delete(name);
            else jar.set(name, value);
          }
          return response;
        },
      }),
    ],
  });
  return { client, jar, setCookies };
}

/** The TRPCClientError a call rejects with (fails the test if it resolves or throws another). */
export async function rejection(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCClientError))
    throw new Error(`expected a TRPCClientError, got ${String(error)}`);
  return error as TRPCClientError<AppRouter>;
}
