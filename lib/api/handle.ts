// One API request, end to end: authenticate, authorise by route, validate, run the operation (once per
// Idempotency-Key), answer problems as RFC 9457.
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, IdempotencyValidationError, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { API_ROUTES, routeKey } from './routes';
import { tableName } from '../adapters/aws';
import { logger } from '../adapters/logger';
import { type AuthInput, type Caller, authenticate, authorize } from './auth';
import { openApiDocument } from './openapi';
import { type ApiRequest, OPERATIONS, type Operation, type ValidRequest, validate } from './operations';
import { type HttpResponse, Problem, json, problemFor, problemResponse } from './problem';

const ROUTES = new Map(API_ROUTES.map((route) => [routeKey(route), route]));
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const REPLAYED = 'idempotent-replayed';

let openApi: HttpResponse | undefined;
let persistenceStore: DynamoDBPersistenceLayer | undefined;

/**
 * Runs a POST once per (caller, route, path, Idempotency-Key) with Powertools idempotency on DynamoDB: a retry gets
 * the stored first response; the same key with another (validated) body fails validation, answered 409. Problems
 * (4xx) are not stored, so a corrected retry with the same key goes through.
 */
async function runOnce(operation: Operation, request: ApiRequest, valid: ValidRequest, key: string, context: Context | undefined): Promise<HttpResponse> {
  persistenceStore ??= new DynamoDBPersistenceLayer({ tableName: tableName('idempotency') });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'body',
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
    // A replayed response says so, which helps whoever debugs a client's retries.
    responseHook: (response) => {
      const stored = response as unknown as HttpResponse;
      return { ...stored, headers: { ...stored.headers, [REPLAYED]: 'true' } };
    },
  });
  // With the invocation's deadline, a request that died mid-way frees its key when the invocation would have ended.
  if (context) config.registerLambdaContext(context);
  const once = makeIdempotent(async (_: { key: string; body: unknown }): Promise<HttpResponse> => await operation.run(valid), { persistenceStore, config, keyPrefix: 'api' });
  try {
    return await once({ key: [request.caller.subject, request.routeKey, JSON.stringify(valid.path), key].join('|'), body: valid.body ?? null });
  } catch (error) {
    if (error instanceof IdempotencyValidationError) {
      throw new Problem(409, 'idempotency-key-reused', 'this Idempotency-Key was used with another body', [{ field: 'header.Idempotency-Key', reason: 'already used with a different body' }]);
    }
    if (error instanceof IdempotencyAlreadyInProgressError) {
      throw new Problem(409, 'request-in-progress', 'a request with this Idempotency-Key is still being processed; retry shortly', [], { 'retry-after': '1' });
    }
    throw (error as { cause?: unknown }).cause instanceof Problem ? (error as { cause: Problem }).cause : error;
  }
}


export async function handleApiRequest(request: Omit<ApiRequest, 'caller'> & { auth: AuthInput; requestId: string; context?: Context }): Promise<HttpResponse> {
  const instance = `/requests/${request.requestId}`;
  try {
    const route = ROUTES.get(request.routeKey);
    if (route && route.roles.length === 0) return (openApi ??= json(200, openApiDocument()));
    const operation = OPERATIONS[request.routeKey];
    if (!route || !operation) throw new Problem(404, 'not-found', 'no such route');
    const caller: Caller = authenticate(request.auth);
    authorize(caller, route.roles);
    const full = { ...request, caller };
    const valid = validate(operation, full);
    const key = request.headers['idempotency-key'];
    if (route.method === 'POST' && key !== undefined) {
      if (key.length === 0 || key.length > 255) throw new Problem(400, 'validation-failed', 'the Idempotency-Key must be 1-255 characters', [{ field: 'header.Idempotency-Key', reason: 'must be 1-255 characters' }]);
      return await runOnce(operation, full, valid, key, request.context);
    }
    return await operation.run(valid);
  } catch (error) {
    const problem = problemFor(error);
    if (problem.status === 429) logger.warn('throttled', { routeKey: request.routeKey, error: error as Error });
    if (problem.status >= 500) logger.error('request failed', { routeKey: request.routeKey, error: error as Error });
    return problemResponse(problem, instance);
  }
}
