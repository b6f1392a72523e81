// The webhook routes' operations (ticketing role): a client's own endpoints, their delivery log and re-sends.
// Every operation acts as the caller's subject: another client's endpoint is 404, as if it did not exist.
import { z } from 'zod';
import { CreateEndpointRequest, RollSecretRequest, UpdateEndpointRequest } from '../domain/webhooks/endpoint';
import { changeEndpoint, createEndpoint, deliveriesOf, listEndpoints, readEndpoint, redeliver, removeEndpoint, rollEndpointSecret } from '../use-cases/webhooks/endpoints';
import { type Operation, operation, pageBody, pageCursor, queryInteger } from './operation';
import { json } from './problem';
import { DeliveryId, DeliveryPage, EndpointId, WebhookDelivery, WebhookEndpoint, WebhookEndpointList, WebhookEndpointWithSecret } from './webhook-schemas';

const EndpointPath = z.object({ endpointId: EndpointId });
const DeliveryPath = z.object({ endpointId: EndpointId, deliveryId: DeliveryId });

const endpointExample = {
  endpointId: 'we_01JD3M7Q8R9S0T1V2W3X4Y5Z6A',
  url: 'https://acme.zendesk.com/api/v2/webhooks/disputes',
  enabledEvents: ['dispute.recommended', 'dispute.decided'],
  description: 'Zendesk: update the ticket',
  status: 'ENABLED',
  createdAt: '2026-11-06T15:00:00.000Z',
  updatedAt: '2026-11-06T15:00:00.000Z',
  lastSuccessAt: '2026-11-06T16:20:03.120Z',
};
const secretExample = 'whsec_7d1f0c9b2a8e4f3d6c5b1a0e9f8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d';
const deliveryExample = {
  deliveryId: 'wd_5f0c8e1d2a3b4c5d6e7f8091a2b3c4d5',
  endpointId: endpointExample.endpointId,
  eventId: '01JC2Z8Q6S8W3X4Y5Z6A7B8C9D#2',
  eventType: 'dispute.recommended',
  payload: '{"id":"01JC2Z8Q6S8W3X4Y5Z6A7B8C9D#2","type":"dispute.recommended","createdAt":"2026-11-06T16:20:01.000Z","data":{"disputeId":"01JC2Z8Q6S8W3X4Y5Z6A7B8C9D","…":"…"}}',
  createdAt: '2026-11-06T16:20:02.000Z',
  status: 'DELIVERED',
  attemptCount: 2,
  attempts: [
    { attempt: 1, at: '2026-11-06T16:20:02.100Z', outcome: 'FAILED', latencyMs: 412, responseCode: 503, error: 'HTTP 503: upstream unavailable' },
    { attempt: 2, at: '2026-11-06T16:21:03.000Z', outcome: 'SUCCEEDED', latencyMs: 120, responseCode: 200 },
  ],
  firstAttemptAt: '2026-11-06T16:20:02.100Z',
  deliveredAt: '2026-11-06T16:21:03.000Z',
  generation: 0,
};

const ListQuery = z.object({
  limit: queryInteger(1, 100, 25),
  cursor: pageCursor('opaque, from the previous page'),
});

const SIGNING =
  'Each delivery is a POST of the event (see the `webhooks` of this document) with `Dispute-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>` (a second `v1=` with the previous secret during a roll), `Dispute-Event-Id` (the same on every retry and re-send: de-duplicate on it) and `Dispute-Delivery-Id`.';

export const WEBHOOK_OPERATIONS: Record<string, Operation> = {
  'POST /v1/webhook-endpoints': operation({
    operationId: 'createWebhookEndpoint',
    summary: 'Register a webhook endpoint; its signing secret is in this answer only',
    description: `${SIGNING} The URL must be https:// (locally, http:// to 127.0.0.1 or localhost too). A client may have 16 endpoints (409 beyond). Answer 2xx within 10 s; anything else is retried with exponential backoff and jitter for up to 72 hours, and an endpoint failing for 3 days without a success is disabled (\`disabledReason\`).`,
    body: { schema: CreateEndpointRequest, example: { url: endpointExample.url, enabledEvents: endpointExample.enabledEvents, description: endpointExample.description } },
    responses: { 201: { description: 'created, with its secret', schema: WebhookEndpointWithSecret, example: { ...endpointExample, lastSuccessAt: undefined, secret: secretExample } } },
    problems: [409, 413, 415],
    run: async ({ body, caller }) => json(201, await createEndpoint(caller.subject, body, new Date())),
  }),

  'GET /v1/webhook-endpoints': operation({
    operationId: 'listWebhookEndpoints',
    summary: "The caller's webhook endpoints",
    description: 'Only the endpoints the caller registered, oldest first, with their status (and why one is disabled) and their last success or failure; never a secret.',
    responses: { 200: { description: 'oldest first', schema: WebhookEndpointList, example: { items: [endpointExample] } } },
    problems: [],
    run: async ({ caller }) => json(200, { items: await listEndpoints(caller.subject, new Date()) }),
  }),

  'GET /v1/webhook-endpoints/{endpointId}': operation({
    operationId: 'getWebhookEndpoint',
    summary: 'A webhook endpoint, with why it is disabled if it is',
    description: "The caller's endpoint: its URL, events, status, `disabledReason`, the failing streak (`failingSince`) and the last success. Another client's endpoint is 404.",
    path: EndpointPath,
    responses: { 200: { description: 'the endpoint (never its secret)', schema: WebhookEndpoint, example: endpointExample } },
    problems: [404],
    run: async ({ path, caller }) => json(200, await readEndpoint(caller.subject, path.endpointId, new Date())),
  }),

  'PATCH /v1/webhook-endpoints/{endpointId}': operation({
    operationId: 'updateWebhookEndpoint',
    summary: 'Change the URL, the events or the description; disable or enable it',
    description: '`disabled: true` stops deliveries (those still pending are cancelled) and records who disabled it; `disabled: false` enables it again and clears the failing streak.',
    path: EndpointPath,
    body: { schema: UpdateEndpointRequest, example: { enabledEvents: ['dispute.decided', 'dispute.overdue'], disabled: false } },
    responses: { 200: { description: 'the endpoint as changed', schema: WebhookEndpoint, example: { ...endpointExample, enabledEvents: ['dispute.decided', 'dispute.overdue'] } } },
    problems: [404, 413, 415],
    run: async ({ path, body, caller }) => json(200, await changeEndpoint(caller.subject, path.endpointId, body, new Date())),
  }),

  'DELETE /v1/webhook-endpoints/{endpointId}': operation({
    operationId: 'deleteWebhookEndpoint',
    summary: 'Delete a webhook endpoint; nothing more is delivered to it',
    description: 'Deliveries still pending are cancelled; the delivery log expires with its deliveries (30 days). Another client\'s endpoint is 404.',
    path: EndpointPath,
    responses: { 204: { description: 'deleted', schema: z.null(), example: null } },
    problems: [404],
    run: async ({ path, caller }) => {
      await removeEndpoint(caller.subject, path.endpointId);
      return { statusCode: 204, headers: {}, body: '' };
    },
  }),

  'POST /v1/webhook-endpoints/{endpointId}/roll-secret': operation({
    operationId: 'rollWebhookSecret',
    summary: 'A new signing secret, shown once; the previous one keeps signing beside it for `overlapHours`',
    description: 'During the overlap (default 24 h, 0 to stop at once) each delivery carries two `v1=` signatures: switch the receiver to the new secret, then let the old one expire.',
    path: EndpointPath,
    body: { schema: RollSecretRequest, example: { overlapHours: 24 }, optional: true },
    responses: { 200: { description: 'the endpoint with its new secret', schema: WebhookEndpointWithSecret, example: { ...endpointExample, previousSecretExpiresAt: '2026-11-07T15:00:00.000Z', secret: secretExample } } },
    problems: [404, 413, 415],
    run: async ({ path, body, caller }) => json(200, await rollEndpointSecret(caller.subject, path.endpointId, body.overlapHours ?? 24, new Date())),
  }),

  'GET /v1/webhook-endpoints/{endpointId}/deliveries': operation({
    operationId: 'listWebhookDeliveries',
    summary: "The endpoint's delivery log: each delivery with its attempts (status, latency, response code, error)",
    description: 'Newest first, up to `limit` (1-100, default 25) per page; pass `cursor` back for the next. Deliveries are kept 30 days, each with its last 20 attempts.',
    path: EndpointPath,
    query: ListQuery,
    responses: { 200: { description: 'one page', schema: DeliveryPage, example: { items: [deliveryExample] } } },
    problems: [404],
    run: async ({ path, query, caller }) => {
      const page = await deliveriesOf(caller.subject, path.endpointId, query.limit, query.cursor);
      return json(200, pageBody(page));
    },
  }),

  'POST /v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/redeliver': operation({
    operationId: 'redeliverWebhook',
    summary: 'Send a delivery again, with the same event and `Dispute-Event-Id`',
    description: 'Whatever its status: it is PENDING again and retried as a new delivery would be. 409 while the endpoint is disabled.',
    path: DeliveryPath,
    responses: { 202: { description: 'queued', schema: WebhookDelivery, example: { ...deliveryExample, status: 'PENDING', deliveredAt: undefined, generation: 1, redelivered: { by: 'ticket-tool', at: '2026-11-06T17:00:00.000Z' } } } },
    problems: [404, 409],
    run: async ({ path, caller }) => json(202, await redeliver(caller.subject, path.endpointId, path.deliveryId, new Date())),
  }),
};
