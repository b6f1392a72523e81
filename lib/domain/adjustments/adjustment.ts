// Adjustments (PRODUCT.md §4.7): the credits a decision grants, on their way to the billing system. One decision
// that credits money makes exactly one adjustment, whose id is derived from the decision, so that a retried
// decision or event can never make a second one and the billing system can use the id as its idempotency key.
// Above the approval limit a second reviewer, not the one who decided, approves it; below, it is approved at once.
import type { Money } from '../cdr';
import type { Decision, Dispute } from '../disputes/dispute';
import { ConflictError, ValidationError } from '../errors';
import { formatMoney } from '../money';

export const ADJUSTMENT_STATUSES = ['PENDING_APPROVAL', 'APPROVED', 'POSTED'] as const;
export type AdjustmentStatus = (typeof ADJUSTMENT_STATUSES)[number];

/** What the credit is: the decided outcome, or goodwill (granted beside a DENY, never an override). */
export const ADJUSTMENT_KINDS = ['CREDIT', 'PARTIAL_CREDIT', 'GOODWILL'] as const;
export type AdjustmentKind = (typeof ADJUSTMENT_KINDS)[number];

export interface Adjustment {
  /** `adj-<disputeId>-<decision's history index>`: one per decision, the billing system's idempotency key. */
  adjustmentId: string;
  disputeId: string;
  accountId: string;
  ticketId: string;
  amount: Money;
  kind: AdjustmentKind;
  /** The decision's action: ACCEPT, OVERRIDE or GOODWILL. */
  action: Decision['action'];
  reason?: string;
  decidedBy: string;
  decidedAt: string;
  status: AdjustmentStatus;
  approval?: { by: string; at: string; automatic: boolean };
  posted?: { by: string; at: string };
}

/**
 * Credits above these amounts (minor units, per currency) need a second reviewer's approval. A currency with no
 * limit always needs approval: an unknown currency is no reason to let money through unreviewed.
 */
export type ApprovalLimits = Record<string, number>;

export const DEFAULT_APPROVAL_LIMITS: ApprovalLimits = { USD: 5000, CAD: 5000, EUR: 5000, GBP: 5000 };

export const needsApproval = (amount: Money, limits: ApprovalLimits): boolean => {
  const limit = limits[amount.currency];
  return limit === undefined || amount.amountMinor > limit;
};

export const adjustmentId = (disputeId: string, historyIndex: number) => `adj-${disputeId}-${historyIndex}`;

/** The adjustment a decision makes (the decision stored at `historyIndex` of the dispute's history), or none when it credits nothing. */
export function adjustmentFor(dispute: Pick<Dispute, 'disputeId' | 'accountId' | 'ticketId'>, decision: Decision, historyIndex: number, limits: ApprovalLimits): Adjustment | undefined {
  if (decision.creditAmount.amountMinor <= 0) return undefined;
  const kind: AdjustmentKind = decision.action === 'GOODWILL' ? 'GOODWILL' : decision.outcome === 'PARTIAL_CREDIT' ? 'PARTIAL_CREDIT' : 'CREDIT';
  const automatic = !needsApproval(decision.creditAmount, limits);
  return {
    adjustmentId: adjustmentId(dispute.disputeId, historyIndex),
    disputeId: dispute.disputeId,
    accountId: dispute.accountId,
    ticketId: dispute.ticketId,
    amount: decision.creditAmount,
    kind,
    action: decision.action,
    ...(decision.reason ? { reason: decision.reason } : {}),
    decidedBy: decision.reviewer,
    decidedAt: decision.decidedAt,
    status: automatic ? 'APPROVED' : 'PENDING_APPROVAL',
    ...(automatic ? { approval: { by: 'policy', at: decision.decidedAt, automatic: true } } : {}),
  };
}

/** A second reviewer's approval. The reviewer who decided cannot approve their own credit. */
export function approve(adjustment: Adjustment, reviewer: string, at: string): Adjustment {
  if (adjustment.status !== 'PENDING_APPROVAL') {
    throw new ConflictError('adjustment-status', `adjustment ${adjustment.adjustmentId} is ${adjustment.status}, not waiting for approval`);
  }
  if (reviewer === adjustment.decidedBy) {
    throw new ConflictError('same-reviewer', `${reviewer} decided this credit of ${formatMoney(adjustment.amount.amountMinor, adjustment.amount.currency)}: a second reviewer must approve it`);
  }
  return { ...adjustment, status: 'APPROVED', approval: { by: reviewer, at, automatic: false } };
}

/**
 * The billing system's acknowledgment that the credit is posted. Idempotent: acknowledging a posted adjustment
 * again changes nothing (`changed: false`), so a billing client may retry freely.
 */
export function markPosted(adjustment: Adjustment, by: string, at: string): { adjustment: Adjustment; changed: boolean } {
  if (adjustment.status === 'POSTED') return { adjustment, changed: false };
  if (adjustment.status !== 'APPROVED') throw new ConflictError('adjustment-status', `adjustment ${adjustment.adjustmentId} is ${adjustment.status}: only an approved adjustment can be posted`);
  return { adjustment: { ...adjustment, status: 'POSTED', posted: { by, at } }, changed: true };
}

/** Parses `USD=5000,EUR=4000` (minor units). */
export function parseApprovalLimits(text: string): ApprovalLimits {
  const limits: ApprovalLimits = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Z]{3})=(\d+)$/.exec(part);
    if (!match) throw new ValidationError('ADJUSTMENT_APPROVAL_LIMITS', `"${part}" is not CUR=minor-units, e.g. USD=5000`);
    limits[match[1]!] = Number(match[2]);
  }
  return limits;
}

/** The adjustments a stored change makes: one per DECIDED entry it appended that credits money (none otherwise). */
export function adjustmentsFromChange(before: Pick<Dispute, 'history'> | undefined, after: Pick<Dispute, 'disputeId' | 'accountId' | 'ticketId' | 'history'> | undefined, limits: ApprovalLimits): Adjustment[] {
  if (!after?.history) return [];
  const seen = before?.history?.length ?? 0;
  return after.history.flatMap((entry, index) => {
    if (index < seen || entry.status !== 'DECIDED' || !entry.decision) return [];
    const adjustment = adjustmentFor(after, entry.decision, index, limits);
    return adjustment ? [adjustment] : [];
  });
}
