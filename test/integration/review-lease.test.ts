// The review lease and goodwill decisions through the HTTP API on the emulators: a reviewer holds a recommended
// dispute while working it, a second reviewer can neither take it nor decide it, the decision ends the lease, an
// expired lease is anybody's; goodwill is recorded as its own decision and never counted as an override.
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, sqsClient, tableName } from '../../lib/adapters/aws';
import { ProblemSchema } from '../../lib/api/schemas';
import { LEASE_DURATION_MS } from '../../lib/domain/disputes/lease';
import { loadScenarios } from '../fixtures/scenarios';
import { testStack } from '../support/stack';

// A second reviewer, as infra/local/tokens.json has one (local.reviewer2).
process.env.API_TOKENS = JSON.stringify({ ...JSON.parse(process.env.API_TOKENS ?? '{}'), 'test-reviewer-2': { subject: 'local.reviewer2', roles: ['reviewer'] } });

const RITA = 'test-reviewer';
const ROB = 'test-reviewer-2';

let stack: Awaited<ReturnType<typeof testStack>>;
let api: Awaited<ReturnType<Awaited<ReturnType<typeof testStack>>['startApi']>>;
const scenarios = loadScenarios();
const lotto = scenarios.find((s) => s.name === 'auto-attendant-never-connected')!;
const partial = scenarios.find((s) => s.name === 'billed-unanswered-partial-credit')!;
/** Lottery-line disputes, all investigated before any is decided: each DENY with $2.20 goodwill offered. */
const ids: Record<string, string> = {};

async function open(dispute: Record<string, unknown>, ticketId: string): Promise<string> {
  const opened = await api.call('POST', '/v1/disputes', { token: 'test-ticketing', body: { ...dispute, ticketId } });
  expect(opened.status).toBe(202);
  return opened.body.disputeId;
}
const get = async (id: string) => (await api.call('GET', `/v1/disputes/${id}`, { token: RITA })).body;
const lease = (id: string, token: string) => api.call('POST', `/v1/disputes/${id}/lease`, { token });
const release = (id: string, token: string) => api.call('DELETE', `/v1/disputes/${id}/lease`, { token });
const decide = (id: string, token: string, body: unknown) => api.call('POST', `/v1/disputes/${id}/decision`, { token, body });

function expectLeaseHeld(res: { status: number; body: Record<string, unknown> }, holder: string) {
  expect(res.status).toBe(409);
  expect(res.body).toMatchObject({ type: '/problems/lease-held', status: 409 });
  expect(res.body.detail).toContain(holder);
  expect(ProblemSchema.strict().safeParse(res.body).success).toBe(true);
}

/** Every event the local events queue holds, removed from it. */
async function takeEvents(): Promise<{ 'detail-type': string; detail: Record<string, unknown> }[]> {
  await stack.drainDisputeChanges();
  const events = [];
  for (;;) {
    const out = await sqsClient().send(new ReceiveMessageCommand({ QueueUrl: stack.env.DISPUTE_EVENTS_QUEUE_URL, MaxNumberOfMessages: 10 }));
    if (!out.Messages?.length) return events;
    events.push(...out.Messages.map((m) => JSON.parse(m.Body!)));
    await sqsClient().send(new DeleteMessageBatchCommand({ QueueUrl: stack.env.DISPUTE_EVENTS_QUEUE_URL, Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
}

beforeAll(async () => {
  stack = await testStack();
  await stack.sendCdrs([...lotto.cdrLines, ...partial.cdrLines].map((line) => JSON.parse(line)));
  await stack.drainIngest();
  api = await stack.startApi();
  for (const name of ['held', 'released', 'expired', 'goodwill']) ids[name] = await open(lotto.dispute, `LEASE-${name}`);
  ids.partial = await open(partial.dispute, 'LEASE-partial');
  await stack.drainInvestigations();
});
afterAll(() => api?.close());

describe('the review lease', () => {
  it('is taken and renewed by its holder, refused to a second reviewer, and ended by the holder’s decision', async () => {
    const id = ids.held!;
    const before = await get(id);
    expect(before.status).toBe('RECOMMENDED');

    const taken = await lease(id, RITA);
    expect(taken.status).toBe(200);
    expect(taken.body.holder).toBe('rita.reviewer');
    expect(Date.parse(taken.body.expiresAt) - Date.now()).toBeGreaterThan(LEASE_DURATION_MS - 60_000);
    expect(Date.parse(taken.body.expiresAt) - Date.now()).toBeLessThanOrEqual(LEASE_DURATION_MS);
    const leased = await get(id);
    expect(leased.lease).toEqual(taken.body);
    // A lease is not history.
    expect(leased.history).toEqual(before.history);

    await new Promise((r) => setTimeout(r, 5));
    const renewed = await lease(id, RITA);
    expect(renewed.status).toBe(200);
    expect(renewed.body.holder).toBe('rita.reviewer');
    expect(Date.parse(renewed.body.expiresAt)).toBeGreaterThan(Date.parse(taken.body.expiresAt));

    // The second reviewer can neither take it, nor decide, nor re-investigate, nor release it.
    expectLeaseHeld(await lease(id, ROB), 'rita.reviewer');
    expectLeaseHeld(await decide(id, ROB, { action: 'ACCEPT' }), 'rita.reviewer');
    expectLeaseHeld(await decide(id, ROB, { action: 'GOODWILL', reason: 'first complaint' }), 'rita.reviewer');
    expectLeaseHeld(await api.call('POST', `/v1/disputes/${id}/reinvestigate`, { token: ROB }), 'rita.reviewer');
    expectLeaseHeld(await release(id, ROB), 'rita.reviewer');
    expect((await get(id)).lease).toEqual(renewed.body);
    expect((await get(id)).status).toBe('RECOMMENDED');

    // The holder decides: the decision records the same identity as the lease, and the lease is gone.
    const decided = await decide(id, RITA, { action: 'ACCEPT' });
    expect(decided.status).toBe(200);
    expect(decided.body.lease).toBeUndefined();
    expect(decided.body.decision).toMatchObject({ action: 'ACCEPT', reviewer: 'rita.reviewer' });
    expect(decided.body.history.at(-1)).toMatchObject({ status: 'DECIDED', by: 'rita.reviewer' });
    expect((await get(id)).lease).toBeUndefined();

    // A decided dispute cannot be leased; releasing what is not held is fine.
    const late = await lease(id, ROB);
    expect(late.status).toBe(409);
    expect(late.body.type).toBe('/problems/status-conflict');
    const gone = await release(id, RITA);
    expect(gone.status).toBe(204);
    expect(gone.body).toBeUndefined();
  });

  it('is released by its holder (204, also when not held) and then taken by another reviewer, whose re-investigation ends it', async () => {
    const id = ids.released!;
    expect((await lease(id, RITA)).status).toBe(200);
    expect((await release(id, RITA)).status).toBe(204);
    expect((await get(id)).lease).toBeUndefined();
    expect((await release(id, RITA)).status).toBe(204);

    const robs = await lease(id, ROB);
    expect(robs.status).toBe(200);
    expect(robs.body.holder).toBe('local.reviewer2');
    expectLeaseHeld(await lease(id, RITA), 'local.reviewer2');
    const sent = await api.call('POST', `/v1/disputes/${id}/reinvestigate`, { token: ROB });
    expect(sent.status).toBe(202);
    expect(sent.body.lease).toBeUndefined();
    expect(sent.body.history.at(-1)).toMatchObject({ status: 'INVESTIGATING', by: 'local.reviewer2' });
    await stack.drainInvestigations();
    const again = await get(id);
    expect(again.status).toBe('RECOMMENDED');
    expect(again.lease).toBeUndefined();
  });

  it('can be taken over once expired, and does not stop a decision after it expired', async () => {
    const id = ids.expired!;
    const expire = () =>
      documentClient().send(
        new UpdateCommand({ TableName: tableName('disputes'), Key: { disputeId: id }, UpdateExpression: 'SET #lease.expiresAt = :past', ExpressionAttributeNames: { '#lease': 'lease' }, ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() } }),
      );
    expect((await lease(id, RITA)).status).toBe(200);
    await expire();
    const takenOver = await lease(id, ROB);
    expect(takenOver.status).toBe(200);
    expect(takenOver.body.holder).toBe('local.reviewer2');
    expectLeaseHeld(await lease(id, RITA), 'local.reviewer2');

    await expire();
    // An expired lease holds nothing: another reviewer decides without one, and the decision clears it.
    const decided = await decide(id, RITA, { action: 'OVERRIDE', outcome: 'PARTIAL_CREDIT', creditAmount: { amountMinor: 20, currency: 'USD' }, reason: 'two calls rang out on a bad line' });
    expect(decided.status).toBe(200);
    expect(decided.body.decision).toMatchObject({ action: 'OVERRIDE', reviewer: 'rita.reviewer' });
    expect(decided.body.lease).toBeUndefined();
  });

  it('answers 404 for a dispute that does not exist', async () => {
    expect((await lease('01ARZ3NDEKTSV4RRFFQ69G5FAV', RITA)).body.type).toBe('/problems/not-found');
    expect((await release('01ARZ3NDEKTSV4RRFFQ69G5FAV', RITA)).status).toBe(404);
  });
});

describe('goodwill', () => {
  it('is recorded as a GOODWILL decision of the suggested minor units, published with its action and not counted as an override by the audit', async () => {
    const id = ids.goodwill!;
    const before = await get(id);
    expect(before.recommendation).toMatchObject({ outcome: 'DENY', disputedAmount: { amountMinor: 220, currency: 'USD' }, goodwill: { eligible: true, amountMinor: 220 } });
    await takeEvents();
    expect((await lease(id, RITA)).status).toBe(200);

    const res = await decide(id, RITA, { action: 'GOODWILL', reason: 'first complaint in years' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('DECIDED');
    expect(res.body.lease).toBeUndefined();
    expect(res.body.decision).toEqual({
      action: 'GOODWILL',
      outcome: 'DENY',
      creditAmount: { amountMinor: 220, currency: 'USD' },
      reason: 'first complaint in years',
      reviewer: 'rita.reviewer',
      decidedAt: expect.any(String),
      difference: { outcomeChanged: false, creditDeltaMinor: 220 },
    });
    const entry = res.body.history.at(-1);
    expect(entry).toMatchObject({ status: 'DECIDED', by: 'rita.reviewer', decision: { action: 'GOODWILL' } });
    expect(entry.note).toBe('granted goodwill $2.20 (DENY stands): first complaint in years');

    const decided = (await takeEvents()).filter((e) => e.detail.disputeId === id && e['detail-type'] === 'Dispute Decided');
    expect(decided).toHaveLength(1);
    expect(decided[0]!.detail).toMatchObject({ action: 'GOODWILL', by: 'rita.reviewer', decision: { action: 'GOODWILL', creditAmount: { amountMinor: 220 } } });

    // The audit of the hours around now: rita's decisions (an accept and this goodwill) hold no override.
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const started = await api.call('POST', '/v1/audits', { token: 'test-auditor', body: { from: new Date(hour - 3_600_000).toISOString(), to: new Date(hour + 2 * 3_600_000).toISOString() } });
    expect(started.status).toBe(202);
    await stack.drainAuditRuns();
    const report = (await api.call('GET', `/v1/audits/${started.body.auditId}`, { token: 'test-auditor' })).body;
    expect(report.status).toBe('COMPLETED');
    const consistency = report.findings.filter((f: { type: string }) => f.type === 'REVIEWER_CONSISTENCY');
    const rita = consistency.find((f: { reviewer: string }) => f.reviewer === 'rita.reviewer');
    expect(rita).toMatchObject({ overridden: 1, overrideRate: { numerator: 1 } });
    // Three decisions by rita: ACCEPT, OVERRIDE (the expired-lease test) and GOODWILL; only the override counts.
    expect(rita.decisions).toBe(3);
    expect(rita.credited).toEqual([{ amountMinor: 240, currency: 'USD' }]);
  });

  it('is refused (400 on body.action) where the recommendation offers none, and needs a reason', async () => {
    const id = ids.partial!;
    const rec = (await get(id)).recommendation;
    expect(rec.outcome).toBe('PARTIAL_CREDIT');
    expect(rec.goodwill.eligible).toBe(false);
    const refused = await decide(id, RITA, { action: 'GOODWILL', reason: 'be nice' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ type: '/problems/validation-failed', errors: [{ field: 'body.action' }] });
    const noReason = await decide(id, RITA, { action: 'GOODWILL' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('body.reason');
    expect((await get(id)).status).toBe('RECOMMENDED');
  });
});
