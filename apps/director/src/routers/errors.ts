// How refusals reach the client: field errors like zod's own input errors, and repository
// refusals with the repository's message. (ZodRealError, not ZodError: only it is an Error,
// which tRPC keeps as the cause that the error formatter turns into `fieldErrors`.)
import { TRPCError } from '@trpc/server';
import { ZodRealError } from 'zod';
import type { FieldIssue } from '@email-profiles/core';
import { RepositoryError } from '../db/index.js';

const CODES = { conflict: 'CONFLICT', not_found: 'NOT_FOUND', invalid: 'BAD_REQUEST' } as const;

const asZodError = (issues: FieldIssue[]) =>
  new ZodRealError(
    issues.map((issue) => ({
      code: 'custom' as const,
      path: issue.path,
      message: issue.message,
      input: undefined,
    })),
  );

/** A BAD_REQUEST whose issues reach the client as `fieldErrors`. */
export function fieldErrors(issues: FieldIssue[]): TRPCError {
  return new TRPCError({
    code: 'BAD_REQUEST',
    message: issues.map((issue) => issue.message).join('; '),
    cause: asZodError(issues),
  });
}

/**
 * Runs a repository call; a RepositoryError becomes the TRPCError a client sees, with the
 * repository's message. With `conflictField`, a conflict is also put on that field.
 */
export function repository<T>(call: () => T, conflictField?: string): T {
  try {
    return call();
  } catch (error) {
    if (!(error instanceof RepositoryError)) throw error;
    const cause =
      conflictField !== undefined && error.code === 'conflict'
        ? asZodError([{ path: [conflictField], message: error.message }])
        : error;
    throw new TRPCError({ code: CODES[error.code], message: error.message, cause });
  }
}
