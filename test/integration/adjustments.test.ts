// Adjustments to billing through the real local stack (HTTP API, Disputes and Adjustments streams, the events
// queue): every crediting decision makes exactly one adjustment, even when the stream is replayed; above the limit
// the reviewer who decided cannot approve it and a second one can; the billing client acknowledges an adjustment
// twice and only the first changes anything; DENY makes none; the roles hold.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { documentClient, sqsClient } from '../../lib/adapters/aws';
import { Adjustment, AdjustmentPage } from '../../lib/api/adjustment-schemas';
import { ProblemSchema } from '../../lib/api/schemas';
import { streamMapping } from '../../infra/local/stream-runner';
import { loadScenarios } from '../fixtures/scenarios';
import { cliOf } from '../support/cli';
import { testStack } from '../support/stack';

// Credits above $2.00 need a second reviewer here (the default limit is $50.00).
process.env.ADJUSTMENT_APPROVAL_LIMITS = 'USD=200';
process.env.API_TOKENS = JSON.stringify({
  ...JSON.parse(process.env.API_TOKENS ?? '{}'),
  'test-reviewer-2': { subject: 'rob.reviewer', roles: ['reviewer'] },
  'test-billing': { subject: 'billing-system', roles: ['billing'] },
});

const RITA = 'test-reviewer';
const ROB = 'test-reviewer-2';
const BILLING = 'test-billing';

let stack: Awaited<ReturnType<typeof testStack>>;
let api: Awaited<ReturnType<Awaited<ReturnType<typeof testStack>>['startApi']>>;
const scenarios = loadScenarios();
const lotto = scenarios.find((s) => s.name === 'auto-attendant-never-connected')!;
const partial = scenarios.find((s) => s.name === 'billed-unanswered-partial-credit')!;
const ids: Record<string, string> = {};
/** Every event taken off the local events queue so far. */
const events: { 'detail-type': string; detail: Record<string, unknown> }[] = [];

async function open(dispute: Record<string, unknown>, ticketId: string): Promise<string> {
  const opened = await api.call('POST', '/v1/disputes', { token: 'test-ticketing', body: { ...dispute, ticketId } });
  expect(opened.status).toBe(202);
  return opened.body.disputeId;
}
const decide = (id: string, token: string, body: unknown) => api.call('POST', `/v1/disputes/${id}/decision`, { token, body });
const approve = (id: string, token: string) => api.call('POST', `/v1/adjustments/${id}/approve`, { token });
const posted = (id: string, token: string) => api.call('POST', `/v1/adjustments/${id}/posted`, { token });
/** The adjustment id of a dispute's decision: its DECIDED entry is the 4th of the history (RECEIVED, INVESTIGATING, RECOMMENDED, DECIDED). */
const adjOf = (disputeId: string) => `adj-${disputeId}-3`;

/** Runs both streams, then moves every event of the local events queue into `events`. */
async function collectEvents(): Promise<void> {
  await stack.drainAdjustmentChanges();
  for (;;) {
    const out = await sqsClient().send(new ReceiveMessageCommand({ QueueUrl: stack.env.DISPUTE_EVENTS_QUEUE_URL, MaxNumberOfMessages: 10 }));
    if (!out.Messages?.length) return;
    events.push(...out.Messages.map((m) => JSON.parse(m.Body!)));
    await sqsClient().send(new DeleteMessageBatchCommand({ QueueUrl: stack.env.DISPUTE_EVENTS_QUEUE_URL, Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
}
const eventsOf = (type: string, adjustmentId: string) => events.filter((e) => e['detail-type'] === type && e.detail.adjustmentId === adjustmentId);

async function storedAdjustments(): Promise<Record<string, unknown>[]> {
  return (await documentClient().send(new ScanCommand({ TableName: stack.env.ADJUSTMENTS_TABLE, ConsistentRead: true }))).Items ?? [];
}

function expectProblem(res: { status: number; body: Record<string, unknown> }, status: number, type: string) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ type: `/problems/${type}`, status });
  expect(ProblemSchema.strict().safeParse(res.body).success).toBe(true);
}

beforeAll(async () => {
  stack = await testStack();
  await stack.sendCdrs([...lotto.cdrLines, ...partial.cdrLines].map((line) => JSON.parse(line)));
  await stack.drainIngest();
  api = await stack.startApi();
  for (const name of ['large', 'goodwill', 'deny', 'roles']) ids[name] = await open(lotto.dispute, `ADJ-${name}`);
  ids.partial = await open(partial.dispute, 'ADJ-partial');
  await stack.drainInvestigations();
  // Rita decides them all; the events of the recommendations are read off the queue with the rest.
  expect((await decide(ids.large!, RITA, { action: 'OVERRIDE', outcome: 'CREDIT', creditAmount: { amountMinor: 220, currency: 'USD' }, reason: 'the line was a scam' })).status).toBe(200);
  expect((await decide(ids.goodwill!, RITA, { action: 'GOODWILL', reason: 'first complaint', creditAmount: { amountMinor: 150, currency: 'USD' } })).status).toBe(200);
  expect((await decide(ids.deny!, RITA, { action: 'ACCEPT' })).status).toBe(200);
  expect((await decide(ids.partial, RITA, { action: 'ACCEPT' })).status).toBe(200);
  await collectEvents();
}, 120_000);
afterAll(() => api?.close());

describe('adjustments from decisions', () => {
  it('one per crediting decision: an override above the limit waits for approval, goodwill and a partial credit below it are approved at once, DENY makes none', async () => {
    const stored = await storedAdjustments();
    expect(stored.map((a) => a.adjustmentId).sort()).toEqual([adjOf(ids.large!), adjOf(ids.goodwill!), adjOf(ids.partial!)].sort());

    const large = await api.call('GET', `/v1/adjustments/${adjOf(ids.large!)}`, { token: BILLING });
    expect(large.status).toBe(200);
    expect(Adjustment.strict().safeParse(large.body).success).toBe(true);
    expect(large.body).toMatchObject({ disputeId: ids.large, accountId: 'acct-lotto-fan', ticketId: 'ADJ-large', amount: { amountMinor: 220, currency: 'USD' }, kind: 'CREDIT', action: 'OVERRIDE', reason: 'the line was a scam', decidedBy: 'rita.reviewer', status: 'PENDING_APPROVAL' });
    expect(large.body.approval).toBeUndefined();

    const goodwill = (await api.call('GET', `/v1/adjustments/${adjOf(ids.goodwill!)}`, { token: RITA })).body;
    expect(goodwill).toMatchObject({ amount: { amountMinor: 150, currency: 'USD' }, kind: 'GOODWILL', action: 'GOODWILL', status: 'APPROVED', approval: { by: 'policy', automatic: true } });
    expect(goodwill.approval.at).toBe(goodwill.decidedAt);

    const partialCredit = (await api.call('GET', `/v1/adjustments/${adjOf(ids.partial!)}`, { token: 'test-auditor' })).body;
    expect(partialCredit).toMatchObject({ amount: { amountMinor: partial.expected.creditAmountMinor, currency: 'USD' }, kind: 'PARTIAL_CREDIT', action: 'ACCEPT', status: 'APPROVED' });

    expect((await api.call('GET', `/v1/adjustments/${adjOf(ids.deny!)}`, { token: BILLING })).status).toBe(404);
    // Those approved at once are announced once each; the pending one not yet.
    expect(eventsOf('Adjustment Approved', adjOf(ids.goodwill!))).toHaveLength(1);
    expect(eventsOf('Adjustment Approved', adjOf(ids.partial!))).toHaveLength(1);
    expect(eventsOf('Adjustment Approved', adjOf(ids.large!))).toHaveLength(0);
    expect(eventsOf('Adjustment Approved', adjOf(ids.goodwill!))[0]!.detail).toMatchObject({ eventId: `${adjOf(ids.goodwill!)}#approved`, at: goodwill.decidedAt, status: 'APPROVED', href: `/v1/adjustments/${adjOf(ids.goodwill!)}` });
  });

  it('above the limit: the deciding reviewer cannot approve (409 same-reviewer), a second reviewer can, once', async () => {
    const id = adjOf(ids.large!);
    expectProblem(await approve(id, RITA), 409, 'same-reviewer');
    // Billing cannot post what is not approved.
    expectProblem(await posted(id, BILLING), 409, 'adjustment-status');
    expect((await api.call('GET', `/v1/adjustments/${id}`, { token: RITA })).body.status).toBe('PENDING_APPROVAL');

    const approved = await approve(id, ROB);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'APPROVED', decidedBy: 'rita.reviewer', approval: { by: 'rob.reviewer', automatic: false } });
    expectProblem(await approve(id, ROB), 409, 'adjustment-status');
    await collectEvents();
    expect(eventsOf('Adjustment Approved', id)).toHaveLength(1);
    expect(eventsOf('Adjustment Approved', id)[0]!.detail).toMatchObject({ eventId: `${id}#approved`, at: approved.body.approval.at, amount: { amountMinor: 220, currency: 'USD' } });
  });

  it('exactly one adjustment per decision when the Disputes stream is replayed from its oldest record', async () => {
    const before = await storedAdjustments();
    // A second mapping of the same stream from TRIM_HORIZON: every change delivered again, as after a lost checkpoint.
    const replay = streamMapping(stack.env.DISPUTES_TABLE!, 'publish-dispute-events', stack.handlers.publishEvents);
    expect(await replay.drain()).toBeGreaterThanOrEqual(5 * 4);
    const after = await storedAdjustments();
    expect(after).toHaveLength(3);
    // Nothing was overwritten: the approved one is still approved by Rob.
    expect(after.sort((a, b) => String(a.adjustmentId).localeCompare(String(b.adjustmentId)))).toEqual(before.sort((a, b) => String(a.adjustmentId).localeCompare(String(b.adjustmentId))));
    await collectEvents();
    expect(eventsOf('Adjustment Approved', adjOf(ids.large!))).toHaveLength(1);
  });

  it('the billing client acknowledges the same adjustment twice: the second answers the same and changes nothing; one adjustment.posted', async () => {
    const id = adjOf(ids.large!);
    const first = await posted(id, BILLING);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'POSTED', posted: { by: 'billing-system' } });
    const second = await posted(id, BILLING);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect((await storedAdjustments()).find((a) => a.adjustmentId === id)).toMatchObject({ status: 'POSTED', posted: first.body.posted });
    await collectEvents();
    expect(eventsOf('Adjustment Posted', id)).toHaveLength(1);
    // The event carries the adjustment as the API serves it, nothing of its storage.
    expect(eventsOf('Adjustment Posted', id)[0]!.detail).toEqual({ eventId: `${id}#posted`, at: first.body.posted.at, ...first.body, href: `/v1/adjustments/${id}` });
  });

  it('lists by status for the billing system, in the order they reached it, with since and a cursor', async () => {
    const approved = await api.call('GET', '/v1/adjustments', { token: BILLING });
    expect(approved.status).toBe(200);
    expect(AdjustmentPage.strict().safeParse(approved.body).success).toBe(true);
    // Goodwill and the partial credit, approved at their decisions (goodwill decided first); the large one is posted.
    expect(approved.body.items.map((a: { adjustmentId: string }) => a.adjustmentId)).toEqual([adjOf(ids.goodwill!), adjOf(ids.partial!)]);
    const page1 = await api.call('GET', '/v1/adjustments?status=APPROVED&limit=1', { token: BILLING });
    expect(page1.body.items.map((a: { adjustmentId: string }) => a.adjustmentId)).toEqual([adjOf(ids.goodwill!)]);
    const page2 = await api.call('GET', `/v1/adjustments?status=APPROVED&limit=1&cursor=${page1.body.cursor}`, { token: BILLING });
    expect(page2.body.items.map((a: { adjustmentId: string }) => a.adjustmentId)).toEqual([adjOf(ids.partial!)]);
    const since = (await api.call('GET', `/v1/adjustments?status=APPROVED&since=${encodeURIComponent(page2.body.items[0].approval.at)}`, { token: BILLING })).body;
    expect(since.items.map((a: { adjustmentId: string }) => a.adjustmentId)).toEqual([adjOf(ids.partial!)]);
    const postedList = (await api.call('GET', '/v1/adjustments?status=POSTED', { token: 'test-auditor' })).body;
    expect(postedList.items.map((a: { adjustmentId: string }) => a.adjustmentId)).toEqual([adjOf(ids.large!)]);
    expect((await api.call('GET', '/v1/adjustments?status=PENDING_APPROVAL', { token: RITA })).body.items).toEqual([]);
    expectProblem(await api.call('GET', '/v1/adjustments?cursor=bm90LWEtY3Vyc29y', { token: BILLING }), 400, 'validation-failed');
    // What the fuzz found (seed 815943622): a forged key with a number too large for JavaScript was a 500.
    const forged = Buffer.from('{"disputeId":12345678901234567890123456789012345678901}').toString('base64url');
    expectProblem(await api.call('GET', `/v1/adjustments?cursor=${forged}`, { token: BILLING }), 400, 'validation-failed');
    expectProblem(await api.call('GET', '/v1/adjustments/nope', { token: BILLING }), 400, 'validation-failed');
  });

  it('roles: billing cannot decide or approve, ticketing cannot approve or read adjustments, a reviewer cannot acknowledge', async () => {
    expectProblem(await decide(ids.roles!, BILLING, { action: 'ACCEPT' }), 403, 'forbidden');
    expectProblem(await approve(adjOf(ids.large!), 'test-ticketing'), 403, 'forbidden');
    expectProblem(await approve(adjOf(ids.large!), BILLING), 403, 'forbidden');
    expectProblem(await api.call('GET', '/v1/adjustments', { token: 'test-ticketing' }), 403, 'forbidden');
    expectProblem(await posted(adjOf(ids.goodwill!), RITA), 403, 'forbidden');
    expect((await api.call('GET', `/v1/adjustments/${adjOf(ids.goodwill!)}`, { token: RITA })).body.status).toBe('APPROVED');
  });
});

describe('disputes adjustments (the CLI in its own process, against this stack)', () => {
  const stateFile = join(mkdtempSync(join(tmpdir(), 'adjustments-cli-')), 'stack.json');
  const disputes = cliOf(stateFile);
  beforeAll(() => {
    writeFileSync(stateFile, JSON.stringify({ apiUrl: api.base, endpoints: inject('endpoints'), env: stack.env, tokens: { ticketing: 'test-ticketing', reviewer: 'test-reviewer', auditor: 'test-auditor', billing: BILLING } }));
  });

  it('lists, exports CSV, acknowledges with the billing token (twice is harmless) and refuses an approval the API refuses', async () => {
    const csvFile = join(tmpdir(), `adjustments-${Date.now()}.csv`);
    const exported = await disputes('adjustments', 'list', '--csv', csvFile);
    expect(exported.status).toBe(0);
    expect(exported.stderr).toContain(`wrote 2 adjustments to ${csvFile}`);
    const rows = readFileSync(csvFile, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('adjustmentId,status,accountId,disputeId,ticketId,kind,amountMinor,currency,amount,decidedBy,decidedAt,approvedBy,approvedAt,postedAt,reason');
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 9))).toEqual([
      [adjOf(ids.goodwill!), 'APPROVED', 'acct-lotto-fan', ids.goodwill, 'ADJ-goodwill', 'GOODWILL', '150', 'USD', '$1.50'],
      [adjOf(ids.partial!), 'APPROVED', partial.dispute.accountId, ids.partial, 'ADJ-partial', 'PARTIAL_CREDIT', String(partial.expected.creditAmountMinor), 'USD', `$0.${partial.expected.creditAmountMinor}`],
    ]);

    const listed = await disputes('adjustments', 'list', '--status', 'POSTED');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain('1 adjustment POSTED');
    expect(listed.stdout).toContain(adjOf(ids.large!));
    expect(listed.stdout).toContain('$2.20');

    const first = await disputes('adjustments', 'posted', adjOf(ids.goodwill!), '--json');
    expect(first.status).toBe(0);
    const again = await disputes('adjustments', 'posted', adjOf(ids.goodwill!), '--json');
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(first.stdout));
    expect(JSON.parse(first.stdout)).toMatchObject({ status: 'POSTED', posted: { by: 'billing-system' } });

    const refused = await disputes('adjustments', 'approve', adjOf(ids.partial!));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('409');
    expect(refused.stderr).toContain('not waiting for approval');

    const wrong = await disputes('adjustments', 'list', '--status', 'DONE');
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('--status');
  });
});
