// The events a ticket tool can subscribe to instead of polling: one per RECOMMENDED and DECIDED transition.
// They are derived from a dispute's stored change (old and new image), so a transition stored is a transition
// published, and a redelivered change yields the same event ids (consumers deduplicate on `eventId`).
import type { Dispute, HistoryEntry } from './dispute';

export const EVENT_SOURCE = 'dispute-pipeline';
export const DETAIL_TYPES = { RECOMMENDED: 'Dispute Recommended', DECIDED: 'Dispute Decided' } as const;

export interface DisputeEvent {
  detailType: (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];
  detail: {
    /** `<disputeId>#<history index>`: stable across redeliveries. */
    eventId: string;
    disputeId: string;
    accountId: string;
    ticketId: string;
    origin: Dispute['origin'];
    status: 'RECOMMENDED' | 'DECIDED';
    at: string;
    by: string;
    /** DECIDED: ACCEPT, OVERRIDE or GOODWILL (also in `decision`), so a subscriber can filter on it. */
    action?: NonNullable<HistoryEntry['decision']>['action'];
    /** RECOMMENDED: outcome, credit, reason codes, policy version. DECIDED: the decision and its difference. */
    recommendation?: HistoryEntry['recommendation'];
    decision?: HistoryEntry['decision'];
    /** Where the whole dispute can be read. */
    href: string;
  };
}

/** The events for the history entries a change appended; none for other changes. */
export function transitionEvents(before: Dispute | undefined, after: Dispute | undefined): DisputeEvent[] {
  if (!after) return [];
  const seen = before?.history.length ?? 0;
  return after.history.flatMap((entry, index) => {
    if (index < seen || (entry.status !== 'RECOMMENDED' && entry.status !== 'DECIDED')) return [];
    return [
      {
        detailType: DETAIL_TYPES[entry.status],
        detail: {
          eventId: `${after.disputeId}#${index}`,
          disputeId: after.disputeId,
          accountId: after.accountId,
          ticketId: after.ticketId,
          origin: after.origin,
          status: entry.status,
          at: entry.at,
          by: entry.by,
          ...(entry.recommendation ? { recommendation: entry.recommendation } : {}),
          ...(entry.decision ? { action: entry.decision.action, decision: entry.decision } : {}),
          href: `/v1/disputes/${after.disputeId}`,
        },
      },
    ];
  });
}
