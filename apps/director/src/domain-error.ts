// A refusal the Director's own code makes (no such profile, not assigned, a revoked actor…), in
// its own terms. It becomes an API error in one place: the procedures' middleware (trpc.ts).
export type DomainErrorCode =
  'conflict' | 'not_found' | 'invalid' | 'precondition' | 'unauthorized';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** The input field it is about, where there is one: the form puts the message there. */
    readonly field?: string,
  ) {
    super(message);
  }
}
