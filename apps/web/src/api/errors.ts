// What a failed call means for the screen: a message, and field errors on the form's own paths.
import { TRPCClientError } from '@trpc/client';

export type FieldError = { path: string[]; message: string };

type ErrorData = { code?: string; fieldErrors?: FieldError[] };

function dataOf(error: unknown): ErrorData | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data: unknown = error.data;
  return typeof data === 'object' && data !== null ? data : undefined;
}

export function errorCode(error: unknown): string | undefined {
  return dataOf(error)?.code;
}

export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The server's field errors as `{ 'incoming.port': message }`, first message per field. */
export function fieldErrorMap(error: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  for (const issue of dataOf(error)?.fieldErrors ?? []) {
    const key = issue.path.join('.');
    map[key] ??= issue.message;
  }
  return map;
}
