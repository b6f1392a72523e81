// Disputes listed and queried in DynamoDB: cursor pages, the reviewer queue, an account's disputes, the audit's and the overdue sweep's reads.
import { BatchGetCommand, type BatchGetCommandOutput, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Dispute, DisputeStatus } from '../domain/disputes/dispute';
import type { DatedDispute } from '../domain/disputes/due-date';
import { ValidationError } from '../domain/errors';
import { documentClient, queryAll, tableName } from './aws';
import { FEED, HISTORY_PREFIX, fromItem, withCalls } from './dispute-store';

export interface Page<T> {
  items: T[];
  cursor?: string;
}

const encodeCursor = (key: Record<string, unknown> | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined);
export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Every key attribute of these tables and indexes is a string: anything else was not written by this API (and a
    // number too large for JavaScript would fail in the SDK's marshalling, before DynamoDB could refuse it).
    if (key && typeof key === 'object' && !Array.isArray(key) && Object.values(key).every((v) => typeof v === 'string')) return key as Record<string, string>;
  } catch (error) {
    throw badCursor(error);
  }
  throw badCursor();
}

const badCursor = (cause?: unknown) => new ValidationError('query.cursor', 'not a cursor this API returned', { cause });

/**
 * The disputes an index query found, read whole from the table, in the query's order: the indexes hold keys and a
 * few small attributes, not the disputes. Read consistently; a dispute whose `current` attributes (its place in the
 * index: status, due date, last change) moved since the index was read is left out, as it is listed in its new place
 * (a poller of changes that skipped ahead to its newer `updatedAt` could miss the changes in between).
 */
async function wholeDisputes(found: Record<string, unknown>[], current: readonly string[], projection?: { ProjectionExpression: string }): Promise<Record<string, unknown>[]> {
  const table = tableName('disputes');
  const byId = new Map<string, Record<string, unknown>>();
  const ids = [...new Set(found.map((entry) => String(entry.disputeId)))];
  for (let i = 0; i < ids.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = ids.slice(i, i + 100).map((disputeId) => ({ disputeId }));
    while (keys && keys.length > 0) {
      const out: BatchGetCommandOutput = await documentClient().send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true, ...projection } } }));
      for (const item of out.Responses?.[table] ?? []) byId.set(String(item.disputeId), item);
      keys = out.UnprocessedKeys?.[table]?.Keys;
    }
  }
  const items = found.flatMap((entry) => {
    const item = byId.get(String(entry.disputeId));
    return item && current.every((name) => item[name] === entry[name]) ? [item] : [];
  });
  // A projection leaves the call assessments out on purpose; a whole dispute has them.
  if (!projection) await withCalls(items);
  return items;
}

/** Disputes in a status, oldest first: the reviewer queue. */
export async function listByStatus(status: DisputeStatus, limit: number, cursor?: string, accountId?: string): Promise<Page<DatedDispute>> {
  const startKey = decodeCursor(cursor);
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
      ExclusiveStartKey: startKey,
    }),
  ).catch((error: unknown) => {
    // DynamoDB refuses a start key that is not one of its own: a forged cursor.
    throw startKey && (error as Error).name === 'ValidationException' ? badCursor(error) : error;
  });
  return { items: (await wholeDisputes(out.Items ?? [], ['status'])).map(fromItem), cursor: encodeCursor(out.LastEvaluatedKey) };
}

/** Every dispute of an account, oldest first. */
export async function listByAccount(accountId: string): Promise<DatedDispute[]> {
  const items = await queryAll({
    TableName: tableName('disputes'),
    IndexName: 'byAccount',
    KeyConditionExpression: 'accountId = :a',
    ExpressionAttributeValues: { ':a': accountId },
  });
  return (await wholeDisputes(items, [])).map(fromItem);
}

/**
 * The account's disputes opened in [`since`, `before`), with only what the history rules read (outcome and credit):
 * its account-history entries (dispute-store.ts), bounded by the policy's horizons; one small item per dispute, so
 * the read stays flat however large the earlier disputes' call lists are.
 */
export async function priorDisputesOf(accountId: string, since: string, before: string): Promise<Pick<Dispute, 'disputeId' | 'openedAt' | 'decision'>[]> {
  const items = await queryAll({
    TableName: tableName('disputes'),
    IndexName: 'historyByAccount',
    KeyConditionExpression: 'historyOf = :a AND openedAtId BETWEEN :lo AND :hi',
    ExpressionAttributeValues: { ':a': accountId, ':lo': new Date(since).toISOString(), ':hi': `${new Date(before).toISOString()}#` },
    ProjectionExpression: 'disputeId, openedAt, decision.outcome, decision.creditAmount',
  });
  return items.map((item) => ({ ...item, disputeId: String(item.disputeId).slice(HISTORY_PREFIX.length) }) as Pick<Dispute, 'disputeId' | 'openedAt' | 'decision'>);
}

// The audit's reads: the queue's old end and the decisions of a period. They project what the audit uses and leave
// the recommendation's call list (the bulk of a dispute) behind.
const AUDIT_PROJECTION = {
  ProjectionExpression: 'disputeId, accountId, claim, origin, openedAt, #status, history, decision, recommendation.outcome, recommendation.creditAmount, recommendation.generatedAt',
  ExpressionAttributeNames: { '#status': 'status' },
};

/** RECOMMENDED disputes opened before `before` (ISO-8601 UTC), oldest first, without their call assessments. */
export async function recommendedOpenedBefore(before: string): Promise<Dispute[]> {
  const items = await queryAll({
    TableName: tableName('disputes'),
    IndexName: 'byStatus',
    KeyConditionExpression: '#status = :s AND openedAtId < :before',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':s': 'RECOMMENDED', ':before': new Date(before).toISOString() },
  });
  return (await wholeDisputes(items, ['status'], AUDIT_PROJECTION)).map(fromItem);
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
  });
  return (await wholeDisputes(items, ['status'], AUDIT_PROJECTION)).map(fromItem);
}

/** One page of a query, its cursor the query's own last key; a forged cursor is a 400 on `query.cursor`. */
async function queryPage(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'ExclusiveStartKey'>, cursor: string | undefined, current: readonly string[]): Promise<Page<DatedDispute>> {
  const startKey = decodeCursor(cursor);
  const out = await documentClient()
    .send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }))
    .catch((error: unknown) => {
      throw startKey && (error as Error).name === 'ValidationException' ? badCursor(error) : error;
    });
  return { items: (await wholeDisputes(out.Items ?? [], current)).map(fromItem), cursor: encodeCursor(out.LastEvaluatedKey) };
}

/**
 * Disputes in a status by due date, soonest first; with `dueBefore`, only those due before it (the overdue ones,
 * given now), with `dueFrom` only those due at or after it. A dispute stored before due dates is in this index once
 * the overdue sweep has given it its `dueBy`.
 */
export function listByDue(status: DisputeStatus, limit: number, options: { cursor?: string; accountId?: string; dueBefore?: string; dueFrom?: string } = {}): Promise<Page<DatedDispute>> {
  const { cursor, accountId, dueBefore, dueFrom } = options;
  const bound = dueBefore ? { condition: ' AND dueById < :due', value: dueBefore } : dueFrom ? { condition: ' AND dueById >= :due', value: dueFrom } : undefined;
  return queryPage(
    {
      TableName: tableName('disputes'),
      IndexName: 'byStatusDue',
      KeyConditionExpression: `#status = :s${bound?.condition ?? ''}`,
      FilterExpression: accountId ? 'accountId = :a' : undefined,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':s': status, ...(bound ? { ':due': new Date(bound.value).toISOString() } : {}), ...(accountId ? { ':a': accountId } : {}) },
      ScanIndexForward: true,
      Limit: limit,
    },
    cursor,
    ['status', 'dueById'],
  );
}

/**
 * Disputes changed at or after `since`, oldest change first: what a ticket tool polls. A dispute changed again later
 * moves to its new place, so a poller that resumes from the last `updatedAt` it saw misses nothing.
 */
export function listUpdatedSince(since: string, limit: number, options: { cursor?: string; accountId?: string; status?: DisputeStatus } = {}): Promise<Page<DatedDispute>> {
  const { cursor, accountId, status } = options;
  const filters = [accountId ? 'accountId = :a' : undefined, status ? '#status = :s' : undefined].filter(Boolean);
  return queryPage(
    {
      TableName: tableName('disputes'),
      IndexName: 'byUpdatedAt',
      KeyConditionExpression: 'feed = :feed AND updatedAtId >= :since',
      FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
      ExpressionAttributeNames: status ? { '#status': 'status' } : undefined,
      ExpressionAttributeValues: { ':feed': FEED, ':since': new Date(since).toISOString(), ...(accountId ? { ':a': accountId } : {}), ...(status ? { ':s': status } : {}) },
      ScanIndexForward: true,
      Limit: limit,
    },
    cursor,
    ['updatedAtId'],
  );
}

export const UNDECIDED: DisputeStatus[] = ['RECEIVED', 'INVESTIGATING', 'RECOMMENDED'];
const SWEEP_PROJECTION = { ProjectionExpression: 'disputeId, accountId, ticketId, origin, openedAt, #status, dueBy, overdueAt' };

/** Undecided disputes stored before due dates (no `dueBy`): the sweep gives them theirs, once. */
export async function undecidedWithoutDueBy(): Promise<Pick<Dispute, 'disputeId' | 'origin' | 'openedAt' | 'status'>[]> {
  const pages = await Promise.all(
    UNDECIDED.map((status) =>
      queryAll({
        TableName: tableName('disputes'),
        IndexName: 'byStatus',
        KeyConditionExpression: '#status = :s',
        FilterExpression: 'attribute_not_exists(dueBy)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':s': status },
        ...SWEEP_PROJECTION,
      }),
    ),
  );
  return pages.flat() as Pick<Dispute, 'disputeId' | 'origin' | 'openedAt' | 'status'>[];
}

/** Undecided disputes due before `now` that the sweep has not marked overdue yet. */
export async function overdueUnmarked(now: Date): Promise<(Pick<Dispute, 'disputeId' | 'status'> & { dueBy: string })[]> {
  const pages = await Promise.all(
    UNDECIDED.map((status) =>
      queryAll({
        TableName: tableName('disputes'),
        IndexName: 'byStatusDue',
        KeyConditionExpression: '#status = :s AND dueById < :now',
        FilterExpression: 'attribute_not_exists(overdueAt)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':s': status, ':now': now.toISOString() },
        ...SWEEP_PROJECTION,
      }),
    ),
  );
  return pages.flat() as (Pick<Dispute, 'disputeId' | 'status'> & { dueBy: string })[];
}
