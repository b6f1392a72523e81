// The OpenAPI 3.1 document, generated from the routes and the operations' zod schemas (zod-openapi).
// `npm run openapi` writes it to docs/openapi.json; a test fails when that file and the schemas drift.
import { z } from 'zod';
import { type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject, createDocument } from 'zod-openapi';
import { API_ROUTES, routeKey } from '../../functions/api/routes';
import { OPERATIONS } from './operations';
import { ProblemSchema } from './schemas';

const PROBLEMS: Record<number, { description: string; type: string; detail: string }> = {
  400: { description: 'Bad input: `errors` names every failing field', type: 'validation-failed', detail: '1 field(s) failed validation' },
  401: { description: 'No or bad credentials', type: 'unauthenticated', detail: 'a bearer token is required' },
  403: { description: 'The caller lacks the role', type: 'forbidden', detail: 'this operation needs one of the roles: reviewer' },
  404: { description: 'Not found', type: 'not-found', detail: 'dispute 01JC2Z8Q6S8W3X4Y5Z6A7B8C9D does not exist' },
  409: { description: 'Conflict: the state moved on, or a key or ticket reused with another body', type: 'status-conflict', detail: 'the dispute must be RECOMMENDED for this; it has moved on' },
  413: { description: 'Body too large (64 KiB)', type: 'body-too-large', detail: 'the body must not exceed 65536 bytes' },
  415: { description: 'Body is not application/json', type: 'unsupported-media-type', detail: 'send the body as application/json' },
  429: { description: 'Throttled; retry after `Retry-After` seconds', type: 'throttled', detail: 'too many requests; retry later' },
  500: { description: 'Internal error; nothing internal is disclosed, and a retry is safe', type: 'internal', detail: 'the request could not be completed; it is safe to retry' },
};
const COMMON_PROBLEMS = [400, 401, 403, 429, 500];

const IdempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .meta({ description: 'Makes a retry safe: a retry with the same key returns the first response (for 24 h); the same key with another body is 409.', example: '6f1c2a0e-9a43-4b8e-b0a4-3c1f3f2d9e11' });

function problemResponse(status: number) {
  const p = PROBLEMS[status]!;
  return {
    description: p.description,
    content: { 'application/problem+json': { schema: ProblemSchema, example: { type: `/problems/${p.type}`, title: p.description.split(/[:;(]/)[0]!.trim(), status, detail: p.detail } } },
  };
}

function operationObject(method: string, path: string, roles: string[]): ZodOpenApiOperationObject {
  const key = routeKey({ method: method as 'GET', path });
  const op = OPERATIONS[key];
  if (!op) throw new Error(`no operation for ${key}`);
  const responses: Record<`${number}`, ZodOpenApiResponseObject> = {};
  for (const [status, r] of Object.entries(op.responses)) {
    responses[status as `${number}`] = {
      description: r.description,
      ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) } : {}),
      content: { 'application/json': { schema: r.schema, example: r.example } },
    };
  }
  const problems = roles.length === 0 ? [500] : [...new Set([...COMMON_PROBLEMS, ...op.problems])].sort();
  for (const status of problems) responses[`${status}`] = problemResponse(status);
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(roles.length > 0 ? { 'x-roles': roles, security: [{ bearer: roles.map((r) => `disputes/${r}`) }] } : { security: [] }),
    requestParams: {
      ...(op.path ? { path: op.path } : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(method === 'POST' ? { header: z.object({ 'Idempotency-Key': IdempotencyKey }) } : {}),
    },
    ...(op.body ? { requestBody: { required: !op.body.optional, content: { 'application/json': { schema: op.body.schema, example: op.body.example } } } } : {}),
    responses,
  };
}

export function openApiDocument() {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of API_ROUTES) {
    if (route.path === '/v1/openapi.json') continue;
    (paths[route.path] ??= {})[route.method.toLowerCase() as 'get' | 'post'] = operationObject(route.method, route.path, route.roles);
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Billing-dispute investigation API',
      version: '1.0.0',
      description:
        'Opens billing disputes, returns credit-or-deny recommendations with their evidence, records reviewer decisions, serves connect statistics and batch audits. Money is integer minor units with a currency; times are ISO-8601 with an offset. Errors are RFC 9457 problem details. Each `RECOMMENDED` and `DECIDED` transition is also published as an EventBridge event (see README, "Events").',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT whose scopes carry the roles (disputes/ticketing, disputes/reviewer, disputes/auditor); locally a configured bearer token.' },
      },
    },
    paths,
  });
}
