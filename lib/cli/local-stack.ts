// Talking to the local stack `npm start` is running: its state file (API address, emulator endpoints, resource
// names, bearer tokens) and its HTTP API.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { localAwsEnv } from '../adapters/aws';
import { setting } from '../config';
import { AppError, NotFoundError, ValidationError } from '../domain/errors';

/** The roles the local tokens stand for. */
export type Role = 'ticketing' | 'reviewer' | 'auditor' | 'billing';

/** What `npm start` writes to its state file for the CLI. */
export interface RunningStack {
  apiUrl: string;
  endpoints: { dynamoEndpoint: string; sqsEndpoint: string };
  env: Record<string, string>;
  tokens: Record<Role, string>;
}

/** A problem+json answer of the API, as the CLI prints it: status, title, detail and each failing field. */
export class ApiProblem extends AppError {
  readonly errors: { field: string; reason: string }[];
  constructor(
    readonly status: number,
    problem: { title?: string; detail?: string; errors?: { field: string; reason: string }[] },
  ) {
    const fields = (problem.errors ?? []).map((e) => `\n  ${e.field}: ${e.reason}`).join('');
    super(`${status} ${problem.title}: ${problem.detail}${fields}`);
    this.errors = problem.errors ?? [];
  }
}

/**
 * The API's refusal of a request field by field, said as the command line's options ("--credit must not exceed the
 * disputed amount ($3.90)") when every failing field is one the person typed; otherwise the problem as it came.
 */
export function asOptions(error: unknown, optionOf: Record<string, string>): unknown {
  if (!(error instanceof ApiProblem) || error.status !== 400 || error.errors.length === 0) return error;
  if (!error.errors.every((e) => optionOf[e.field])) return error;
  const first = error.errors[0]!;
  return new ValidationError(optionOf[first.field]!, error.errors.map((e) => `${optionOf[e.field]} ${e.reason}`).join('; '), { cause: error });
}

const notRunning = (cause?: unknown) =>
  new NotFoundError('the local stack is not running: start it with `npm start` in another terminal, then run this again', { cause });

/** Reads the running stack's state and points this process's AWS SDK clients at its emulators and resources. */
export function connect(): RunningStack {
  // DISPUTES_STATE points the CLI at another stack (the tests use it).
  const file = setting('DISPUTES_STATE');
  if (!existsSync(file)) throw notRunning();
  const stack = JSON.parse(readFileSync(file, 'utf8')) as RunningStack;
  // The CLI hands the stack's endpoints and resource names to the adapters the way the local runner does.
  // eslint-disable-next-line no-restricted-properties -- the one place the CLI writes the environment
  Object.assign(process.env, localAwsEnv(stack.endpoints), stack.env);
  return stack;
}

/** One call of the stack's API as `role`; the parsed JSON body, or an ApiProblem for an error status. */
export async function api<T>(stack: RunningStack, role: Role, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    // One key per command: should the request be retried, the API answers it once.
    headers: { authorization: `Bearer ${stack.tokens[role]}`, ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  }).catch((error: unknown) => {
    // Nothing listens where the state file says: the stack was stopped (or crashed) since it wrote it.
    const code = ((error as { cause?: { code?: string } }).cause ?? (error as { code?: string })).code;
    throw code === 'ECONNREFUSED' ? notRunning(error) : error;
  });
  // A 204 (a DELETE) has no body.
  const text = await res.text();
  const payload: unknown = text === '' ? undefined : JSON.parse(text);
  if (!res.ok) throw new ApiProblem(res.status, payload as ConstructorParameters<typeof ApiProblem>[1]);
  return payload as T;
}
