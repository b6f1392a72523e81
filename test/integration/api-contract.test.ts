// The API contract on the emulators: every role against every endpoint, every answer checked against the schema the
// OpenAPI document declares, Idempotency-Key on POSTs, and the RECOMMENDED / DECIDED events.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { API_ROUTES, type Role, routeKey } from '../../lib/api/routes';
import { sqsClient } from '../../lib/adapters/aws';
import { OPERATIONS } from '../../lib/api/operations';
import { ProblemSchema } from '../../lib/api/schemas';
import { openApiDocument } from '../../lib/api/openapi';
import { ROOT } from '../../lib/config';
import { loadScenarios } from '../fixtures/scenarios';
import { testStack } from '../support/stack';

let stack: Awaited<ReturnType<typeof testStack>>;
let api: Awaited<ReturnType<Awaited<ReturnType<typeof testStack>>['startApi']>>;
const lotto = loadScenarios().find((s) => s.name === 'auto-attendant-never-connected')!;
const TOKENS: Record<Role, string> = { ticketing: 'test-ticketing', reviewer: 'test-reviewer', auditor: 'test-auditor', billing: 'test-billing' };
let recommendedId: string;

async function openAndInvestigate(ticketId: string): Promise<string> {
  const opened = await api.call('POST', '/v1/disputes', { token: TOKENS.ticketing, body: { ...lotto.dispute, ticketId } });
  expect(opened.status).toBe(202);
  await stack.drainInvestigations();
  return opened.body.disputeId;
}

/** An EventBridge event as the local events queue holds it: what the assertions below read of it. */
interface QueuedEvent {
  source: string;
  'detail-type': string;
  detail: { disputeId: string; eventId: string } & Record<string, unknown>;
}

/** What the assertions below read of the generated OpenAPI document. */
interface DocumentedOperation {
  'x-roles'?: string[];
  responses: Record<string, { content: Record<string, { example?: unknown } | undefined> }>;
  parameters?: { name: string }[];
  requestBody?: { content: Record<string, { example?: unknown } | undefined> };
}

/** Reads (and removes) what the local events queue holds. */
async function takeEvents(): Promise<QueuedEvent[]> {
  await stack.drainDisputeChanges();
  const events: QueuedEvent[] = [];
  for (;;) {
    const out = await sqsClient().send(new ReceiveMessageCommand({ QueueUrl: stack.env.DISPUTE_EVENTS_QUEUE_URL, MaxNumberOfMessages: 10 }));
    if (!out.Messages?.length) return events;
    events.push(...out.Messages.map((m) => JSON.parse(m.Body!) as QueuedEvent));
    await sqsClient().send(new DeleteMessageBatchCommand({ QueueUrl: stack.env.DISPUTE_EVENTS_QUEUE_URL, Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
}

beforeAll(async () => {
  stack = await testStack();
  await stack.sendCdrs(lotto.cdrLines.map((line) => JSON.parse(line)));
  await stack.drainIngest();
  api = await stack.startApi();
  recommendedId = await openAndInvestigate('CONTRACT-1');
});
afterAll(() => api?.close());

describe('OpenAPI document', () => {
  it('is served at /v1/openapi.json without credentials and equals docs/openapi.json', async () => {
    const served = await api.call('GET', '/v1/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body.openapi).toBe('3.1.0');
    // `npm run openapi` rewrites the file; this fails when the schemas changed and the file was not regenerated.
    const file = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8'));
    expect(served.body).toEqual(file);
    expect(openApiDocument()).toEqual(file);
  });

  it('documents every route with its roles, an example per request and response, and the problems it can answer', () => {
    const doc = openApiDocument() as unknown as { paths: Record<string, Record<string, DocumentedOperation>> };
    for (const route of API_ROUTES.filter((r) => r.roles.length > 0)) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      expect(op['x-roles'], routeKey(route)).toEqual(route.roles);
      for (const [status, response] of Object.entries(op.responses)) {
        if (status === '204') continue; // no body, no example
        const media = response.content['application/json'] ?? response.content['application/problem+json'];
        expect(media!.example, `${routeKey(route)} ${status}`).toBeDefined();
      }
      for (const status of ['400', '401', '403', '429', '500']) expect(op.responses[status], `${routeKey(route)} ${status}`).toBeDefined();
      if (route.method === 'POST') expect(op.parameters!.map((p) => p.name)).toContain('Idempotency-Key');
      if (op.requestBody) expect(op.requestBody.content['application/json']!.example).toBeDefined();
    }
  });

  it('has examples that the schemas accept', () => {
    for (const [key, op] of Object.entries(OPERATIONS)) {
      for (const [status, response] of Object.entries(op.responses)) {
        const result = response.schema.safeParse(JSON.parse(JSON.stringify(response.example)));
        expect(result.success, `${key} ${status}: ${result.error?.message}`).toBe(true);
      }
      if (op.body) expect(op.body.schema.safeParse(op.body.example).success, `${key} body`).toBe(true);
    }
  });
});

describe('roles × endpoints', () => {
  // One request per route whose answer, for an allowed role, is deterministic.
  const requests: Record<string, () => { path: string; body?: unknown; allowed: number }> = {
    'POST /v1/disputes': () => ({ path: '/v1/disputes', body: { ...lotto.dispute, ticketId: `MATRIX-${Math.random()}` }, allowed: 202 }),
    'GET /v1/disputes': () => ({ path: '/v1/disputes?status=RECOMMENDED', allowed: 200 }),
    'GET /v1/disputes/{disputeId}': () => ({ path: `/v1/disputes/${recommendedId}`, allowed: 200 }),
    'POST /v1/disputes/{disputeId}/decision': () => ({ path: '/v1/disputes/01ARZ3NDEKTSV4RRFFQ69G5FAV/decision', body: { action: 'ACCEPT' }, allowed: 404 }),
    'POST /v1/disputes/{disputeId}/reinvestigate': () => ({ path: '/v1/disputes/01ARZ3NDEKTSV4RRFFQ69G5FAV/reinvestigate', allowed: 404 }),
    'POST /v1/disputes/{disputeId}/lease': () => ({ path: '/v1/disputes/01ARZ3NDEKTSV4RRFFQ69G5FAV/lease', allowed: 404 }),
    'DELETE /v1/disputes/{disputeId}/lease': () => ({ path: '/v1/disputes/01ARZ3NDEKTSV4RRFFQ69G5FAV/lease', allowed: 404 }),
    'GET /v1/accounts/{accountId}/disputes': () => ({ path: `/v1/accounts/${lotto.dispute.accountId}/disputes`, allowed: 200 }),
    'GET /v1/numbers/{e164}/stats': () => ({ path: '/v1/numbers/%2B16145550123/stats', allowed: 200 }),
    'POST /v1/audits': () => ({ path: '/v1/audits', body: { from: '2026-10-01T00:00:00Z', to: '2026-10-01T02:00:00Z' }, allowed: 202 }),
    'GET /v1/audits': () => ({ path: '/v1/audits?limit=5', allowed: 200 }),
    'GET /v1/audits/{auditId}': () => ({ path: '/v1/audits/nope', allowed: 404 }),
    'GET /v1/rejects': () => ({ path: '/v1/rejects?status=ALL&limit=5', allowed: 200 }),
    'GET /v1/rejects/{rejectId}': () => ({ path: '/v1/rejects/01ARZ3NDEKTSV4RRFFQ69G5FAV', allowed: 404 }),
    'POST /v1/rejects/{rejectId}/resolve': () => ({ path: '/v1/rejects/01ARZ3NDEKTSV4RRFFQ69G5FAV/resolve', allowed: 404 }),
    'POST /v1/rejects/{rejectId}/dismiss': () => ({ path: '/v1/rejects/01ARZ3NDEKTSV4RRFFQ69G5FAV/dismiss', body: { reason: 'test data' }, allowed: 404 }),
    'POST /v1/rejects/{rejectId}/keep': () => ({ path: '/v1/rejects/01ARZ3NDEKTSV4RRFFQ69G5FAV/keep', allowed: 404 }),
    'POST /v1/rejects/{rejectId}/replace': () => ({ path: '/v1/rejects/01ARZ3NDEKTSV4RRFFQ69G5FAV/replace', body: { note: 'switch re-rated it' }, allowed: 404 }),
    'GET /v1/adjustments': () => ({ path: '/v1/adjustments', allowed: 200 }),
    'GET /v1/adjustments/{adjustmentId}': () => ({ path: '/v1/adjustments/adj-NOPE-3', allowed: 404 }),
    'POST /v1/adjustments/{adjustmentId}/approve': () => ({ path: '/v1/adjustments/adj-NOPE-3/approve', allowed: 404 }),
    'POST /v1/adjustments/{adjustmentId}/posted': () => ({ path: '/v1/adjustments/adj-NOPE-3/posted', allowed: 404 }),
    'POST /v1/webhook-endpoints': () => ({ path: '/v1/webhook-endpoints', body: { url: 'https://hooks.example.com/contract', enabledEvents: ['dispute.decided'] }, allowed: 201 }),
    'GET /v1/webhook-endpoints': () => ({ path: '/v1/webhook-endpoints', allowed: 200 }),
    'GET /v1/webhook-endpoints/{endpointId}': () => ({ path: '/v1/webhook-endpoints/we_01ARZ3NDEKTSV4RRFFQ69G5FAV', allowed: 404 }),
    'PATCH /v1/webhook-endpoints/{endpointId}': () => ({ path: '/v1/webhook-endpoints/we_01ARZ3NDEKTSV4RRFFQ69G5FAV', body: { disabled: true }, allowed: 404 }),
    'DELETE /v1/webhook-endpoints/{endpointId}': () => ({ path: '/v1/webhook-endpoints/we_01ARZ3NDEKTSV4RRFFQ69G5FAV', allowed: 404 }),
    'POST /v1/webhook-endpoints/{endpointId}/roll-secret': () => ({ path: '/v1/webhook-endpoints/we_01ARZ3NDEKTSV4RRFFQ69G5FAV/roll-secret', body: { overlapHours: 1 }, allowed: 404 }),
    'GET /v1/webhook-endpoints/{endpointId}/deliveries': () => ({ path: '/v1/webhook-endpoints/we_01ARZ3NDEKTSV4RRFFQ69G5FAV/deliveries', allowed: 404 }),
    'POST /v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/redeliver': () => ({ path: '/v1/webhook-endpoints/we_01ARZ3NDEKTSV4RRFFQ69G5FAV/deliveries/wd_00000000000000000000000000000000/redeliver', allowed: 404 }),
    'GET /v1/openapi.json': () => ({ path: '/v1/openapi.json', allowed: 200 }),
  };

  it('covers every route', () => expect(Object.keys(requests).sort()).toEqual(API_ROUTES.map(routeKey).sort()));

  const cases = API_ROUTES.flatMap((route) => (['none', 'ticketing', 'reviewer', 'auditor', 'billing'] as const).map((who) => ({ route, who })));
  it.each(cases)('$route.method $route.path as $who', async ({ route, who }) => {
    const request = requests[routeKey(route)]!();
    const res = await api.call(route.method, request.path, { token: who === 'none' ? undefined : TOKENS[who], body: request.body });
    const expected = route.roles.length === 0 ? request.allowed : who === 'none' ? 401 : route.roles.includes(who) ? request.allowed : 403;
    expect(res.status).toBe(expected);
    if (res.status >= 400) {
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(ProblemSchema.strict().safeParse(res.body).success).toBe(true);
    } else if (route.roles.length > 0) {
      const schema: z.ZodType = OPERATIONS[routeKey(route)]!.responses[res.status]!.schema;
      const parsed = schema.safeParse(res.body);
      expect(parsed.success, parsed.error?.message).toBe(true);
    }
  });
});

describe('Idempotency-Key', () => {
  it('answers a retried decision with the first response, once in the history, and says it is a replay', async () => {
    const id = await openAndInvestigate('IDEM-1');
    const headers = { 'idempotency-key': 'decide-IDEM-1' };
    const first = await api.call('POST', `/v1/disputes/${id}/decision`, { token: TOKENS.reviewer, body: { action: 'ACCEPT' }, headers });
    const retry = await api.call('POST', `/v1/disputes/${id}/decision`, { token: TOKENS.reviewer, body: { action: 'ACCEPT' }, headers });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(first.body.history.filter((h: { status: string }) => h.status === 'DECIDED')).toHaveLength(1);
    // Without the key the same request is a second decision: a conflict.
    expect((await api.call('POST', `/v1/disputes/${id}/decision`, { token: TOKENS.reviewer, body: { action: 'ACCEPT' } })).status).toBe(409);
  });

  it('refuses the same key with another body (409, naming the header) and lets a failed request be retried', async () => {
    const headers = { 'idempotency-key': 'open-IDEM-2' };
    const bad = await api.call('POST', '/v1/disputes', { token: TOKENS.ticketing, body: { ...lotto.dispute, ticketId: 'IDEM-2', claim: 'NOPE' }, headers });
    expect(bad.status).toBe(400);
    const first = await api.call('POST', '/v1/disputes', { token: TOKENS.ticketing, body: { ...lotto.dispute, ticketId: 'IDEM-2' }, headers });
    expect(first.status).toBe(202);
    const other = await api.call('POST', '/v1/disputes', { token: TOKENS.ticketing, body: { ...lotto.dispute, ticketId: 'IDEM-3' }, headers });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ type: '/problems/idempotency-key-reused', errors: [{ field: 'header.Idempotency-Key' }] });
    // The original request, retried, still gets its first answer.
    const again = await api.call('POST', '/v1/disputes', { token: TOKENS.ticketing, body: { ...lotto.dispute, ticketId: 'IDEM-2' }, headers });
    expect(again.body.disputeId).toBe(first.body.disputeId);
    await stack.drainInvestigations();
  });
});

describe('throttling', () => {
  it('answers 429 once the stage token bucket is empty, as API Gateway does, and recovers', async () => {
    const throttled = await stack.startApi({ rateLimit: 5, burstLimit: 3 });
    try {
      // All at once: one after another, a loaded machine's slow answers would let the bucket refill between them.
      const statuses = await Promise.all(Array.from({ length: 8 }, async () => (await throttled.call('GET', '/v1/openapi.json')).status));
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
      expect(statuses).toContain(429);
      expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
      await new Promise((r) => setTimeout(r, 450));
      expect((await throttled.call('GET', '/v1/openapi.json')).status).toBe(200);
    } finally {
      await throttled.close();
    }
  });
});

describe('events', () => {
  it('publishes one event per RECOMMENDED and DECIDED transition, with stable ids', async () => {
    await takeEvents();
    const id = await openAndInvestigate('EVENTS-1');
    await api.call('POST', `/v1/disputes/${id}/decision`, { token: TOKENS.reviewer, body: { action: 'OVERRIDE', outcome: 'CREDIT', creditAmount: { amountMinor: 1, currency: 'USD' }, reason: 'goodwill' } });
    const events = (await takeEvents()).filter((e) => e.detail.disputeId === id);
    expect(events.map((e) => e['detail-type'])).toEqual(['Dispute Recommended', 'Dispute Decided']);
    expect(events[0]).toMatchObject({ source: 'dispute-pipeline', detail: { status: 'RECOMMENDED', ticketId: 'EVENTS-1', recommendation: { outcome: 'DENY' }, href: `/v1/disputes/${id}` } });
    expect(events[1]!.detail).toMatchObject({ status: 'DECIDED', by: 'rita.reviewer', decision: { action: 'OVERRIDE', outcome: 'CREDIT', difference: { outcomeChanged: true } } });
    expect(new Set(events.map((e) => e.detail.eventId)).size).toBe(2);
    expect(await takeEvents()).toEqual([]);
  });
});
