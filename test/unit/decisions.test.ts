// Decisions and the review lease, pure: decide() for ACCEPT, OVERRIDE and GOODWILL, the lease rules, the decided
// event's action, and goodwill kept out of the audit's override rate.
import { describe, expect, it } from 'vitest';
import { reviewerFindings } from '../../lib/domain/audit/reviews';
import { type Dispute, DecisionRequest, type Recommendation, decide } from '../../lib/domain/disputes/dispute';
import { transitionEvents } from '../../lib/domain/disputes/events';
import { LEASE_DURATION_MS, blockingLease, isActive, leaseFor, leaseHeld } from '../../lib/domain/disputes/lease';
import { ConflictError, ValidationError, errorHandling } from '../../lib/domain/errors';

const USD = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
const AT = '2026-11-06T16:40:00.000Z';

function recommendation(over: Partial<Recommendation> = {}): Recommendation {
  return {
    outcome: 'DENY',
    disputedAmount: USD(220),
    creditAmount: USD(0),
    calls: [],
    reasons: [],
    goodwill: { eligible: true, amountMinor: 220 },
    flags: [],
    evidence: {},
    policyVersion: 'v1',
    generatedAt: '2026-11-06T15:00:00.000Z',
    ...over,
  };
}

const request = (body: unknown) => DecisionRequest.parse(body);

/** The ValidationError `run` throws: its field. */
function failingField(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('decide', () => {
  it('accepts the recommendation as it is', () => {
    expect(decide(recommendation(), request({ action: 'ACCEPT' }), 'rita', AT)).toEqual({
      action: 'ACCEPT', outcome: 'DENY', creditAmount: USD(0), reason: undefined, reviewer: 'rita', decidedAt: AT, difference: { outcomeChanged: false, creditDeltaMinor: 0 },
    });
  });

  it('records an override with its difference', () => {
    const d = decide(recommendation(), request({ action: 'OVERRIDE', outcome: 'CREDIT', creditAmount: USD(220), reason: 'switch log' }), 'rita', AT);
    expect(d).toMatchObject({ action: 'OVERRIDE', outcome: 'CREDIT', difference: { outcomeChanged: true, creditDeltaMinor: 220 } });
  });

  it('grants goodwill as its own decision: the suggested amount in the disputed currency, DENY standing', () => {
    const d = decide(recommendation(), request({ action: 'GOODWILL', reason: '  first complaint  ' }), 'rita', AT);
    expect(d).toEqual({
      action: 'GOODWILL',
      outcome: 'DENY',
      creditAmount: USD(220),
      reason: 'first complaint',
      reviewer: 'rita',
      decidedAt: AT,
      difference: { outcomeChanged: false, creditDeltaMinor: 220 },
    });
  });

  it('grants less goodwill than suggested when asked, never more, never nothing, never in another currency', () => {
    expect(decide(recommendation(), request({ action: 'GOODWILL', reason: 'r', creditAmount: USD(100) }), 'rita', AT).creditAmount).toEqual(USD(100));
    expect(failingField(() => decide(recommendation(), request({ action: 'GOODWILL', reason: 'r', creditAmount: USD(221) }), 'rita', AT))).toBe('creditAmount.amountMinor');
    expect(failingField(() => decide(recommendation(), request({ action: 'GOODWILL', reason: 'r', creditAmount: USD(0) }), 'rita', AT))).toBe('creditAmount.amountMinor');
    expect(failingField(() => decide(recommendation(), request({ action: 'GOODWILL', reason: 'r', creditAmount: { amountMinor: 100, currency: 'EUR' } }), 'rita', AT))).toBe('creditAmount.currency');
  });

  it('refuses goodwill the recommendation does not offer, naming the action', () => {
    const notEligible = recommendation({ goodwill: { eligible: false, amountMinor: 0 } });
    expect(failingField(() => decide(notEligible, request({ action: 'GOODWILL', reason: 'r' }), 'rita', AT))).toBe('action');
    const nothing = recommendation({ disputedAmount: USD(0), goodwill: { eligible: true, amountMinor: 0 } });
    expect(failingField(() => decide(nothing, request({ action: 'GOODWILL', reason: 'r' }), 'rita', AT))).toBe('action');
    const credit = recommendation({ outcome: 'CREDIT', creditAmount: USD(220) });
    expect(failingField(() => decide(credit, request({ action: 'GOODWILL', reason: 'r' }), 'rita', AT))).toBe('action');
  });

  it('needs a reason for goodwill, and nothing else than reason and amount', () => {
    expect(DecisionRequest.safeParse({ action: 'GOODWILL' }).error?.issues[0]?.path).toEqual(['reason']);
    expect(DecisionRequest.safeParse({ action: 'GOODWILL', reason: '   ' }).error?.issues[0]?.message).toBe('a goodwill credit needs a reason');
    expect(DecisionRequest.safeParse({ action: 'GOODWILL', reason: 'r', outcome: 'CREDIT' }).success).toBe(false);
  });

  it('keeps goodwill out of the override rate of the audit', () => {
    const goodwill = decide(recommendation(), request({ action: 'GOODWILL', reason: 'r' }), 'rita', AT);
    const override = decide(recommendation(), request({ action: 'OVERRIDE', outcome: 'CREDIT', creditAmount: USD(220), reason: 'r' }), 'bob', AT);
    const [bob, rita] = reviewerFindings([{ decision: goodwill }, { decision: override }], { from: '2026-11-06T00:00:00.000Z', to: '2026-11-07T00:00:00.000Z' });
    expect(rita).toMatchObject({ reviewer: 'rita', decisions: 1, overridden: 0, outcomeChanged: 0, credited: [USD(220)], creditDelta: [USD(220)] });
    expect(rita!.overrideRate.value).toBe(0);
    expect(bob).toMatchObject({ reviewer: 'bob', overridden: 1 });
    expect(bob!.teamOverrideRate.value).toBe(0.5);
  });
});

describe('the review lease', () => {
  const now = new Date('2026-11-06T16:00:00.000Z');

  it('lasts five minutes from each renewal', () => {
    expect(LEASE_DURATION_MS).toBe(300_000);
    expect(leaseFor('rita', now)).toEqual({ holder: 'rita', expiresAt: '2026-11-06T16:05:00.000Z' });
    expect(leaseFor('rita', now, 1000).expiresAt).toBe('2026-11-06T16:00:01.000Z');
  });

  it('keeps others out until it expires, never its holder', () => {
    const lease = leaseFor('rita', now);
    expect(blockingLease(lease, 'bob', now)).toEqual(lease);
    expect(blockingLease(lease, 'rita', now)).toBeUndefined();
    expect(blockingLease(undefined, 'bob', now)).toBeUndefined();
    const at = (ms: number) => new Date(now.getTime() + ms);
    expect(blockingLease(lease, 'bob', at(LEASE_DURATION_MS - 1))).toEqual(lease);
    // It holds while now < expiresAt.
    expect(isActive(lease, at(LEASE_DURATION_MS))).toBe(false);
    expect(blockingLease(lease, 'bob', at(LEASE_DURATION_MS))).toBeUndefined();
  });

  it('is refused as a lease-held conflict (409) naming the holder', () => {
    const error = leaseHeld(leaseFor('rita', now));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.kind).toBe('lease-held');
    expect(error.message).toContain('rita');
    expect(error.message).toContain('2026-11-06T16:05:00.000Z');
    expect(errorHandling(error)).toEqual({ status: 409, type: 'lease-held', retryable: false });
  });
});

describe('decided events', () => {
  it('carry the action', () => {
    const decision = decide(recommendation(), request({ action: 'GOODWILL', reason: 'r' }), 'rita', AT);
    const before = {
      disputeId: 'D1', accountId: 'A', ticketId: 'T', origin: 'TICKET', claim: 'NEVER_CONNECTED', status: 'RECOMMENDED', openedAt: AT, displayOffset: '+00:00',
      history: [{ at: AT, by: 'investigator', status: 'RECOMMENDED', note: 'recommended DENY' }],
    } as Dispute;
    const after: Dispute = { ...before, status: 'DECIDED', decision, history: [...before.history, { at: AT, by: 'rita', status: 'DECIDED', note: 'granted goodwill $2.20', decision }] };
    const [event] = transitionEvents(before, after);
    expect(event).toMatchObject({ detailType: 'Dispute Decided', detail: { eventId: 'D1#1', status: 'DECIDED', by: 'rita', action: 'GOODWILL', decision: { action: 'GOODWILL', creditAmount: USD(220) } } });
    // A lease taken or released appends nothing: no event.
    expect(transitionEvents(before, { ...before, lease: leaseFor('rita', new Date(AT)) })).toEqual([]);
  });
});
