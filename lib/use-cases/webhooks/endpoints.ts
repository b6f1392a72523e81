// A client's webhook endpoints: register, read, change, disable, delete, roll the secret, read the delivery log and
// re-send a delivery. Everything is by owner: another client's endpoint answers as if it did not exist (404), so
// endpoint ids cannot be probed.
import { ulid } from 'ulid';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors';
import type { WebhookDelivery } from '../../domain/webhooks/delivery';
import {
  type CreateEndpointRequest,
  type EndpointView,
  MAX_ENDPOINTS_PER_OWNER,
  type UpdateEndpointRequest,
  type WebhookEndpoint,
  endpointView,
  rollSecrets,
} from '../../domain/webhooks/endpoint';
import { enqueue } from '../../adapters/queues';
import {
  deleteEndpoint,
  getEndpoint,
  listDeliveries,
  listEndpointsOf,
  putEndpoint,
  resetForRedelivery,
  updateEndpoint,
} from '../../adapters/webhook-store';
import { newSecret } from '../../adapters/webhook-sender';
import type { Page } from '../../adapters/dispute-reads';
import { webhooksAllowLoopback } from '../../config';

/** What a queue message of webhook-deliveries says: which delivery, in which generation (re-sends raise it). */
export interface DeliveryMessage {
  deliveryId: string;
  generation: number;
}

const notFound = (endpointId: string) => new NotFoundError(`webhook endpoint ${endpointId} does not exist`);

/** In AWS only https:// (a loopback URL would reach the Lambda runtime's own API). */
function checkUrl(url: string | undefined): void {
  if (url !== undefined && !url.startsWith('https://') && !webhooksAllowLoopback()) throw new ValidationError('body.url', 'must be https://');
}

async function owned(owner: string, endpointId: string): Promise<WebhookEndpoint> {
  const endpoint = await getEndpoint(endpointId);
  if (!endpoint || endpoint.owner !== owner) throw notFound(endpointId);
  return endpoint;
}

/** A new endpoint, enabled; its secret is in this answer and never again (until a roll). */
export async function createEndpoint(owner: string, request: CreateEndpointRequest, now: Date): Promise<EndpointView & { secret: string }> {
  checkUrl(request.url);
  const existing = await listEndpointsOf(owner);
  if (existing.length >= MAX_ENDPOINTS_PER_OWNER) {
    throw new ConflictError('status-conflict', `a client may have ${MAX_ENDPOINTS_PER_OWNER} webhook endpoints; delete one first`);
  }
  const at = now.toISOString();
  const secret = newSecret();
  const endpoint: WebhookEndpoint = {
    endpointId: `we_${ulid(now.getTime())}`,
    owner,
    url: request.url,
    enabledEvents: [...new Set(request.enabledEvents)],
    ...(request.description !== undefined ? { description: request.description } : {}),
    status: 'ENABLED',
    secrets: [{ secret, createdAt: at }],
    createdAt: at,
    updatedAt: at,
  };
  await putEndpoint(endpoint);
  return { ...endpointView(endpoint, now), secret };
}

export async function listEndpoints(owner: string, now: Date): Promise<EndpointView[]> {
  return (await listEndpointsOf(owner)).map((e) => endpointView(e, now));
}

export async function readEndpoint(owner: string, endpointId: string, now: Date): Promise<EndpointView> {
  return endpointView(await owned(owner, endpointId), now);
}

/**
 * Changes URL, events, description, or enables/disables. Disabling by hand says so in `disabledReason`; enabling
 * starts afresh: the failing streak and the reason are cleared.
 */
export async function changeEndpoint(owner: string, endpointId: string, request: UpdateEndpointRequest, now: Date): Promise<EndpointView> {
  checkUrl(request.url);
  const at = now.toISOString();
  const { disabled, enabledEvents, ...rest } = request;
  const fields: Partial<Record<keyof WebhookEndpoint | 'disabledAt', unknown>> = { ...rest, ...(enabledEvents ? { enabledEvents: [...new Set(enabledEvents)] } : {}), updatedAt: at };
  if (disabled === true) Object.assign(fields, { status: 'DISABLED', disabledReason: `disabled by ${owner}`, disabledAt: at });
  if (disabled === false) Object.assign(fields, { status: 'ENABLED', disabledReason: undefined, disabledAt: undefined, failingSince: undefined });
  const updated = await updateEndpoint(endpointId, owner, fields);
  if (!updated) throw notFound(endpointId);
  return endpointView(updated, now);
}

export async function removeEndpoint(owner: string, endpointId: string): Promise<void> {
  if (!(await deleteEndpoint(endpointId, owner))) throw notFound(endpointId);
}

/** A new secret, returned once; the current one keeps signing beside it for `overlapHours`. */
export async function rollEndpointSecret(owner: string, endpointId: string, overlapHours: number, now: Date): Promise<EndpointView & { secret: string }> {
  const endpoint = await owned(owner, endpointId);
  const secret = newSecret();
  const updated = await updateEndpoint(endpointId, owner, { secrets: rollSecrets(endpoint.secrets, secret, now, overlapHours), updatedAt: now.toISOString() });
  if (!updated) throw notFound(endpointId);
  return { ...endpointView(updated, now), secret };
}

export async function deliveriesOf(owner: string, endpointId: string, limit: number, cursor: string | undefined): Promise<Page<WebhookDelivery>> {
  await owned(owner, endpointId);
  return listDeliveries(endpointId, limit, cursor);
}

/**
 * Sends a delivery again, with the same event (the same `Dispute-Event-Id`), whatever its status: PENDING again in a
 * new generation, with a new retry window. Refused while the endpoint is disabled: enable it first.
 */
export async function redeliver(owner: string, endpointId: string, deliveryId: string, now: Date): Promise<WebhookDelivery> {
  const endpoint = await owned(owner, endpointId);
  if (endpoint.status !== 'ENABLED') throw new ConflictError('status-conflict', `webhook endpoint ${endpointId} is disabled: enable it before re-sending`);
  const delivery = await resetForRedelivery(deliveryId, endpointId, owner, now.toISOString());
  if (!delivery) throw new NotFoundError(`delivery ${deliveryId} of webhook endpoint ${endpointId} does not exist`);
  await enqueue('webhookDeliveries', { deliveryId, generation: delivery.generation } satisfies DeliveryMessage);
  return delivery;
}
