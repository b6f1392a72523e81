// What stored changes set off, pure: the adjustments of crediting decisions (one per DECIDED entry appended, none
// again for a change seen before), the overdue and adjustment events with stable ids, the envelope's round trip to
// webhook events, service levels from configuration and due dates of disputes stored before them.
import { describe, expect, it } from 'vitest';
import { type Adjustment, adjustmentsFromChange, approve, markPosted } from '../../lib/domain/adjustments/adjustment';
import { adjustmentEvents, overdueEvents, toPipelineEvent, webhookEventOf } from '../../lib/domain/adjustments/pipeline-events';
import type { Decision, Dispute, HistoryEntry } from '../../lib/domain/disputes/dispute';
import { DEFAULT_SERVICE_LEVELS, parseServiceLevels, withDueDate } from '../../lib/domain/disputes/due-date';
import { transitionEvents } from '../../lib/domain/disputes/events';
import { ValidationError } from '../../lib/domain/errors';
import { adjustmentEvent } from '../../lib/domain/webhooks/events';

const USD = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
const decision = (action: Decision['action'], outcome: Decision['outcome'], amountMinor: number): Decision => ({
  action,
  outcome,
  creditAmount: USD(amountMinor),
  reason: 'why',
  reviewer: 'rita',
  decidedAt: '2026-11-06T16:00:00.000Z',
  difference: { outcomeChanged: false, creditDeltaMinor: 0 },
});
const opened: HistoryEntry[] = [
  { at: '2026-11-06T15:00:00.000Z', by: 'tool', status: 'RECEIVED', note: '' },
  { at: '2026-11-06T15:00:01.000Z', by: 'investigator', status: 'INVESTIGATING', note: '' },
  { at: '2026-11-06T15:00:02.000Z', by: 'investigator', status: 'RECOMMENDED', note: '' },
];
const dispute = (history: HistoryEntry[], extra: Partial<Dispute> & Record<string, unknown> = {}): Dispute =>
  ({ disputeId: 'D1', accountId: 'A1', ticketId: 'T1', claim: 'NEVER_CONNECTED', origin: 'TICKET', status: history.at(-1)!.status, openedAt: history[0]!.at, displayOffset: '+00:00', history, ...extra });
const decided = (d: Decision) => dispute([...opened, { at: d.decidedAt, by: d.reviewer, status: 'DECIDED', note: '', decision: d }]);

describe('adjustments from a stored change', () => {
  const limits = { USD: 5000 };
  it('one per DECIDED entry that credits, identified by its history index; none for a change already seen or a DENY', () => {
    const before = dispute(opened);
    const credit = decided(decision('OVERRIDE', 'CREDIT', 6000));
    const made = adjustmentsFromChange(before, credit, limits);
    expect(made).toEqual([expect.objectContaining({ adjustmentId: 'adj-D1-3', kind: 'CREDIT', amount: USD(6000), status: 'PENDING_APPROVAL', decidedBy: 'rita' })]);
    // The same new image again with itself as the old one (a lease write after the decision): nothing new.
    expect(adjustmentsFromChange(credit, credit, limits)).toEqual([]);
    // An INSERT of a decided dispute (no old image) still makes its one adjustment.
    expect(adjustmentsFromChange(undefined, credit, limits).map((a) => a.adjustmentId)).toEqual(['adj-D1-3']);
    expect(adjustmentsFromChange(before, decided(decision('ACCEPT', 'DENY', 0)), limits)).toEqual([]);
    expect(adjustmentsFromChange(before, decided(decision('GOODWILL', 'DENY', 150)), limits)).toEqual([expect.objectContaining({ kind: 'GOODWILL', status: 'APPROVED', approval: { by: 'policy', at: '2026-11-06T16:00:00.000Z', automatic: true } })]);
    expect(adjustmentsFromChange(before, decided(decision('ACCEPT', 'PARTIAL_CREDIT', 45)), limits)[0]!.kind).toBe('PARTIAL_CREDIT');
    // Ticket guard items have no history.
    expect(adjustmentsFromChange(undefined, { disputeId: 'ticket#T1' } as unknown as Dispute, limits)).toEqual([]);
  });
});

describe('events of due dates and adjustments', () => {
  it('dispute.overdue once: when the overdue mark appears, not on later changes', () => {
    const before = dispute(opened, { dueBy: '2026-11-08T15:00:00.000Z' });
    const marked = { ...before, overdueAt: '2026-11-08T15:05:00.000Z' } as Dispute;
    const events = overdueEvents(before, marked);
    expect(events).toEqual([
      {
        detailType: 'Dispute Overdue',
        detail: { eventId: 'D1#overdue', at: '2026-11-08T15:00:00.000Z', disputeId: 'D1', accountId: 'A1', ticketId: 'T1', origin: 'TICKET', status: 'RECOMMENDED', dueBy: '2026-11-08T15:00:00.000Z', href: '/v1/disputes/D1' },
      },
    ]);
    expect(overdueEvents(marked, marked)).toEqual([]);
    expect(overdueEvents(undefined, before)).toEqual([]);
  });

  it('adjustment.approved and adjustment.posted when the status changes to them, with ids stable across redeliveries', () => {
    const pending = adjustmentsFromChange(dispute(opened), decided(decision('OVERRIDE', 'CREDIT', 6000)), { USD: 5000 })[0]!;
    expect(adjustmentEvents(undefined, pending)).toEqual([]);
    const approved = approve(pending, 'rob', '2026-11-06T17:00:00.000Z');
    expect(adjustmentEvents(pending, approved).map((e) => [e.detailType, e.detail.eventId, e.detail.at])).toEqual([['Adjustment Approved', 'adj-D1-3#approved', '2026-11-06T17:00:00.000Z']]);
    const { adjustment: posted } = markPosted(approved, 'billing', '2026-11-06T18:00:00.000Z');
    expect(adjustmentEvents(approved, posted).map((e) => e.detail.eventId)).toEqual(['adj-D1-3#posted']);
    expect(adjustmentEvents(posted, posted)).toEqual([]);
    // An adjustment approved at once is announced by its INSERT.
    const automatic = adjustmentsFromChange(dispute(opened), decided(decision('OVERRIDE', 'CREDIT', 100)), { USD: 5000 })[0] as Adjustment;
    expect(adjustmentEvents(undefined, automatic).map((e) => e.detail.eventId)).toEqual(['adj-D1-3#approved']);
  });

  it('every envelope gives back its webhook event', () => {
    const approved = approve(adjustmentsFromChange(dispute(opened), decided(decision('OVERRIDE', 'CREDIT', 6000)), { USD: 5000 })[0]!, 'rob', '2026-11-06T17:00:00.000Z');
    const webhook = adjustmentEvent(approved)!;
    const envelope = toPipelineEvent(webhook);
    expect(webhookEventOf(envelope.detailType, envelope.detail)).toEqual(webhook);
    const recommended = transitionEvents(undefined, dispute(opened))[0]!;
    expect(webhookEventOf(recommended.detailType, recommended.detail)).toMatchObject({ id: 'D1#2', type: 'dispute.recommended' });
    expect(webhookEventOf('Something Else', {})).toBeUndefined();
  });
});

describe('service levels and due dates on read', () => {
  it('reads ORIGIN=hours, keeps the defaults of origins not named, names a bad one', () => {
    expect(parseServiceLevels('')).toEqual(DEFAULT_SERVICE_LEVELS);
    expect(parseServiceLevels('TICKET=24, AUDIT=72.5')).toEqual({ TICKET: 24, AUDIT: 72.5 });
    expect(parseServiceLevels('TICKET=0.0005')).toEqual({ TICKET: 0.0005, AUDIT: 120 });
    for (const bad of ['TICKET', 'EMAIL=4', 'TICKET=0', 'TICKET=-1', 'TICKET=4h']) {
      expect(() => parseServiceLevels(bad)).toThrow(ValidationError);
    }
  });

  it('a stored dueBy wins; one stored before due dates gets opening plus level, and its last history entry as updatedAt', () => {
    const legacy = dispute(opened);
    const now = new Date('2026-11-08T15:00:00.001Z');
    expect(withDueDate(legacy, DEFAULT_SERVICE_LEVELS, now)).toMatchObject({ dueBy: '2026-11-08T15:00:00.000Z', overdue: true, updatedAt: '2026-11-06T15:00:02.000Z' });
    expect(withDueDate(legacy, DEFAULT_SERVICE_LEVELS, new Date('2026-11-08T15:00:00.000Z')).overdue).toBe(false);
    const stored = { ...legacy, dueBy: '2026-11-10T00:00:00.000Z', updatedAt: '2026-11-07T00:00:00.000Z' };
    expect(withDueDate(stored, DEFAULT_SERVICE_LEVELS, now)).toMatchObject({ dueBy: '2026-11-10T00:00:00.000Z', overdue: false, updatedAt: '2026-11-07T00:00:00.000Z' });
    expect(withDueDate(decided(decision('ACCEPT', 'DENY', 0)), DEFAULT_SERVICE_LEVELS, new Date('2027-01-01T00:00:00Z')).overdue).toBe(false);
  });
});
