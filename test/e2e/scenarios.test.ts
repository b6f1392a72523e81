// Every labelled scenario end to end: CDRs through SQS and the ingest handler into DynamoDB Local, the dispute
// opened over HTTP, investigated from the queue, and the recommendation read back over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '../fixtures/scenarios';
import { testStack } from '../support/stack';

// expected.json lists the reasons a scenario is labelled with; the product also gives these evidence reasons today
// (true for those calls, and allowed by notReasons). Together they are the exact reason set.
const UNLABELLED_REASONS: Record<string, string[]> = {
  'auto-attendant-never-connected': ['GOODWILL_ELIGIBLE'],
  'billed-unanswered-partial-credit': ['DESTINATION_HEALTHY'],
  'false-answer-supervision-credit': ['DESTINATION_HEALTHY'],
  'network-degradation-credit': ['UNANSWERED_NOT_CHARGED'],
};
const exactReasons = (name: string, labelled: string[]) => [...labelled, ...(UNLABELLED_REASONS[name] ?? [])].sort();

const scenarios = loadScenarios();
let stack: Awaited<ReturnType<typeof testStack>>;
let api: Awaited<ReturnType<Awaited<ReturnType<typeof testStack>>['startApi']>>;

beforeAll(async () => {
  stack = await testStack();
  await stack.sendCdrs(scenarios.flatMap((s) => s.cdrLines.map((line) => JSON.parse(line))));
  await stack.drainIngest();
  api = await stack.startApi();
  // 7,760 CDRs through the queue, ingest and the Cdrs stream's counting: minutes on a loaded 2-core machine.
}, 300_000);

afterAll(() => api?.close());

describe.each(scenarios)('scenario $name', ({ name, dispute, expected }) => {
  it('is recommended as labelled', async () => {
    const opened = await api.call('POST', '/v1/disputes', { token: 'test-ticketing', body: { ...dispute, ticketId: `T-${name}` } });
    expect(opened.status).toBe(202);
    expect(opened.headers.get('location')).toBe(`/v1/disputes/${opened.body.disputeId}`);
    expect(opened.body.status).toBe('RECEIVED');

    await stack.drainInvestigations();
    const { status, body } = await api.call('GET', `/v1/disputes/${opened.body.disputeId}`, { token: 'test-reviewer' });
    expect(status).toBe(200);
    expect(body.status).toBe('RECOMMENDED');
    expect(body.history.map((h: { status: string }) => h.status)).toEqual(['RECEIVED', 'INVESTIGATING', 'RECOMMENDED']);

    const rec = body.recommendation;
    const codes = rec.reasons.map((r: { code: string }) => r.code);
    expect(rec.outcome).toBe(expected.outcome);
    expect(rec.creditAmount.amountMinor).toBe(expected.creditAmountMinor);
    expect(rec.creditAmount.amountMinor).toBe(rec.calls.reduce((sum: number, c: { creditMinor: number }) => sum + c.creditMinor, 0));
    if (expected.disputedAmountMinor !== undefined) expect(rec.disputedAmount.amountMinor).toBe(expected.disputedAmountMinor);
    // Exactly the labelled reasons and the unlabelled ones above: arrayContaining would let any other reason through.
    expect([...codes].sort()).toEqual(exactReasons(name, expected.reasons));
    for (const forbidden of expected.notReasons) expect(codes).not.toContain(forbidden);
    if (expected.goodwillEligible !== undefined) expect(rec.goodwill.eligible).toBe(expected.goodwillEligible);
    expect(rec.policyVersion).toBe('v1');
    for (const reason of rec.reasons) expect(reason.message.length).toBeGreaterThan(20);
  });
});
