// Adjustments in DynamoDB. Created once per decision by a conditional put (the id is derived from the decision), and
// moved on only by conditional writes on their current status, so a retried stream record, approval or
// acknowledgment can never make a second adjustment or post one twice.
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Adjustment, AdjustmentStatus } from '../domain/adjustments/adjustment';
import { ValidationError } from '../domain/errors';
import { documentClient, tableName } from './aws';
import { type Page, decodeCursor } from './dispute-reads';

/** When an adjustment reached its status: what the billing system's `since` reads. */
export const statusAt = (a: Adjustment): string => (a.status === 'POSTED' ? a.posted!.at : a.status === 'APPROVED' ? a.approval!.at : a.decidedAt);
const statusAtId = (a: Adjustment) => `${statusAt(a)}#${a.adjustmentId}`;

function fromItem(item: Record<string, unknown>): Adjustment {
  const { statusAtId: _key, ...adjustment } = item;
  return adjustment as unknown as Adjustment;
}

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

/** Stores the adjustment unless one with its id exists (the same decision seen again): true when it was new. */
export async function putAdjustment(adjustment: Adjustment): Promise<boolean> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName('adjustments'),
        Item: { ...adjustment, statusAtId: statusAtId(adjustment) },
        ConditionExpression: 'attribute_not_exists(adjustmentId)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export async function getAdjustment(adjustmentId: string): Promise<Adjustment | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName('adjustments'), Key: { adjustmentId }, ConsistentRead: true }));
  return out.Item ? fromItem(out.Item) : undefined;
}

/**
 * Writes `next` over the stored adjustment only while it is still in `from`: false when someone moved it first (the
 * caller reads it again and decides what that means).
 */
export async function replaceAdjustment(next: Adjustment, from: AdjustmentStatus): Promise<boolean> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName('adjustments'),
        Item: { ...next, statusAtId: statusAtId(next) },
        ConditionExpression: '#status = :from',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':from': from },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

const encodeCursor = (key: Record<string, unknown> | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined);

/** Adjustments in a status that reached it at or after `since`, in that order: the billing system's feed. */
export async function listAdjustments(status: AdjustmentStatus, limit: number, options: { since?: string; cursor?: string } = {}): Promise<Page<Adjustment>> {
  const startKey = decodeCursor(options.cursor);
  const out = await documentClient()
    .send(
      new QueryCommand({
        TableName: tableName('adjustments'),
        IndexName: 'byStatus',
        KeyConditionExpression: options.since ? '#status = :s AND statusAtId >= :since' : '#status = :s',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':s': status, ...(options.since ? { ':since': new Date(options.since).toISOString() } : {}) },
        ScanIndexForward: true,
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    )
    .catch((error: unknown) => {
      throw startKey && (error as Error).name === 'ValidationException' ? new ValidationError('query.cursor', 'not a cursor this API returned', { cause: error }) : error;
    });
  return { items: (out.Items ?? []).map(fromItem), cursor: encodeCursor(out.LastEvaluatedKey) };
}
