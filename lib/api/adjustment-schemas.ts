// The adjustment routes' shapes (and the due-date fields' examples), kept equal to the domain types at compile time.
import { z } from 'zod';
import { Instant, Money } from '../domain/cdr';
import { ADJUSTMENT_KINDS, ADJUSTMENT_STATUSES } from '../domain/adjustments/adjustment';
import type * as domain from '../domain/adjustments/adjustment';
import { DECISION_ACTIONS, type Dispute } from '../domain/disputes/dispute';
import { type DatedDispute, dueBy, isOverdue } from '../domain/disputes/due-date';

export const AdjustmentStatus = z
  .enum(ADJUSTMENT_STATUSES)
  .meta({ id: 'AdjustmentStatus', description: 'PENDING_APPROVAL (above the limit, waiting for a second reviewer), APPROVED (to be posted by billing), POSTED (acknowledged by billing)' });

export const Adjustment = z
  .object({
    adjustmentId: z.string().describe('`adj-<disputeId>-<history index of the decision>`: one per decision; use it as the idempotency key of the posting in the billing system'),
    disputeId: z.string(),
    accountId: z.string(),
    ticketId: z.string(),
    amount: Money.describe('the credit, integer minor units with its currency'),
    kind: z.enum(ADJUSTMENT_KINDS).describe('CREDIT or PARTIAL_CREDIT (the decided outcome), or GOODWILL (granted beside a DENY)'),
    action: z.enum(DECISION_ACTIONS).describe('the decision that made it: ACCEPT, OVERRIDE or GOODWILL'),
    reason: z.string().optional().describe("the decision's reason or note"),
    decidedBy: z.string().describe('the reviewer who decided the credit: never the one who approves it'),
    decidedAt: Instant,
    status: AdjustmentStatus,
    approval: z.object({ by: z.string(), at: Instant, automatic: z.boolean().describe('true: at or below the approval limit, approved by policy') }).optional(),
    posted: z.object({ by: z.string().describe('the billing client'), at: Instant }).optional(),
  })
  .meta({ id: 'Adjustment', description: 'A credit on its way to the billing system.' });

export const AdjustmentPage = z
  .object({ items: z.array(Adjustment), cursor: z.string().optional().describe('opaque; pass it back as ?cursor= (with the same status and since) for the next page; absent on the last page') })
  .meta({ id: 'AdjustmentPage' });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const check = <T extends true>(_: T) => undefined;
check<Same<z.infer<typeof Adjustment>, domain.Adjustment>>(true);

const USD = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

export const adjustmentExample: domain.Adjustment = {
  adjustmentId: 'adj-01JC2Z8Q6S8W3X4Y5Z6A7B8C9D-3',
  disputeId: '01JC2Z8Q6S8W3X4Y5Z6A7B8C9D',
  accountId: 'ACC-1001',
  ticketId: 'ZD-58213',
  amount: USD(6000),
  kind: 'PARTIAL_CREDIT',
  action: 'OVERRIDE',
  reason: 'customer was double-billed on 3 Nov per the switch log',
  decidedBy: 'rita.reviewer',
  decidedAt: '2026-11-06T16:20:00.000Z',
  status: 'APPROVED',
  approval: { by: 'rob.reviewer', at: '2026-11-06T16:45:00.000Z', automatic: false },
};

export const postedAdjustmentExample: domain.Adjustment = { ...adjustmentExample, status: 'POSTED', posted: { by: 'billing-system', at: '2026-11-06T17:00:00.000Z' } };

/** A documented dispute with its due-date fields, as the API serves it (48 h after opening, read right after its last change). */
export function dated(dispute: Dispute): DatedDispute {
  const due = dueBy(dispute.openedAt, dispute.origin);
  const updatedAt = dispute.history.at(-1)?.at ?? dispute.openedAt;
  return { ...dispute, dueBy: due, overdue: isOverdue({ status: dispute.status, dueBy: due }, new Date(updatedAt)), updatedAt };
}
