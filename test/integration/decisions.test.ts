// Decisions, re-investigation and customer history through the HTTP API on the emulators.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '../fixtures/scenarios';
import { testStack } from '../support/stack';

let stack: Awaited<ReturnType<typeof testStack>>;
let api: Awaited<ReturnType<Awaited<ReturnType<typeof testStack>>['startApi']>>;
const scenarios = loadScenarios();
const lotto = scenarios.find((s) => s.name === 'auto-attendant-never-connected')!;
const noData = scenarios.find((s) => s.name === 'insufficient-data-escalates')!;

async function openAndInvestigate(dispute: Record<string, unknown>, ticketId: string) {
  const opened = await api.call('POST', '/v1/disputes', { token: 'test-ticketing', body: { ...dispute, ticketId } });
  expect(opened.status).toBe(202);
  await stack.drainInvestigations();
  return (await api.call('GET', `/v1/disputes/${opened.body.disputeId}`, { token: 'test-reviewer' })).body;
}
const decide = (id: string, body: unknown) => api.call('POST', `/v1/disputes/${id}/decision`, { token: 'test-reviewer', body });
const withoutGeneratedAt = (rec: Record<string, unknown>) => JSON.stringify({ ...rec, generatedAt: undefined });

beforeAll(async () => {
  stack = await testStack();
  await stack.sendCdrs([...lotto.cdrLines, ...noData.cdrLines].map((line) => JSON.parse(line)));
  await stack.drainIngest();
  api = await stack.startApi();
});
afterAll(() => api?.close());

describe('decisions', () => {
  it('records the reviewer from the token and the difference, and refuses a second decision', async () => {
    const dispute = await openAndInvestigate(lotto.dispute, 'D-1');
    const missingReason = await decide(dispute.disputeId, { action: 'OVERRIDE', outcome: 'CREDIT', creditAmount: { amountMinor: 220, currency: 'USD' } });
    expect(missingReason.status).toBe(400);
    expect(missingReason.body.errors[0].field).toBe('body.reason');
    const tooMuch = await decide(dispute.disputeId, { action: 'OVERRIDE', outcome: 'CREDIT', creditAmount: { amountMinor: 221, currency: 'USD' }, reason: 'goodwill' });
    expect(tooMuch.body.errors[0].field).toBe('body.creditAmount.amountMinor');

    const decided = await decide(dispute.disputeId, { action: 'OVERRIDE', outcome: 'PARTIAL_CREDIT', creditAmount: { amountMinor: 100, currency: 'USD' }, reason: 'goodwill, first complaint' });
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe('DECIDED');
    expect(decided.body.decision).toMatchObject({ action: 'OVERRIDE', reviewer: 'rita.reviewer', outcome: 'PARTIAL_CREDIT', difference: { outcomeChanged: true, creditDeltaMinor: 100 } });
    expect(decided.body.history.map((h: { status: string }) => h.status)).toEqual(['RECEIVED', 'INVESTIGATING', 'RECOMMENDED', 'DECIDED']);
    expect((await decide(dispute.disputeId, { action: 'ACCEPT' })).status).toBe(409);
    expect((await api.call('POST', `/v1/disputes/${dispute.disputeId}/decision`, { token: 'test-ticketing', body: { action: 'ACCEPT' } })).status).toBe(403);
  });

  it('will not accept an escalation without an outcome', async () => {
    const dispute = await openAndInvestigate(noData.dispute, 'D-esc');
    expect(dispute.recommendation.outcome).toBe('ESCALATE');
    const res = await decide(dispute.disputeId, { action: 'ACCEPT' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('body.action');
  });
});

describe('re-investigation', () => {
  it('reproduces the same recommendation when nothing changed, and keeps both in the history', async () => {
    const dispute = await openAndInvestigate({ ...lotto.dispute, accountId: 'acct-bg-25' }, 'R-1');
    const res = await api.call('POST', `/v1/disputes/${dispute.disputeId}/reinvestigate`, { token: 'test-reviewer' });
    expect(res.status).toBe(202);
    await stack.drainInvestigations();
    const again = (await api.call('GET', `/v1/disputes/${dispute.disputeId}`, { token: 'test-reviewer' })).body;
    expect(withoutGeneratedAt(again.recommendation)).toBe(withoutGeneratedAt(dispute.recommendation));
    const recommended = again.history.filter((h: { status: string }) => h.status === 'RECOMMENDED');
    expect(recommended).toHaveLength(2);
    expect(recommended[0].recommendation.outcome).toBe(dispute.recommendation.outcome);
  });

  it('picks up late CDRs', async () => {
    const dispute = await openAndInvestigate(noData.dispute, 'R-late');
    expect(dispute.recommendation.reasons.map((r: { code: string }) => r.code)).toEqual(['INSUFFICIENT_DATA']);
    await stack.sendCdrs([
      {
        callId: 'late-1', source: 'sw1', accountId: noData.dispute.accountId, callingNumber: '+13125550100', calledNumber: noData.dispute.calledNumber,
        startedAt: '2026-10-27T12:00:00Z', answeredAt: null, endedAt: '2026-10-27T12:00:30Z', disposition: 'NO_ANSWER', releaseCause: 19,
        billedSeconds: 60, charge: { amountMinor: 15, currency: 'USD' },
      },
    ]);
    await stack.drainIngest();
    await api.call('POST', `/v1/disputes/${dispute.disputeId}/reinvestigate`, { token: 'test-reviewer' });
    await stack.drainInvestigations();
    const after = (await api.call('GET', `/v1/disputes/${dispute.disputeId}`, { token: 'test-reviewer' })).body;
    expect(after.recommendation).toMatchObject({ outcome: 'CREDIT', creditAmount: { amountMinor: 15, currency: 'USD' } });
    expect(after.history.filter((h: { status: string }) => h.status === 'RECOMMENDED').map((h: { recommendation: { outcome: string } }) => h.recommendation.outcome)).toEqual(['ESCALATE', 'CREDIT']);
  });
});

describe('customer history', () => {
  it('flags a repeat disputer after three earlier disputes decided DENY, and withholds goodwill', async () => {
    const account = { ...lotto.dispute, accountId: 'acct-lotto-fan' };
    for (const ticket of ['H-1', 'H-2', 'H-3']) {
      const earlier = await openAndInvestigate(account, ticket);
      expect(earlier.recommendation.outcome).toBe('DENY');
      expect((await decide(earlier.disputeId, { action: 'ACCEPT' })).status).toBe(200);
    }
    const fourth = await openAndInvestigate(account, 'H-4');
    expect(fourth.recommendation.flags).toEqual(['REPEAT_DISPUTER']);
    expect(fourth.recommendation.reasons.map((r: { code: string }) => r.code)).toContain('REPEAT_DISPUTER');
    expect(fourth.recommendation.goodwill.eligible).toBe(false);
    const history = await api.call('GET', '/v1/accounts/acct-lotto-fan/disputes', { token: 'test-ticketing' });
    expect(history.body.items.length).toBeGreaterThanOrEqual(4);
  });
});
