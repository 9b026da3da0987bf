export type DomainErrorCode =
  | 'VALIDATION_FAILED'
  /** The request would cost more than Herald allows (a body, a file, a post's downloads). */
  | 'TOO_LARGE'
  | 'UNAUTHORIZED'
  /** Authenticated, but the role (or the request's origin or CSRF token) does not allow this. */
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'IDEMPOTENCY_MISMATCH'
  /** A single-use link (invitation, password reset) already used or expired. */
  | 'GONE'
  | 'DEPENDENCY_UNAVAILABLE'
  /** The caller spent a rate-limit budget; the response says when to retry. */
  | 'RATE_LIMITED'
  /** The server lacks the settings for this feature (e.g. an OAuth app's client id). */
  | 'NOT_CONFIGURED';

/** One problem with one field of a request, as returned in an error body's `details`. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * An error the caller can act on. The backend's exception filter maps its code to an HTTP status;
 * its message and details are safe to show to the client (they never hold secrets).
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static validation(details: FieldProblem[]): DomainError {
    return new DomainError('VALIDATION_FAILED', summary(details), details);
  }

  static tooLarge(details: FieldProblem[]): DomainError {
    return new DomainError('TOO_LARGE', summary(details), details);
  }

  static notFound(what: string): DomainError {
    return new DomainError('NOT_FOUND', `${what} not found`);
  }
}

const summary = (details: FieldProblem[]): string =>
  details.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
