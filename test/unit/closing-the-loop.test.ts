// Pure rules of PRODUCT.md §4.7 and §5: due dates, adjustments and their approval, webhook retries, secrets, events.
import { describe, expect, it } from 'vitest';
import { adjustmentFor, approve, markPosted, needsApproval, parseApprovalLimits } from '../../lib/domain/adjustments/adjustment';
import type { Decision } from '../../lib/domain/disputes/dispute';
import { dueBy, isOverdue } from '../../lib/domain/disputes/due-date';
import { transitionEvents } from '../../lib/domain/disputes/events';
import { CreateEndpointRequest, activeSecrets, rollSecrets, signatureHeader } from '../../lib/domain/webhooks/endpoint';
import { adjustmentEvent, fromDisputeEvent, overdueEvent } from '../../lib/domain/webhooks/events';
import { DEFAULT_RETRY_POLICY, nextAttemptAt, shouldDisable } from '../../lib/domain/webhooks/retry';

const DISPUTE = { disputeId: 'D1', accountId: 'acct-1', ticketId: 'T-1' };
const decision = (over: Partial<Decision> = {}): Decision => ({
  action: 'ACCEPT',
  outcome: 'CREDIT',
  creditAmount: { amountMinor: 1200, currency: 'USD' },
  reviewer: 'alice',
  decidedAt: '2026-11-30T10:00:00.000Z',
  difference: { outcomeChanged: false, creditDeltaMinor: 0 },
  ...over,
});
const LIMITS = { USD: 5000 };

describe('due dates', () => {
  it('is the opening time plus the origin service level, and overdue only while undecided after it', () => {
    expect(dueBy('2026-11-30T10:00:00-05:00', 'TICKET')).toBe('2026-12-02T15:00:00.000Z');
    expect(dueBy('2026-11-30T15:00:00Z', 'AUDIT', { TICKET: 1, AUDIT: 2 })).toBe('2026-11-30T17:00:00.000Z');
    const d = { status: 'RECOMMENDED' as const, dueBy: '2026-12-02T15:00:00.000Z' };
    expect(isOverdue(d, new Date('2026-12-02T15:00:00.000Z'))).toBe(false);
    expect(isOverdue(d, new Date('2026-12-02T15:00:00.001Z'))).toBe(true);
    expect(isOverdue({ ...d, status: 'DECIDED' }, new Date('2027-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('adjustments', () => {
  it('one per crediting decision, with a stable id; none for a decision that credits nothing', () => {
    const a = adjustmentFor(DISPUTE, decision(), 3, LIMITS)!;
    expect(a).toMatchObject({ adjustmentId: 'adj-D1-3', kind: 'CREDIT', amount: { amountMinor: 1200, currency: 'USD' }, status: 'APPROVED', approval: { by: 'policy', automatic: true }, decidedBy: 'alice' });
    expect(adjustmentFor(DISPUTE, decision(), 3, LIMITS)).toEqual(a);
    expect(adjustmentFor(DISPUTE, decision({ outcome: 'DENY', creditAmount: { amountMinor: 0, currency: 'USD' } }), 3, LIMITS)).toBeUndefined();
    expect(adjustmentFor(DISPUTE, decision({ action: 'GOODWILL', outcome: 'DENY', reason: 'loyal' }), 3, LIMITS)).toMatchObject({ kind: 'GOODWILL', reason: 'loyal' });
    expect(adjustmentFor(DISPUTE, decision({ action: 'OVERRIDE', outcome: 'PARTIAL_CREDIT' }), 3, LIMITS)?.kind).toBe('PARTIAL_CREDIT');
  });

  it('above the limit (or in a currency without one) waits for a second reviewer, never the one who decided', () => {
    expect(needsApproval({ amountMinor: 5000, currency: 'USD' }, LIMITS)).toBe(false);
    expect(needsApproval({ amountMinor: 5001, currency: 'USD' }, LIMITS)).toBe(true);
    expect(needsApproval({ amountMinor: 1, currency: 'JPY' }, LIMITS)).toBe(true);
    const pending = adjustmentFor(DISPUTE, decision({ creditAmount: { amountMinor: 9000, currency: 'USD' } }), 2, LIMITS)!;
    expect(pending.status).toBe('PENDING_APPROVAL');
    expect(() => approve(pending, 'alice', '2026-11-30T11:00:00Z')).toThrow(expect.objectContaining({ kind: 'same-reviewer', message: expect.stringContaining('$90.00') }));
    const approved = approve(pending, 'bob', '2026-11-30T11:00:00Z');
    expect(approved).toMatchObject({ status: 'APPROVED', approval: { by: 'bob', automatic: false } });
    expect(() => approve(approved, 'carol', '2026-11-30T11:00:00Z')).toThrow(expect.objectContaining({ kind: 'adjustment-status' }));
    expect(() => markPosted(pending, 'billing', '2026-11-30T12:00:00Z')).toThrow(expect.objectContaining({ kind: 'adjustment-status' }));
  });

  it('is posted once: a second acknowledgment changes nothing', () => {
    const a = adjustmentFor(DISPUTE, decision(), 1, LIMITS)!;
    const first = markPosted(a, 'billing', '2026-11-30T12:00:00Z');
    expect(first).toMatchObject({ changed: true, adjustment: { status: 'POSTED', posted: { by: 'billing', at: '2026-11-30T12:00:00Z' } } });
    expect(markPosted(first.adjustment, 'billing', '2026-11-30T13:00:00Z')).toEqual({ changed: false, adjustment: first.adjustment });
  });

  it('reads limits as CUR=minor units and names a bad one', () => {
    expect(parseApprovalLimits('USD=5000, EUR=4000')).toEqual({ USD: 5000, EUR: 4000 });
    expect(() => parseApprovalLimits('USD=50.00')).toThrow(/"USD=50.00" is not CUR=minor-units/);
  });
});

describe('webhook retries', () => {
  it('backs off exponentially with jitter up to 12 h between attempts and stops after 72 h', () => {
    const first = '2026-11-30T00:00:00.000Z';
    let at = first;
    const delays: number[] = [];
    for (let attempt = 1; ; attempt++) {
      const next = nextAttemptAt(first, attempt, at, 0.999);
      if (!next) break;
      delays.push(Date.parse(next) - Date.parse(at));
      at = next;
    }
    expect(delays[0]).toBeGreaterThan(59_000);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(Math.max(...delays)).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.maxDelayMs);
    expect(Date.parse(at) - Date.parse(first)).toBeLessThanOrEqual(72 * 3_600_000);
    expect(Date.parse(at) - Date.parse(first)).toBeGreaterThan(60 * 3_600_000);
    // Jitter: never less than half the backoff.
    expect(Date.parse(nextAttemptAt(first, 3, first, 0)!) - Date.parse(first)).toBe(120_000);
  });

  it('disables an endpoint after three days of failures without a success', () => {
    expect(shouldDisable(undefined, new Date('2026-12-30T00:00:00Z'))).toBe(false);
    expect(shouldDisable('2026-11-27T00:00:01Z', new Date('2026-11-30T00:00:00Z'))).toBe(false);
    expect(shouldDisable('2026-11-27T00:00:00Z', new Date('2026-11-30T00:00:00Z'))).toBe(true);
  });
});

describe('webhook endpoints and events', () => {
  it('accepts https (and http to this machine only) and known event types', () => {
    expect(CreateEndpointRequest.safeParse({ url: 'https://example.zendesk.com/hooks/1', enabledEvents: ['dispute.decided'] }).success).toBe(true);
    expect(CreateEndpointRequest.safeParse({ url: 'http://127.0.0.1:8080/hook', enabledEvents: ['dispute.decided'] }).success).toBe(true);
    expect(CreateEndpointRequest.safeParse({ url: 'http://example.com/hook', enabledEvents: ['dispute.decided'] }).success).toBe(false);
    expect(CreateEndpointRequest.safeParse({ url: 'https://example.com/hook', enabledEvents: ['dispute.opened'] }).success).toBe(false);
    expect(CreateEndpointRequest.safeParse({ url: 'https://example.com/hook', enabledEvents: [] }).success).toBe(false);
  });

  it('signs with the new secret and, during the overlap, the old one', () => {
    const now = new Date('2026-11-30T00:00:00Z');
    const rolled = rollSecrets([{ secret: 'old', createdAt: '2026-11-01T00:00:00Z' }], 'new', now, 24);
    expect(activeSecrets({ secrets: rolled }, now)).toEqual(['new', 'old']);
    expect(activeSecrets({ secrets: rolled }, new Date('2026-12-01T00:00:00Z'))).toEqual(['new']);
    expect(rollSecrets(rolled, 'newer', new Date('2026-12-02T00:00:00Z'), 1).map((s) => s.secret)).toEqual(['newer', 'new']);
    expect(signatureHeader(1764460800, ['ab', 'cd'])).toBe('t=1764460800,v1=ab,v1=cd');
  });

  it('events keep their ids and carry no phone number', () => {
    const before = { disputeId: 'D1', accountId: 'acct-1', ticketId: 'T-1', origin: 'TICKET', status: 'INVESTIGATING', calledNumber: '+16145550123', history: [{ at: 'x', by: 'y', status: 'RECEIVED', note: '' }] };
    const after = { ...before, status: 'RECOMMENDED', history: [...before.history, { at: '2026-11-30T00:00:00Z', by: 'investigator', status: 'RECOMMENDED', note: '', recommendation: { outcome: 'DENY', creditAmount: { amountMinor: 0, currency: 'USD' }, reasons: ['CALL_CONNECTED'], policyVersion: 'v1', generatedAt: 'x' } }] };
    const [event] = transitionEvents(before as never, after as never).map(fromDisputeEvent);
    expect(event).toMatchObject({ id: 'D1#1', type: 'dispute.recommended', data: { disputeId: 'D1', recommendation: { outcome: 'DENY' } } });
    expect(JSON.stringify(event)).not.toMatch(/\+?1614555/);
    expect(overdueEvent({ ...before, status: 'RECOMMENDED', origin: 'TICKET', dueBy: '2026-12-02T00:00:00Z' })).toMatchObject({ id: 'D1#overdue', type: 'dispute.overdue' });
    const adj = adjustmentFor(DISPUTE, decision(), 1, LIMITS)!;
    expect(adjustmentEvent(adj)).toMatchObject({ id: 'adj-D1-1#approved', type: 'adjustment.approved' });
    expect(adjustmentEvent(markPosted(adj, 'billing', 'z').adjustment)).toMatchObject({ id: 'adj-D1-1#posted', type: 'adjustment.posted', createdAt: 'z' });
  });
});
