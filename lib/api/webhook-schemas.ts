// The webhook routes' shapes and the events themselves (the OpenAPI 3.1 `webhooks`): zod schemas kept equal to the
// domain types at compile time. No event carries a phone number: a receiver reads the dispute through the API.
import { z } from 'zod';
import { Instant, Money } from '../domain/cdr';
import type * as adjustments from '../domain/adjustments/adjustment';
import { ADJUSTMENT_KINDS, ADJUSTMENT_STATUSES } from '../domain/adjustments/adjustment';
import { DECISION_ACTIONS, DISPUTE_STATUSES } from '../domain/disputes/dispute';
import type * as delivery from '../domain/webhooks/delivery';
import { DELIVERY_STATUSES } from '../domain/webhooks/delivery';
import type { EndpointView } from '../domain/webhooks/endpoint';
import { WEBHOOK_EVENT_TYPES } from '../domain/webhooks/events';
import { Decision, HistoryEntry } from './schemas';

export const EndpointId = z.string().regex(/^we_[0-9A-Z]{26}$/, 'must be a webhook endpoint id: we_ and 26 characters 0-9, A-Z').meta({ example: 'we_01JD3M7Q8R9S0T1V2W3X4Y5Z6A' });
export const DeliveryId = z.string().regex(/^wd_[0-9a-f]{32}$/, 'must be a delivery id: wd_ and 32 hex digits').meta({ example: 'wd_5f0c8e1d2a3b4c5d6e7f8091a2b3c4d5' });
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES).meta({ id: 'WebhookEventType' });

export const WebhookEndpoint = z
  .object({
    endpointId: EndpointId,
    url: z.string().describe('where deliveries are POSTed'),
    enabledEvents: z.array(z.string()).describe('the event types it receives'),
    description: z.string().optional(),
    status: z.enum(['ENABLED', 'DISABLED']),
    disabledReason: z.string().optional().describe('why it is DISABLED: by its owner, or after failing for three days without a success'),
    disabledAt: Instant.optional(),
    createdAt: Instant,
    updatedAt: Instant,
    failingSince: Instant.optional().describe('the first failed attempt since the last success, while failing'),
    lastFailureAt: Instant.optional(),
    lastSuccessAt: Instant.optional(),
    previousSecretExpiresAt: Instant.optional().describe('after a roll: until then deliveries carry a second `v1=` signed with the previous secret'),
  })
  .meta({ id: 'WebhookEndpoint', description: 'A webhook endpoint as its owner reads it: never its secret.' });

export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z.string().regex(/^whsec_[0-9a-f]{64}$/).describe('the signing secret: shown in this answer only (at creation and on a roll); keep it, it cannot be read again'),
}).meta({ id: 'WebhookEndpointWithSecret' });

export const WebhookEndpointList = z.object({ items: z.array(WebhookEndpoint).describe('oldest first') }).meta({ id: 'WebhookEndpointList' });

export const DeliveryAttempt = z
  .object({
    attempt: z.number().int().min(1),
    at: Instant,
    outcome: z.enum(['SUCCEEDED', 'FAILED']).describe('SUCCEEDED: a 2xx answer within the timeout'),
    latencyMs: z.number().int().describe('from the request to the answer (or the failure)'),
    responseCode: z.number().int().optional().describe("the receiver's HTTP status, when it answered"),
    error: z.string().optional().describe('why it failed: timeout, connection refused, or the start of a non-2xx body'),
    manual: z.boolean().optional().describe('made by a re-send'),
  })
  .meta({ id: 'DeliveryAttempt' });

export const WebhookDelivery = z
  .object({
    deliveryId: DeliveryId,
    endpointId: EndpointId,
    eventId: z.string().describe('the `Dispute-Event-Id`: the same on every attempt and re-send'),
    eventType: WebhookEventType,
    payload: z.string().describe('the exact body every attempt sends'),
    createdAt: Instant,
    status: z.enum(DELIVERY_STATUSES).describe('PENDING until an attempt succeeds (DELIVERED), 72 h of retries pass (FAILED) or the endpoint is disabled or deleted first (CANCELLED)'),
    attemptCount: z.number().int().min(0),
    attempts: z.array(DeliveryAttempt).describe(`the last ${20} attempts, oldest first`),
    firstAttemptAt: Instant.optional(),
    nextAttemptAt: Instant.optional().describe('PENDING: when the next attempt is due'),
    deliveredAt: Instant.optional(),
    reason: z.string().optional().describe('why it is FAILED or CANCELLED'),
    generation: z.number().int().min(0).describe('how many times it was re-sent'),
    redelivered: z.object({ by: z.string(), at: Instant }).optional().describe('the last re-send'),
  })
  .meta({ id: 'WebhookDelivery' });

export const DeliveryPage = z
  .object({ items: z.array(WebhookDelivery).describe('newest first'), cursor: z.string().optional().describe('opaque; pass it back as ?cursor= for the next page; absent on the last page') })
  .meta({ id: 'WebhookDeliveryPage' });

// --- The events (OpenAPI `webhooks`) -----------------------------------------------------------------------------

const href = z.string().describe('where the whole resource is read with the API');
const disputeFields = {
  disputeId: z.string(),
  accountId: z.string(),
  ticketId: z.string().describe("the ticket tool's own id for the dispute"),
  origin: z.enum(['TICKET', 'AUDIT']),
  href,
};

const envelope = <T extends string, D extends z.ZodType>(type: T, data: D, description: string) =>
  z
    .object({
      id: z.string().describe('stable across retries and re-sends (also the `Dispute-Event-Id` header): de-duplicate on it'),
      type: z.literal(type),
      createdAt: Instant.describe('when what the event reports happened'),
      data,
    })
    .meta({ id: `WebhookEvent_${type.replace('.', '_')}`, description });

const RecommendationSummary = HistoryEntry.shape.recommendation.unwrap();

export const AdjustmentData = z
  .object({
    adjustmentId: z.string().describe("`adj-<disputeId>-<history index>`: the billing system's idempotency key"),
    disputeId: z.string(),
    accountId: z.string(),
    ticketId: z.string(),
    amount: Money,
    kind: z.enum(ADJUSTMENT_KINDS),
    action: z.enum(DECISION_ACTIONS),
    reason: z.string().optional(),
    decidedBy: z.string(),
    decidedAt: Instant,
    status: z.enum(ADJUSTMENT_STATUSES),
    approval: z.object({ by: z.string(), at: Instant, automatic: z.boolean() }).optional(),
    posted: z.object({ by: z.string(), at: Instant }).optional(),
    href,
  })
  .meta({ id: 'AdjustmentEventData' });

export const WEBHOOK_EVENT_SCHEMAS = {
  'dispute.recommended': envelope(
    'dispute.recommended',
    z.object({ ...disputeFields, status: z.literal('RECOMMENDED'), by: z.string(), recommendation: RecommendationSummary }),
    'A dispute has its recommendation (each re-investigation sends another, with its own id).',
  ),
  'dispute.decided': envelope('dispute.decided', z.object({ ...disputeFields, status: z.literal('DECIDED'), by: z.string().describe('the reviewer'), decision: Decision }), 'A reviewer decided the dispute.'),
  'dispute.overdue': envelope(
    'dispute.overdue',
    z.object({ ...disputeFields, status: z.enum(DISPUTE_STATUSES).describe('undecided'), dueBy: Instant }),
    'The dispute passed its due date undecided: sent once per dispute.',
  ),
  'adjustment.approved': envelope('adjustment.approved', AdjustmentData, 'A credit is approved (at once below the approval limit, else by a second reviewer) and waits to be posted by billing.'),
  'adjustment.posted': envelope('adjustment.posted', AdjustmentData, 'The billing system acknowledged the credit as posted.'),
} as const;

// Compile-time equality with the domain.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const check = <T extends true>(_: T) => undefined;
check<Same<z.infer<typeof DeliveryAttempt>, delivery.DeliveryAttempt>>(true);
check<Same<Omit<z.infer<typeof WebhookDelivery>, 'eventType'>, Omit<delivery.WebhookDelivery, 'eventType'>>>(true);
check<Same<Omit<z.infer<typeof AdjustmentData>, 'href'>, adjustments.Adjustment>>(true);
check<Same<z.infer<typeof WebhookEndpoint>, EndpointView>>(true);

const DeliveryHeaders = z.object({
  'Dispute-Signature': z
    .string()
    .meta({
      description:
        't=<unix seconds>,v1=<lowercase hex HMAC-SHA256 of "<t>.<raw body>" with the endpoint secret> (during a secret roll a second v1= with the previous secret). Verify any one v1 with a constant-time comparison and refuse a t more than 5 minutes from your clock.',
      example: 't=1762446002,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
    }),
  'Dispute-Event-Id': z.string().meta({ description: 'the event id: the same on every retry and re-send; de-duplicate on it', example: '01JC2Z8Q6S8W3X4Y5Z6A7B8C9D#2' }),
  'Dispute-Delivery-Id': z.string().meta({ description: 'this event to this endpoint (the delivery log names it)', example: 'wd_5f0c8e1d2a3b4c5d6e7f8091a2b3c4d5' }),
});

const camel = (type: string) => type.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase());

/** The OpenAPI 3.1 `webhooks`: one POST per event type, what an endpoint receives. */
export function webhooksDocument() {
  return Object.fromEntries(
    Object.entries(WEBHOOK_EVENT_SCHEMAS).map(([type, schema]) => [
      type,
      {
        post: {
          operationId: `${camel(type)}Event`,
          tags: ['Webhooks'],
          summary: `${type}: ${schema.meta()?.description ?? ''}`,
          description: 'POSTed to each enabled endpoint subscribed to this type. Answer 2xx within 10 s; anything else (or no answer) is retried with exponential backoff and jitter for up to 72 hours.',
          security: [],
          requestParams: { header: DeliveryHeaders },
          requestBody: { required: true, content: { 'application/json': { schema } } },
          responses: {
            '200': { description: 'any 2xx: delivered' },
            '500': { description: 'anything else, a timeout or a refused connection: retried' },
          },
        },
      },
    ]),
  );
}
