// Webhook endpoints and deliveries in DynamoDB. An endpoint is read and changed only with its owner in the condition,
// so a client never touches another's; a delivery is created once (conditional put on its stable id) and each
// attempt is recorded against the attempt count it read, so two workers cannot both write the same attempt.
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryAttempt, WebhookDelivery } from '../domain/webhooks/delivery';
import { DELIVERY_RETENTION_DAYS } from '../domain/webhooks/delivery';
import type { WebhookEndpoint } from '../domain/webhooks/endpoint';
import { ValidationError } from '../domain/errors';
import { documentClient, queryAll, tableName } from './aws';
import { type Page, decodeCursor } from './dispute-reads';

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';
const encodeCursor = (key: Record<string, unknown> | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined);

/** `SET a = :a, …` and `REMOVE b, …` for the fields given (undefined removes), names and values escaped. */
function updateOf(fields: Record<string, unknown>, prefix = 'f') {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const set: string[] = [];
  const remove: string[] = [];
  Object.entries(fields).forEach(([field, value], i) => {
    names[`#${prefix}${i}`] = field;
    if (value === undefined) remove.push(`#${prefix}${i}`);
    else {
      values[`:${prefix}${i}`] = value;
      set.push(`#${prefix}${i} = :${prefix}${i}`);
    }
  });
  const expression = [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : ''].filter(Boolean).join(' ');
  return { expression, names, values };
}

// --- Endpoints ---------------------------------------------------------------------------------------------------

export async function putEndpoint(endpoint: WebhookEndpoint): Promise<void> {
  await documentClient().send(new PutCommand({ TableName: tableName('webhookEndpoints'), Item: endpoint, ConditionExpression: 'attribute_not_exists(endpointId)' }));
}

export async function getEndpoint(endpointId: string): Promise<WebhookEndpoint | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName('webhookEndpoints'), Key: { endpointId }, ConsistentRead: true }));
  return out.Item as WebhookEndpoint | undefined;
}

/** A client's endpoints, oldest first. */
export async function listEndpointsOf(owner: string): Promise<WebhookEndpoint[]> {
  const items = await queryAll({ TableName: tableName('webhookEndpoints'), IndexName: 'byOwner', KeyConditionExpression: '#owner = :o', ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':o': owner } });
  return items as unknown as WebhookEndpoint[];
}

/** Every enabled endpoint: whom the fan-out considers for an event. */
export async function listEnabledEndpoints(): Promise<WebhookEndpoint[]> {
  const items = await queryAll({ TableName: tableName('webhookEndpoints'), IndexName: 'byStatus', KeyConditionExpression: '#status = :s', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':s': 'ENABLED' } });
  return items as unknown as WebhookEndpoint[];
}

/** Changes the owner's endpoint (fields set to undefined are removed); undefined when it is not theirs or gone. */
export async function updateEndpoint(endpointId: string, owner: string, fields: Partial<Record<keyof WebhookEndpoint, unknown>>): Promise<WebhookEndpoint | undefined> {
  const { expression, names, values } = updateOf(fields);
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: tableName('webhookEndpoints'),
        Key: { endpointId },
        UpdateExpression: expression,
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { ...names, '#owner': 'owner' },
        ExpressionAttributeValues: { ...values, ':owner': owner },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes as WebhookEndpoint;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Deletes the owner's endpoint; false when it is not theirs or gone. Its deliveries expire with their TTL. */
export async function deleteEndpoint(endpointId: string, owner: string): Promise<boolean> {
  try {
    await documentClient().send(
      new DeleteCommand({ TableName: tableName('webhookEndpoints'), Key: { endpointId }, ConditionExpression: '#owner = :owner', ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':owner': owner } }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * An attempt's effect on its endpoint: a success clears the failing streak; a failure starts one (if none) and
 * returns the endpoint as it is now, so the caller can tell whether it has failed long enough to be disabled.
 */
export async function recordEndpointOutcome(endpointId: string, succeeded: boolean, at: string): Promise<WebhookEndpoint | undefined> {
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: tableName('webhookEndpoints'),
        Key: { endpointId },
        UpdateExpression: succeeded ? 'SET lastSuccessAt = :at REMOVE failingSince' : 'SET failingSince = if_not_exists(failingSince, :at), lastFailureAt = :at',
        ConditionExpression: 'attribute_exists(endpointId)',
        ExpressionAttributeValues: { ':at': at },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes as WebhookEndpoint;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Disables an endpoint that is still enabled, with the reason its owner reads. */
export async function disableFailingEndpoint(endpointId: string, reason: string, at: string): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('webhookEndpoints'),
        Key: { endpointId },
        UpdateExpression: 'SET #status = :disabled, disabledReason = :reason, disabledAt = :at, updatedAt = :at',
        ConditionExpression: '#status = :enabled',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':disabled': 'DISABLED', ':enabled': 'ENABLED', ':reason': reason, ':at': at },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

// --- Deliveries --------------------------------------------------------------------------------------------------

const expiresAt = (createdAt: string) => Math.floor(Date.parse(createdAt) / 1000) + DELIVERY_RETENTION_DAYS * 86_400;

/** Stores a new delivery; when one with its id exists (the event fanned out again), returns that one instead. */
export async function createDelivery(delivery: WebhookDelivery): Promise<{ delivery: WebhookDelivery; created: boolean }> {
  try {
    await documentClient().send(
      new PutCommand({ TableName: tableName('webhookDeliveries'), Item: { ...delivery, expiresAt: expiresAt(delivery.createdAt) }, ConditionExpression: 'attribute_not_exists(deliveryId)' }),
    );
    return { delivery, created: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const existing = await getDelivery(delivery.deliveryId);
    if (!existing) throw error;
    return { delivery: existing, created: false };
  }
}

export async function getDelivery(deliveryId: string): Promise<WebhookDelivery | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName('webhookDeliveries'), Key: { deliveryId }, ConsistentRead: true }));
  if (!out.Item) return undefined;
  const { expiresAt: _ttl, inFlightUntil: _lease, ...delivery } = out.Item;
  return delivery as WebhookDelivery;
}

/**
 * Takes a PENDING delivery of this generation for one attempt, for `leaseMs`: a second message for the same delivery
 * (a fan-out retried after sending) does not attempt it at the same time. False when it is not to be attempted.
 */
export async function claimDelivery(deliveryId: string, generation: number, now: Date, leaseMs: number): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('webhookDeliveries'),
        Key: { deliveryId },
        UpdateExpression: 'SET inFlightUntil = :until',
        ConditionExpression: '#status = :pending AND generation = :g AND (attribute_not_exists(inFlightUntil) OR inFlightUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'PENDING', ':g': generation, ':now': now.toISOString(), ':until': new Date(now.getTime() + leaseMs).toISOString() },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Records an attempt's result (the delivery as `afterAttempt` made it), if nobody recorded one since `before` was read. */
export async function saveAttempt(before: WebhookDelivery, after: WebhookDelivery): Promise<boolean> {
  const { expression, names, values } = updateOf({
    status: after.status,
    attemptCount: after.attemptCount,
    attempts: after.attempts satisfies DeliveryAttempt[],
    firstAttemptAt: after.firstAttemptAt,
    nextAttemptAt: after.nextAttemptAt,
    deliveredAt: after.deliveredAt,
    reason: after.reason,
    inFlightUntil: undefined,
  });
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('webhookDeliveries'),
        Key: { deliveryId: before.deliveryId },
        UpdateExpression: expression,
        ConditionExpression: 'attemptCount = :seen AND generation = :g',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ':seen': before.attemptCount, ':g': before.generation },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** A PENDING delivery whose endpoint was disabled or deleted before it got through. */
export async function cancelDelivery(delivery: WebhookDelivery, reason: string): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('webhookDeliveries'),
        Key: { deliveryId: delivery.deliveryId },
        UpdateExpression: 'SET #status = :cancelled, reason = :reason REMOVE nextAttemptAt, inFlightUntil',
        ConditionExpression: '#status = :pending AND generation = :g',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':cancelled': 'CANCELLED', ':pending': 'PENDING', ':reason': reason, ':g': delivery.generation },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** Makes a delivery of this endpoint PENDING again for a re-send, in a new generation; undefined if it is not the endpoint's. */
export async function resetForRedelivery(deliveryId: string, endpointId: string, by: string, at: string): Promise<WebhookDelivery | undefined> {
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: tableName('webhookDeliveries'),
        Key: { deliveryId },
        UpdateExpression: 'SET #status = :pending, generation = generation + :one, redelivered = :by, expiresAt = :ttl REMOVE nextAttemptAt, firstAttemptAt, reason, inFlightUntil',
        ConditionExpression: 'endpointId = :e',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'PENDING', ':one': 1, ':by': { by, at }, ':e': endpointId, ':ttl': expiresAt(at) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const { expiresAt: _ttl, ...delivery } = out.Attributes ?? {};
    return delivery as WebhookDelivery;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** An endpoint's delivery log, newest first, a page at a time. */
export async function listDeliveries(endpointId: string, limit: number, cursor?: string): Promise<Page<WebhookDelivery>> {
  const startKey = decodeCursor(cursor);
  if (startKey && startKey.endpointId !== endpointId) throw new ValidationError('query.cursor', 'not a cursor of this endpoint\'s deliveries');
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName('webhookDeliveries'),
      IndexName: 'byEndpoint',
      KeyConditionExpression: 'endpointId = :e',
      ExpressionAttributeValues: { ':e': endpointId },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  const items = (out.Items ?? []).map(({ expiresAt: _ttl, inFlightUntil: _lease, ...d }) => d as WebhookDelivery);
  return { items, cursor: encodeCursor(out.LastEvaluatedKey) };
}
