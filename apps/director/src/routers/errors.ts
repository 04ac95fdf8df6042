// How refusals reach the client: field errors like zod's own input errors, and the Director's
// own refusals (DomainError, mapped once by the procedures' middleware) with their message. (ZodRealError, not ZodError: only it is an Error,
// which tRPC keeps as the cause that the error formatter turns into `fieldErrors`.)
import { TRPCError } from '@trpc/server';
import { ZodRealError } from 'zod';
import type { FieldIssue } from '@email-profiles/core';
import type { DomainError } from '../domain-error.js';

const CODES = {
  conflict: 'CONFLICT',
  not_found: 'NOT_FOUND',
  invalid: 'BAD_REQUEST',
  precondition: 'PRECONDITION_FAILED',
  unauthorized: 'UNAUTHORIZED',
} as const satisfies Record<DomainError['code'], string>;

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

/** A refusal of the Director's own code as the API error a client sees, with its message. */
export function apiError(error: DomainError): TRPCError {
  const cause =
    error.field !== undefined
      ? asZodError([{ path: [error.field], message: error.message }])
      : error;
  return new TRPCError({ code: CODES[error.code], message: error.message, cause });
}
