// Disputes in DynamoDB. The history is only ever appended to (list_append), never rewritten.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Decision, Dispute, DisputeStatus, HistoryEntry, Recommendation } from '../domain/dispute';
import { documentClient, queryAll, tableName } from './aws';

export class TicketConflictError extends Error {
  constructor(readonly ticketId: string) {
    super(`ticketId ${ticketId} was already used for a different dispute`);
  }
}

export class StatusConflictError extends Error {
  constructor(readonly disputeId: string, readonly expected: DisputeStatus[]) {
    super(`dispute ${disputeId} is not in status ${expected.join(' or ')}`);
  }
}

// A guard item per ticketId makes "one dispute per ticket" atomic; it has no status or accountId, so no index sees it.
const ticketGuardKey = (ticketId: string) => `ticket#${ticketId}`;
const openedAtId = (d: Pick<Dispute, 'openedAt' | 'disputeId'>) => `${d.openedAt}#${d.disputeId}`;

function fromItem(item: Record<string, unknown>): Dispute {
  const { openedAtId: _sortKey, requestHash: _hash, ...dispute } = item;
  return dispute as unknown as Dispute;
}

/** Stores a new dispute, or returns the one already opened for this ticket with the same request. */
export async function createDispute(dispute: Dispute, requestHash: string): Promise<{ dispute: Dispute; created: boolean }> {
  try {
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName('disputes'),
              Item: { disputeId: ticketGuardKey(dispute.ticketId), pointsTo: dispute.disputeId, requestHash },
              ConditionExpression: 'attribute_not_exists(disputeId)',
            },
          },
          { Put: { TableName: tableName('disputes'), Item: { ...dispute, openedAtId: openedAtId(dispute), requestHash } } },
        ],
      }),
    );
    return { dispute, created: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const guard = await documentClient().send(new GetCommand({ TableName: tableName('disputes'), Key: { disputeId: ticketGuardKey(dispute.ticketId) }, ConsistentRead: true }));
    if (!guard.Item) throw error;
    if (guard.Item.requestHash !== requestHash) throw new TicketConflictError(dispute.ticketId);
    const existing = await getDispute(String(guard.Item.pointsTo));
    if (!existing) throw error;
    return { dispute: existing, created: false };
  }
}

export async function getDispute(disputeId: string): Promise<Dispute | undefined> {
  if (disputeId.startsWith('ticket#')) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName('disputes'), Key: { disputeId }, ConsistentRead: true }));
  return out.Item ? fromItem(out.Item) : undefined;
}

/** Moves a dispute from one of `from` to `to`, appending the history entry; fails if someone else moved it first. */
export async function transition(disputeId: string, from: DisputeStatus[], entry: HistoryEntry, set: { recommendation?: Recommendation; decision?: Decision } = {}): Promise<void> {
  const sets = Object.entries(set).filter(([, v]) => v !== undefined);
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('disputes'),
        Key: { disputeId },
        UpdateExpression: ['SET #status = :to', 'history = list_append(history, :entry)', ...sets.map(([k]) => `#${k} = :${k}`)].join(', '),
        ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(sets.map(([k]) => [`#${k}`, k])) },
        ExpressionAttributeValues: {
          ':to': entry.status,
          ':entry': [entry],
          ...Object.fromEntries(from.map((s, i) => [`:from${i}`, s])),
          ...Object.fromEntries(sets.map(([k, v]) => [`:${k}`, v])),
        },
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') throw new StatusConflictError(disputeId, from);
    throw error;
  }
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

const encodeCursor = (key: Record<string, unknown> | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined);
export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!key || typeof key !== 'object') throw new Error('bad cursor');
  return key;
}

/** Disputes in a status, oldest first: the reviewer queue. */
export async function listByStatus(status: DisputeStatus, limit: number, cursor?: string, accountId?: string): Promise<Page<Dispute>> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName('disputes'),
      IndexName: 'byStatus',
      KeyConditionExpression: '#status = :s',
      FilterExpression: accountId ? 'accountId = :a' : undefined,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':s': status, ...(accountId ? { ':a': accountId } : {}) },
      ScanIndexForward: true,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor),
    }),
  );
  return { items: (out.Items ?? []).map(fromItem), cursor: encodeCursor(out.LastEvaluatedKey) };
}

/** Every dispute of an account, oldest first. */
export async function listByAccount(accountId: string): Promise<Dispute[]> {
  const items = await queryAll({
    TableName: tableName('disputes'),
    IndexName: 'byAccount',
    KeyConditionExpression: 'accountId = :a',
    ExpressionAttributeValues: { ':a': accountId },
  });
  return items.map(fromItem);
}

// The audit's reads: the queue's old end and the decisions of a period. They project what the audit uses and leave
// the recommendation's call list (the bulk of a dispute) behind.
const AUDIT_PROJECTION = {
  ProjectionExpression: 'disputeId, accountId, claim, origin, openedAt, #status, history, decision, recommendation.outcome, recommendation.creditAmount, recommendation.generatedAt',
};

/** RECOMMENDED disputes opened before `before` (ISO-8601 UTC), oldest first, without their call assessments. */
export async function recommendedOpenedBefore(before: string): Promise<Dispute[]> {
  const items = await queryAll({
    TableName: tableName('disputes'),
    IndexName: 'byStatus',
    KeyConditionExpression: '#status = :s AND openedAtId < :before',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':s': 'RECOMMENDED', ':before': new Date(before).toISOString() },
    ...AUDIT_PROJECTION,
  });
  return items.map(fromItem);
}

/** DECIDED disputes opened in [from, to) (ISO-8601), without their call assessments. */
export async function decidedOpenedBetween(from: string, to: string): Promise<Dispute[]> {
  const items = await queryAll({
    TableName: tableName('disputes'),
    IndexName: 'byStatus',
    KeyConditionExpression: '#status = :s AND openedAtId BETWEEN :lo AND :hi',
    ExpressionAttributeNames: { '#status': 'status' },
    // openedAtId is `openedAt#disputeId`: every id sorts after the bare instant and before instant + '~'.
    ExpressionAttributeValues: { ':s': 'DECIDED', ':lo': new Date(from).toISOString(), ':hi': `${new Date(Date.parse(to) - 1).toISOString()}~` },
    ...AUDIT_PROJECTION,
  });
  return items.map(fromItem);
}
