// The events a ticket tool or billing system can receive by webhook (PRODUCT.md §5). Each has an id that stays the
// same however often it is produced or delivered, so a receiver de-duplicates on it. No phone number is carried:
// a receiver that needs the calls reads the dispute through the API, with its own credentials.
import type { Adjustment } from '../adjustments/adjustment';
import type { Dispute } from '../disputes/dispute';
import type { DisputeEvent } from '../disputes/events';

export const WEBHOOK_EVENT_TYPES = ['dispute.recommended', 'dispute.decided', 'dispute.overdue', 'adjustment.approved', 'adjustment.posted'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookEvent<T extends WebhookEventType = WebhookEventType, D = Record<string, unknown>> {
  /** Stable across retries and re-sends: the receiver's de-duplication key (also the `Dispute-Event-Id` header). */
  id: string;
  type: T;
  /** When what the event reports happened, ISO-8601 UTC. */
  createdAt: string;
  data: D;
}

/** A dispute's RECOMMENDED or DECIDED transition as a webhook event. */
export function fromDisputeEvent(event: DisputeEvent): WebhookEvent {
  const { detail } = event;
  return {
    id: detail.eventId,
    type: detail.status === 'RECOMMENDED' ? 'dispute.recommended' : 'dispute.decided',
    createdAt: detail.at,
    data: {
      disputeId: detail.disputeId,
      accountId: detail.accountId,
      ticketId: detail.ticketId,
      origin: detail.origin,
      status: detail.status,
      by: detail.by,
      ...(detail.recommendation ? { recommendation: detail.recommendation } : {}),
      ...(detail.decision ? { decision: detail.decision } : {}),
      href: detail.href,
    },
  };
}

/** Fired once, when a dispute passes its due date undecided. */
export const overdueEvent = (dispute: Pick<Dispute, 'disputeId' | 'accountId' | 'ticketId' | 'origin' | 'status'> & { dueBy: string }): WebhookEvent => ({
  id: `${dispute.disputeId}#overdue`,
  type: 'dispute.overdue',
  createdAt: dispute.dueBy,
  data: { disputeId: dispute.disputeId, accountId: dispute.accountId, ticketId: dispute.ticketId, origin: dispute.origin, status: dispute.status, dueBy: dispute.dueBy, href: `/v1/disputes/${dispute.disputeId}` },
});

/** An adjustment reaching APPROVED or POSTED. */
export function adjustmentEvent(adjustment: Adjustment): WebhookEvent | undefined {
  const at = adjustment.status === 'POSTED' ? adjustment.posted?.at : adjustment.status === 'APPROVED' ? adjustment.approval?.at : undefined;
  if (at === undefined) return undefined;
  const type = adjustment.status === 'POSTED' ? 'adjustment.posted' : 'adjustment.approved';
  return { id: `${adjustment.adjustmentId}#${adjustment.status.toLowerCase()}`, type, createdAt: at, data: { ...adjustment, href: `/v1/adjustments/${adjustment.adjustmentId}` } };
}

/** Whether an endpoint subscribed to these types receives this event. */
export const wants = (enabledEvents: readonly string[], type: WebhookEventType): boolean => enabledEvents.includes(type) || enabledEvents.includes('*');

