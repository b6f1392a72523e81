// One error model for the whole product. Every error raised on purpose is an AppError with a stable `name` and,
// when it wraps another failure, its `cause`. ERROR_HANDLING is the one table that says what each class means to
// a client (problem+json status and type) and to a queue (retry or not); nothing matches on message text.

/** Base of every error this product raises on purpose. */
export abstract class AppError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that fails a rule of the contract: the same input fails every time. `field` names it (`creditAmount.amountMinor`, `query.cursor`). */
export class ValidationError extends AppError {
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What the request names does not exist. */
export class NotFoundError extends AppError {}

/** The kinds of conflict a client can tell apart (each is its own problem type). */
export type ConflictKind = 'status-conflict' | 'ticket-conflict' | 'lease-held' | 'adjustment-status' | 'same-reviewer';

/** The request is valid but the stored state does not allow it (a dispute has moved on, a ticket id is taken). */
export class ConflictError extends AppError {
  constructor(
    readonly kind: ConflictKind,
    message: string,
    /** The field the conflict is about, with what to tell the client of it. */
    readonly fieldProblem?: { field: string; reason: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Something this code guarantees did not hold: a bug or corrupted state, never the caller's fault. */
export class InvariantError extends AppError {}

export interface ErrorHandling {
  /** The HTTP status of the problem+json answer. */
  status: number;
  /** The problem type's slug (`/problems/<type>`). */
  type: string;
  /** Whether a queue should deliver the message again: false when the same input fails the same way every time. */
  retryable: boolean;
}

/** What AWS services call being asked too often: answered 429, always worth a retry. */
const THROTTLING = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'TooManyRequestsException', 'Throttling', 'ThrottledException']);

/** How each error is answered and whether redelivery can help. Errors outside the model are internal and retried. */
export function errorHandling(error: unknown): ErrorHandling {
  if (error instanceof ValidationError) return { status: 400, type: 'validation-failed', retryable: false };
  if (error instanceof NotFoundError) return { status: 404, type: 'not-found', retryable: false };
  if (error instanceof ConflictError) return { status: 409, type: error.kind, retryable: false };
  if (error instanceof InvariantError) return { status: 500, type: 'internal', retryable: false };
  if (THROTTLING.has(String((error as { name?: unknown } | null)?.name)) || THROTTLING.has(String((error as { cause?: { name?: unknown } } | null)?.cause?.name))) {
    return { status: 429, type: 'throttled', retryable: true };
  }
  // A programming error fails the same way on every delivery.
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) return { status: 500, type: 'internal', retryable: false };
  // Requests a service refuses as malformed (an item too large, a bad expression) fail the same way every time too.
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'ValidationException' || name === 'SerializationException') return { status: 500, type: 'internal', retryable: false };
  return { status: 500, type: 'internal', retryable: true };
}
