// The events due dates and adjustments add to the pipeline's event flow (the bus in AWS, the events queue locally),
// beside Dispute Recommended / Decided: each is derived from a stored change (old and new image), so a change stored
// is an event published, and a redelivered change yields the same `eventId`. The envelope's detail is the webhook
// event flattened (`eventId`, `at`, then its data), so the webhook deliveries rebuild it with `webhookEventOf`.
import type { Dispute } from '../disputes/dispute';
import type { DueDateFields } from '../disputes/due-date';
import { type DisputeEvent, DETAIL_TYPES } from '../disputes/events';
import { type WebhookEvent, type WebhookEventType, adjustmentEvent, fromDisputeEvent, overdueEvent } from '../webhooks/events';
import type { Adjustment } from './adjustment';

export const PIPELINE_DETAIL_TYPES = {
  'dispute.overdue': 'Dispute Overdue',
  'adjustment.approved': 'Adjustment Approved',
  'adjustment.posted': 'Adjustment Posted',
} as const satisfies Partial<Record<WebhookEventType, string>>;

/** An event on the pipeline's flow: what lib/adapters/events.ts publishes. */
export interface PipelineEvent {
  detailType: string;
  detail: { eventId: string; at: string; [field: string]: unknown };
}

/** A webhook event of this feature as the pipeline publishes it. */
export function toPipelineEvent(event: WebhookEvent): PipelineEvent {
  const detailType = PIPELINE_DETAIL_TYPES[event.type as keyof typeof PIPELINE_DETAIL_TYPES];
  return { detailType, detail: { eventId: event.id, at: event.createdAt, ...event.data } };
}

/** The webhook event a published envelope carries, whatever its type; undefined for a detail type it does not know. */
export function webhookEventOf(detailType: string, detail: Record<string, unknown>): WebhookEvent | undefined {
  if (detailType === DETAIL_TYPES.RECOMMENDED || detailType === DETAIL_TYPES.DECIDED) return fromDisputeEvent({ detailType, detail } as DisputeEvent);
  const type = (Object.entries(PIPELINE_DETAIL_TYPES) as [WebhookEventType, string][]).find(([, name]) => name === detailType)?.[0];
  if (!type) return undefined;
  const { eventId, at, ...data } = detail;
  return { id: String(eventId), type, createdAt: String(at), data };
}

type StoredDispute = Dispute & Partial<DueDateFields>;

/** `dispute.overdue` when a change set the overdue mark (the sweep's conditional write, made once per dispute). */
export function overdueEvents(before: StoredDispute | undefined, after: StoredDispute | undefined): PipelineEvent[] {
  if (!after?.overdueAt || before?.overdueAt || !after.dueBy) return [];
  return [toPipelineEvent(overdueEvent({ ...after, dueBy: after.dueBy }))];
}

/** `adjustment.approved` / `adjustment.posted` when a change brought an adjustment to that status. */
export function adjustmentEvents(before: Adjustment | undefined, after: Adjustment | undefined): PipelineEvent[] {
  if (!after || before?.status === after.status) return [];
  const event = adjustmentEvent(after);
  return event ? [toPipelineEvent(event)] : [];
}
