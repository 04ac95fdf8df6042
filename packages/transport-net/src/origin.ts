// Who is doing an operation: an actor reading its mailbox (the default) or the Director sending
// the coded email or a test email. A failure is worded for it ("the Director's host", "the
// Director's Email Settings") and says so in its origin. The Director runs its sends inside
// `asOrigin('director', …)`; every TransportError made while it runs takes that origin.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FailureObservation } from '@email-profiles/core';

type Origin = NonNullable<FailureObservation['origin']>;

const operation = new AsyncLocalStorage<Origin>();

export function asOrigin<T>(origin: Origin, work: () => Promise<T>): Promise<T> {
  return operation.run(origin, work);
}

export function currentOrigin(): Origin | undefined {
  return operation.getStore();
}
