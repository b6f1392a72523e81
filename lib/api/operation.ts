// What one API operation is: the schemas that validate each part of its request, the responses it gives (with
// examples), and what it does. lib/api/operations.ts holds the table of operations, one per route; the reject
// routes' are in lib/api/reject-operations.ts.
import { z } from 'zod';
import type { Caller } from './auth';
import type { HttpResponse } from './problem';

export interface ApiRequest {
  routeKey: string;
  pathParameters: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string | undefined;
  caller: Caller;
}

/** What an operation receives: the request with its parts already validated by the operation's schemas. */
export interface ValidRequest<P = unknown, Q = unknown, B = unknown> {
  path: P;
  query: Q;
  body: B;
  caller: Caller;
}

export interface ResponseSpec {
  description: string;
  schema: z.ZodType;
  example: unknown;
  headers?: Record<string, string>;
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  path?: z.ZodObject;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; example: unknown; optional?: boolean };
  responses: Record<number, ResponseSpec>;
  /** Problem statuses beyond the ones every operation can answer (400, 401, 403, 429, 500). */
  problems: number[];
  run: (request: ValidRequest) => Promise<HttpResponse>;
}

type NoParameters = z.ZodObject<Record<never, never>>;

/**
 * One operation, its `run` typed by its own schemas: the request it receives is what `validate` parsed with them
 * (`{}` for an operation without path or query parameters, `undefined` without a body, `{}` for an empty optional
 * body).
 */
export function operation<P extends z.ZodObject = NoParameters, Q extends z.ZodObject = NoParameters, B extends z.ZodType = z.ZodUndefined>(
  spec: Omit<Operation, 'path' | 'query' | 'body' | 'run'> & {
    path?: P;
    query?: Q;
    body?: { schema: B; example: unknown; optional?: boolean };
    run: (request: ValidRequest<z.output<P>, z.output<Q>, z.output<B>>) => Promise<HttpResponse>;
  },
): Operation {
  // The one place the parts' types are restored: `validate` parsed them with exactly these schemas.
  return { ...spec, run: (request) => spec.run(request as ValidRequest<z.output<P>, z.output<Q>, z.output<B>>) };
}

/**
 * A whole number in a query string: decimal digits only, then the range. `Number()` alone reads `0x10`, `1e2`, `+5`,
 * ` 5` and `5.0` as numbers; the contract does not. Documented as the integer it is.
 */
export function queryInteger(min: number, max: number, fallback: number) {
  return z
    .string()
    .regex(/^[0-9]+$/, 'must be a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback)
    .meta({
      // On the wire it is the digits of an integer: documented as that integer (the pattern is the string's).
      override: ({ jsonSchema }) => {
        delete jsonSchema.pattern;
        Object.assign(jsonSchema, { type: 'integer', minimum: min, maximum: max, default: fallback });
      },
    });
}


/** A page cursor as the stores encode it (base64url text); each listing says which filters go with it. */
export const CursorText = z.string().min(1).max(2048).regex(/^[A-Za-z0-9_-]+$/, 'not a cursor this API returned');

/** The optional `cursor` of a listing's query. */
export const pageCursor = (description: string) => CursorText.optional().meta({ description });

/** A page's answer: its items, and the cursor of the next page when there is one. */
export const pageBody = <T>(page: { items: T[]; cursor?: string }) => ({ items: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });
