// The HTTP API over a real local HTTP server: roles, problem details naming the failing field, ticket idempotency,
// the reviewer queue oldest first, connect statistics, and the audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '../fixtures/scenarios';
import { testStack } from '../support/stack';

let stack: Awaited<ReturnType<typeof testStack>>;
let api: Awaited<ReturnType<Awaited<ReturnType<typeof testStack>>['startApi']>>;
const scenario = loadScenarios().find((s) => s.name === 'billed-unanswered-partial-credit')!;
const open = (ticketId: string, overrides: Record<string, unknown> = {}) =>
  api.call('POST', '/v1/disputes', { token: 'test-ticketing', body: { ...scenario.dispute, ticketId, ...overrides } });

beforeAll(async () => {
  stack = await testStack();
  await stack.sendCdrs(scenario.cdrLines.map((line) => JSON.parse(line)));
  await stack.drainIngest();
  api = await stack.startApi();
});
afterAll(() => api?.close());

describe('auth', () => {
  it('answers 401 without or with a bad token and 403 for the wrong role, as problem+json', async () => {
    const none = await api.call('GET', '/v1/disputes');
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toBe('application/problem+json');
    expect(none.body).toMatchObject({ type: '/problems/unauthenticated', status: 401 });
    expect((await api.call('GET', '/v1/disputes', { token: 'nope' })).status).toBe(401);
    const wrongRole = await api.call('GET', '/v1/disputes', { token: 'test-billing' });
    expect(wrongRole.status).toBe(403);
    expect(wrongRole.body.type).toBe('/problems/forbidden');
    expect((await api.call('POST', '/v1/disputes', { token: 'test-reviewer', body: {} })).status).toBe(403);
    expect((await api.call('GET', '/v1/disputes', { token: 'test-auditor' })).status).toBe(200);
  });
});

describe('POST /v1/disputes', () => {
  it('names every failing field', async () => {
    const res = await open('T-bad', { calledNumber: '614-555', from: 'yesterday', claim: 'NOPE' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.calledNumber', 'body.claim', 'body.from']);
  });

  it('requires exactly one scope', async () => {
    const both = await open('T-both', { callIds: ['x'] });
    expect(both.status).toBe(400);
    expect(both.body.errors[0].field).toBe('body.callIds');
    const reversed = await open('T-rev', { from: '2026-10-30T00:00:00Z', to: '2026-10-29T00:00:00Z' });
    expect(reversed.body.errors).toEqual([{ field: 'body.to', reason: 'must be after from' }]);
  });

  it('refuses other content types and malformed JSON', async () => {
    expect((await api.call('POST', '/v1/disputes', { token: 'test-ticketing', body: 'a=b', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    const malformed = await api.call('POST', '/v1/disputes', { token: 'test-ticketing', body: '{"accountId":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toBe('/problems/malformed-json');
    expect((await api.call('POST', '/v1/disputes', { token: 'test-ticketing', body: JSON.stringify({ x: 'y'.repeat(70_000) }) })).status).toBe(413);
  });

  it('returns the same dispute for a retried ticket and 409 for the same ticket with another body', async () => {
    const first = await open('T-42');
    const retry = await open('T-42');
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(retry.body.disputeId).toBe(first.body.disputeId);
    const other = await open('T-42', { claim: 'WRONG_DURATION' });
    expect(other.status).toBe(409);
    expect(other.body.errors[0].field).toBe('body.ticketId');
    await stack.drainInvestigations();
  });

  it('404s an unknown dispute', async () => {
    const res = await api.call('GET', '/v1/disputes/01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: 'test-reviewer' });
    expect(res.status).toBe(404);
    expect(res.body.type).toBe('/problems/not-found');
  });
});

describe('reviewer queue and account history', () => {
  it('lists RECOMMENDED disputes oldest first with cursor pagination', async () => {
    for (const t of ['T-q1', 'T-q2', 'T-q3']) await open(t);
    await stack.drainInvestigations();
    const page1 = await api.call('GET', '/v1/disputes?status=RECOMMENDED&limit=2', { token: 'test-reviewer' });
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    const page2 = await api.call('GET', `/v1/disputes?status=RECOMMENDED&limit=2&cursor=${page1.body.cursor}`, { token: 'test-reviewer' });
    const all = [...page1.body.items, ...page2.body.items];
    expect(all.map((d: { ticketId: string }) => d.ticketId)).toEqual(['T-42', 'T-q1', 'T-q2', 'T-q3']);
    const openedAt = all.map((d: { openedAt: string }) => d.openedAt);
    expect([...openedAt].sort()).toEqual(openedAt);
    expect((await api.call('GET', '/v1/disputes?status=SOMETIMES', { token: 'test-reviewer' })).body.errors[0].field).toBe('query.status');
    const history = await api.call('GET', `/v1/accounts/${scenario.dispute.accountId}/disputes`, { token: 'test-ticketing' });
    expect(history.body.items).toHaveLength(4);
  });
});

describe('GET /v1/numbers/{e164}/stats', () => {
  it('returns the hourly counters and ratios with intervals', async () => {
    const res = await api.call('GET', '/v1/numbers/%2B13125550147/stats?from=2026-10-27T00:00:00Z&to=2026-11-01T00:00:00Z&granularity=day', { token: 'test-reviewer' });
    expect(res.status).toBe(200);
    expect(res.body.series).toHaveLength(5);
    const { total } = res.body;
    expect(total.attempts).toBe(res.body.series.reduce((n: number, s: { attempts: number }) => n + s.attempts, 0));
    expect(total.asr.value).toBeCloseTo(total.answered / total.attempts, 10);
    expect(total.asr.interval.low).toBeLessThan(total.asr.value);
    expect(total.asr.interval.high).toBeGreaterThan(total.asr.value);
    expect((await api.call('GET', '/v1/numbers/12345678/stats', { token: 'test-reviewer' })).body.errors[0].field).toBe('path.e164');
  });
});

describe('audit', () => {
  it('starts asynchronously (202, RUNNING), finishes through the audit-runs queue, and lists the report', async () => {
    const res = await api.call('POST', '/v1/audits', { token: 'test-auditor', body: { from: '2026-10-27T00:00:00Z', to: '2026-11-01T00:00:00Z' } });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/v1/audits/${res.body.auditId}`);
    expect(res.body.status).toBe('RUNNING');
    await stack.drainAuditRuns();
    const stored = await api.call('GET', `/v1/audits/${res.body.auditId}`, { token: 'test-auditor' });
    expect(stored.body.status).toBe('COMPLETED');
    const finding = stored.body.findings.find((f: { type: string; accountId: string }) => f.type === 'BILLED_UNANSWERED' && f.accountId === 'acct-charged-no-answer');
    expect(finding).toMatchObject({ credit: { amountMinor: 45, currency: 'USD' } });
    const listed = await api.call('GET', '/v1/audits?limit=5', { token: 'test-auditor' });
    expect(listed.body.items[0]).toMatchObject({ auditId: res.body.auditId, status: 'COMPLETED' });
    expect(listed.body.items[0].findings).toBeUndefined();
    expect((await api.call('GET', `/v1/audits/${res.body.auditId}`, { token: 'test-reviewer' })).status).toBe(403);
  });

  it('names a bad period', async () => {
    const res = await api.call('POST', '/v1/audits', { token: 'test-auditor', body: { from: '2026-10-27T00:00:00Z' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'body.to', reason: 'give both from and to, or neither' }]);
  });
});
