// The OpenAPI 3.1 document, generated from the routes and the operations' zod schemas (zod-openapi).
// `npm run openapi` writes it to docs/openapi.json; a test fails when that file and the schemas drift.
import { z } from 'zod';
import { type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject, createDocument } from 'zod-openapi';
import { API_ROUTES, type Role, routeKey } from './routes';
import { PERSON_ROLES, roleScope } from './scopes';
import { InvariantError } from '../domain/errors';
import { OPERATIONS } from './operations';
import { ProblemSchema } from './schemas';
import { webhooksDocument } from './webhook-schemas';

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

/**
 * Where tokens come from: the stack's Cognito domain (its outputs `TokenEndpoint` and `SignInDomain`). Its host
 * depends on the deployment (`cognitoDomainPrefix`, the region), so the document names a placeholder host to replace;
 * with an external issuer (`jwtIssuer`), that issuer's endpoints take its place with the same scopes.
 */
const COGNITO_DOMAIN = 'https://cognito-domain-prefix.auth.aws-region.amazoncognito.com';
const SCOPE_DESCRIPTIONS: Record<Role, string> = {
  ticketing: 'Open disputes and read them and account histories (the ticket tool)',
  reviewer: 'Read the review queue, disputes and statistics; lease, decide and re-investigate disputes',
  auditor: 'Read disputes, queues and statistics; start and read batch audits; review and close rejected and conflicting CDRs',
  billing: 'The billing system: read the adjustments to post (approved credits) and acknowledge each once posted',
};
const scopesOf = (roles: readonly Role[]) => Object.fromEntries(roles.map((role) => [roleScope(role), SCOPE_DESCRIPTIONS[role]]));
const ALL_ROLES: Role[] = ['ticketing', 'reviewer', 'auditor', 'billing'];

/** Systems (the ticket tool, schedulers) and people (the console): two OAuth 2 schemes over the same scopes. */
const SECURITY_SCHEMES = {
  clientCredentials: {
    type: 'oauth2',
    description:
      'Systems: OAuth 2 client credentials, one app client per role, each allowed only its own scope (`disputes/ticketing`, `disputes/reviewer`, `disputes/auditor` or `disputes/billing`). Send the access token as `Authorization: Bearer <token>`. The local stack (`npm start`) takes the bearer tokens of `infra/local/tokens.json` instead.',
    flows: { clientCredentials: { tokenUrl: `${COGNITO_DOMAIN}/oauth2/token`, scopes: scopesOf(ALL_ROLES) } },
  },
  console: {
    type: 'oauth2',
    description:
      "People, through the reviewer console: OAuth 2 authorization code with PKCE (S256; a public client, no secret). A person's role scopes come from their groups (`reviewer`, `auditor`) whatever the client asks for; `disputes/ticketing` is never granted to a person.",
    flows: { authorizationCode: { authorizationUrl: `${COGNITO_DOMAIN}/oauth2/authorize`, tokenUrl: `${COGNITO_DOMAIN}/oauth2/token`, scopes: scopesOf(PERSON_ROLES) } },
  },
} as const;

/**
 * One security requirement per accepted scope and scheme: any one of them admits the call (API Gateway admits a
 * token carrying any one of the route's scopes). Scopes listed in a single requirement would all be required.
 */
function securityFor(roles: readonly Role[]): Record<string, string[]>[] {
  return [
    ...roles.map((role) => ({ clientCredentials: [roleScope(role)] })),
    ...roles.filter((role) => (PERSON_ROLES as readonly Role[]).includes(role)).map((role) => ({ console: [roleScope(role)] })),
  ];
}

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

/** The document's sections: one per resource, by the path's first segment after /v1/. */
const TAGS = [
  { name: 'Disputes', segment: 'disputes', description: 'Open disputes, read them with their recommendation and evidence, and review them: lease, decide, re-investigate.' },
  { name: 'Accounts', segment: 'accounts', description: "An account's dispute history." },
  { name: 'Statistics', segment: 'numbers', description: "A destination's connect statistics." },
  { name: 'Audits', segment: 'audits', description: 'The batch audit: start it, read its reports and findings.' },
  { name: 'Webhooks', segment: 'webhook-endpoints', description: "A ticket tool's own signed-webhook endpoints, their delivery log and re-sends; the events themselves are this document's `webhooks`." },
  { name: 'Adjustments', segment: 'adjustments', description: 'Credits on their way to the billing system: one per crediting decision, approved by a second reviewer above the limit, read and acknowledged once posted by the billing system.' },
  { name: 'Rejects', segment: 'rejects', description: 'Rejected and conflicting CDRs kept by ingest: list and read them, and close them: resolve, dismiss with a reason, keep or replace the stored CDR of a conflict.' },
];

function tagOf(path: string): string {
  const tag = TAGS.find((t) => path.split('/')[2] === t.segment);
  if (!tag) throw new InvariantError(`no tag for ${path}`);
  return tag.name;
}

function operationObject(method: string, path: string, roles: Role[]): ZodOpenApiOperationObject {
  const key = routeKey({ method: method as 'GET', path });
  const op = OPERATIONS[key];
  if (!op) throw new InvariantError(`no operation for ${key}`);
  const responses: Record<`${number}`, ZodOpenApiResponseObject> = {};
  for (const [status, r] of Object.entries(op.responses)) {
    responses[status as `${number}`] = {
      description: r.description,
      ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) } : {}),
      // 204 has no body: no content (its spec's schema and example are null, for the contract test).
      ...(status === '204' ? {} : { content: { 'application/json': { schema: r.schema, example: r.example } } }),
    };
  }
  // Any POST can answer 409 for its Idempotency-Key (reused with another body, or still in progress).
  const problems = roles.length === 0 ? [500] : [...new Set([...COMMON_PROBLEMS, ...op.problems, ...(method === 'POST' ? [409] : [])])].sort();
  for (const status of problems) responses[`${status}`] = problemResponse(status);
  return {
    operationId: op.operationId,
    tags: [tagOf(path)],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(roles.length > 0 ? { 'x-roles': roles, security: securityFor(roles) } : { security: [] }),
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
    (paths[route.path] ??= {})[route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'] = operationObject(route.method, route.path, route.roles);
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Billing-dispute investigation API',
      version: '1.0.0',
      description:
        'Opens billing disputes, returns credit-or-deny recommendations with their evidence, records reviewer decisions, serves connect statistics and batch audits. Money is integer minor units with a currency; times are ISO-8601 with an offset. Errors are RFC 9457 problem details. Each `RECOMMENDED` and `DECIDED` transition is also published as an EventBridge event (see README, "Events") and POSTed, signed, to the webhook endpoints that subscribe to it (see `webhooks` in this document).',
    },
    servers: [{ url: '/' }],
    tags: TAGS.map(({ name, description }) => ({ name, description })),
    components: { securitySchemes: SECURITY_SCHEMES },
    paths,
    webhooks: webhooksDocument(),
  });
}
