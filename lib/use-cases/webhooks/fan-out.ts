// One published event → one delivery per enabled endpoint that wants it. The delivery id is a hash of the event id
// and the endpoint id, so an event fanned out twice (the bus and the queue are at least once) is stored once, and
// its queue message is sent again only while it has not been attempted.
import { createHash } from 'node:crypto';
import type { WebhookDelivery } from '../../domain/webhooks/delivery';
import { webhookEventOf } from '../../domain/adjustments/pipeline-events';
import { type WebhookEvent, wants } from '../../domain/webhooks/events';
import { enqueueBatch } from '../../adapters/queues';
import { createDelivery, listEnabledEndpoints } from '../../adapters/webhook-store';
import type { DeliveryMessage } from './endpoints';

/** `wd_` and 32 hex digits of SHA-256 over the event id and the endpoint id. */
export const deliveryIdOf = (eventId: string, endpointId: string): string => `wd_${createHash('sha256').update(`${eventId}\n${endpointId}`).digest('hex').slice(0, 32)}`;

/** The envelope the bus delivers (EventBridge → SQS) and the local publisher sends: the same fields. */
export interface BusEnvelope {
  'detail-type'?: unknown;
  detail?: unknown;
}

export interface FanOutResult {
  event?: { id: string; type: string };
  /** Deliveries made (or found not yet attempted) and queued. */
  queued: number;
  /** Endpoints that had this delivery already under way or done. */
  alreadyDone: number;
}

export async function fanOut(envelope: BusEnvelope, now: Date): Promise<FanOutResult> {
  const detail = envelope.detail as Record<string, unknown> | null | undefined;
  // Every event of the flow names itself (`eventId`); anything else on the bus is no webhook event.
  const event: WebhookEvent | undefined =
    typeof envelope['detail-type'] === 'string' && typeof detail === 'object' && detail !== null && typeof detail.eventId === 'string' ? webhookEventOf(envelope['detail-type'], detail) : undefined;
  if (!event) return { queued: 0, alreadyDone: 0 };
  const endpoints = (await listEnabledEndpoints()).filter((e) => wants(e.enabledEvents, event.type));
  const payload = JSON.stringify(event);
  const messages: string[] = [];
  let alreadyDone = 0;
  for (const endpoint of endpoints) {
    const fresh: WebhookDelivery = {
      deliveryId: deliveryIdOf(event.id, endpoint.endpointId),
      endpointId: endpoint.endpointId,
      eventId: event.id,
      eventType: event.type,
      payload,
      createdAt: now.toISOString(),
      status: 'PENDING',
      attemptCount: 0,
      attempts: [],
      generation: 0,
    };
    const { delivery, created } = await createDelivery(fresh);
    // Found: an earlier fan-out of this event stored it, and may have failed before queueing it.
    if (!created && (delivery.attemptCount > 0 || delivery.status !== 'PENDING' || delivery.generation > 0)) {
      alreadyDone += 1;
      continue;
    }
    messages.push(JSON.stringify({ deliveryId: delivery.deliveryId, generation: delivery.generation } satisfies DeliveryMessage));
  }
  for (let i = 0; i < messages.length; i += 10) await enqueueBatch('webhookDeliveries', messages.slice(i, i + 10));
  return { event: { id: event.id, type: event.type }, queued: messages.length, alreadyDone };
}
