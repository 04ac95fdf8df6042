// The typed tRPC client of the Director: queries and mutations batched over HTTP (the auth ones
// one per request: the Director refuses them in batches), subscriptions over server-sent events.
// Same origin, so the HttpOnly session cookie goes along by itself.
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  type TRPCLink,
} from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from '@email-profiles/director';

const url = '/api/trpc';

let onUnauthorized: () => void = () => undefined;

/** What to do when the session has expired (any call but the auth ones answered UNAUTHORIZED). */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

const sessionLink: TRPCLink<AppRouter> =
  () =>
  ({ next, op }) =>
    observable((observer) =>
      next(op).subscribe({
        next: (value) => {
          observer.next(value);
        },
        error: (error) => {
          if (error.data?.code === 'UNAUTHORIZED' && !op.path.startsWith('auth.')) onUnauthorized();
          observer.error(error);
        },
        complete: () => {
          observer.complete();
        },
      }),
    );

export const api: TRPCClient<AppRouter> = createTRPCClient<AppRouter>({
  links: [
    sessionLink,
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url }),
      false: splitLink({
        condition: (op) => op.path.startsWith('auth.'),
        true: httpLink({ url }),
        false: httpBatchLink({ url, maxItems: 10 }),
      }),
    }),
  ],
});

export type ApiInputs = inferRouterInputs<AppRouter>;
export type ApiOutputs = inferRouterOutputs<AppRouter>;

/** What a screen does with a live stream of the Director's. */
export type StreamHandlers<T> = {
  onData: (value: T) => void;
  onStarted?: () => void;
  onError?: (error: unknown) => void;
};

/** A subscription's stop, as the screens hold it: one function to call. */
export function unsubscriber(subscription: { unsubscribe(): void }): () => void {
  return () => {
    subscription.unsubscribe();
  };
}
