// The Director's actor API through a typed tRPC client: the bearer token on every request, and
// every call bounded by a timeout and cancellable through an AbortSignal.
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '@email-profiles/director';
import { nodeFetch } from './http-fetch.js';
import type {
  ActorEnroll,
  ActorEnrollment,
  ActorTask,
  Heartbeat,
  HeartbeatReply,
  NextTasks,
  ReleaseTasks,
  TaskAck,
  TaskProgress,
  TaskResult,
} from '@email-profiles/core';

/** A call that is not a long-poll gets this long for its answer. */
export const CALL_TIMEOUT_MS = 15_000;
/** A long-poll may take its wait plus this long (a slow network or a busy Director). */
export const POLL_MARGIN_MS = 10_000;

export type DirectorClient = {
  heartbeat(input: Heartbeat, signal?: AbortSignal): Promise<HeartbeatReply>;
  nextTasks(input: NextTasks & { waitMs: number }, signal?: AbortSignal): Promise<ActorTask[]>;
  progress(input: TaskProgress, signal?: AbortSignal): Promise<TaskAck>;
  complete(input: TaskResult, signal?: AbortSignal): Promise<TaskAck>;
  release(input: ReleaseTasks, signal?: AbortSignal): Promise<{ released: number }>;
};

export function trpcUrl(directorUrl: string): string {
  return `${directorUrl.replace(/\/+$/, '')}/api/trpc`;
}

function bounded(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

function trpc(directorUrl: string, token?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: trpcUrl(directorUrl),
        fetch: nodeFetch,
        headers: () => (token === undefined ? {} : { authorization: `Bearer ${token}` }),
      }),
    ],
  });
}

/** The actor API as one actor (its token) sees it. */
export function directorClient(directorUrl: string, token: string): DirectorClient {
  const api = trpc(directorUrl, token).actorApi;
  return {
    heartbeat: (input, signal) =>
      api.heartbeat.mutate(input, { signal: bounded(CALL_TIMEOUT_MS, signal) }),
    nextTasks: (input, signal) =>
      api.nextTasks.mutate(input, { signal: bounded(input.waitMs + POLL_MARGIN_MS, signal) }),
    progress: (input, signal) =>
      api.progress.mutate(input, { signal: bounded(CALL_TIMEOUT_MS, signal) }),
    complete: (input, signal) =>
      api.complete.mutate(input, { signal: bounded(CALL_TIMEOUT_MS, signal) }),
    release: (input, signal) =>
      api.release.mutate(input, { signal: bounded(CALL_TIMEOUT_MS, signal) }),
  };
}

/** Enrolls with a one-time token (the only call without an actor token). */
export function enroll(
  directorUrl: string,
  input: ActorEnroll,
  signal?: AbortSignal,
): Promise<ActorEnrollment> {
  return trpc(directorUrl).actorApi.enroll.mutate(input, {
    signal: bounded(CALL_TIMEOUT_MS, signal),
  });
}

/** The Director answered, and said no: retrying the same call will not help. */
export function isRefusal(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus;
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** The Director does not know this actor's token (revoked, or another Director). */
export function isUnauthorized(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const data = error.data as { code?: string } | undefined;
  return data?.code === 'UNAUTHORIZED' || data?.code === 'FORBIDDEN';
}

/** A short description of a failed call, without anything the Director or a server said back. */
export function describeCallError(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string } | undefined;
    return data?.code ?? (error.cause instanceof Error ? error.cause.message : error.message);
  }
  return error instanceof Error ? error.message : String(error);
}
