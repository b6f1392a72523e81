// RFC 9457 problem details: a stable `type` per error, the failing fields, and never an internal message.
import type { ZodError } from 'zod';
import type { FieldProblem } from '../domain/cdr';
import { ConflictError, NotFoundError, ValidationError, errorHandling } from '../domain/errors';

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly detail: string,
    readonly errors: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  static fromZod(error: ZodError, where: 'body' | 'query' | 'path'): Problem {
    const errors = error.issues.map((issue) => ({ field: [where, ...issue.path].join('.'), reason: issue.message }));
    return new Problem(400, 'validation-failed', `${errors.length} field(s) failed validation`, errors);
  }
}

/**
 * The problem any error is answered with: the error model's status and type, the failing field where the error
 * names one. An internal error says only that a retry is safe; its details belong in the log.
 */
export function problemFor(error: unknown): Problem {
  if (error instanceof Problem) return error;
  const { status, type } = errorHandling(error);
  if (error instanceof ValidationError) {
    const field = /^(body|query|path|header)\./.test(error.field) ? error.field : `body.${error.field}`;
    return new Problem(status, type, error.message, [{ field, reason: error.message }]);
  }
  if (error instanceof ConflictError) return new Problem(status, type, error.message, error.fieldProblem ? [error.fieldProblem] : []);
  if (error instanceof NotFoundError) return new Problem(status, type, error.message);
  if (status === 429) return new Problem(429, type, 'too many requests; retry later', [], { 'retry-after': '1' });
  return new Problem(500, 'internal', 'the request could not be completed; it is safe to retry');
}

export function problemResponse(problem: Problem, instance?: string): HttpResponse {
  const headers: Record<string, string> = { ...problem.headers, 'content-type': 'application/problem+json' };
  if (problem.status === 401) headers['www-authenticate'] = 'Bearer';
  return {
    statusCode: problem.status,
    headers,
    body: JSON.stringify({
      type: `/problems/${problem.slug}`,
      title: TITLES[problem.status] ?? 'Error',
      status: problem.status,
      detail: problem.detail,
      ...(instance ? { instance } : {}),
      ...(problem.errors.length > 0 ? { errors: problem.errors } : {}),
    }),
  };
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
