// One dispute at a time in DynamoDB: open, get, transition, lease, due dates (listings and queries: dispute-reads.ts). The history is only ever appended to (list_append), never rewritten.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type BatchGetCommandOutput, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Decision, Dispute, DisputeStatus, HistoryEntry, Recommendation } from '../domain/disputes/dispute';
import { type DatedDispute, type DueDateFields, withDueDate } from '../domain/disputes/due-date';
import { type Lease, blockingLease, leaseHeld } from '../domain/disputes/lease';
import { ConflictError, NotFoundError } from '../domain/errors';
import { documentClient, tableName } from './aws';
import { setting } from '../config';

/** The ticket id is taken by a dispute opened with another request. */
const ticketConflict = (ticketId: string) =>
  new ConflictError('ticket-conflict', `ticketId ${ticketId} was already used for a different dispute`, { field: 'body.ticketId', reason: 'already used with a different request' });

/** The dispute is no longer in a status that allows the change. */
export const statusConflict = (expected: DisputeStatus[], cause?: unknown) =>
  new ConflictError('status-conflict', `the dispute must be ${expected.join(' or ')} for this; it has moved on`, undefined, { cause });

// A guard item per ticketId makes "one dispute per ticket" atomic; it has no status or accountId, so no index sees it.
const ticketGuardKey = (ticketId: string) => `ticket#${ticketId}`;
// An account-history entry per dispute: what the history rules read (when it was opened, its decision), in the
// historyByAccount index under `historyOf` = the account. Written in the same transaction as the dispute's own change.
export const HISTORY_PREFIX = 'account-history#';
const historyKey = (disputeId: string) => `${HISTORY_PREFIX}${disputeId}`;
const openedAtId = (d: Pick<Dispute, 'openedAt' | 'disputeId'>) => `${d.openedAt}#${d.disputeId}`;
// The index keys of due dates and changes (resources.ts byStatusDue, byUpdatedAt): every dispute is in the one feed.
export const FEED = 'dispute';
const dueById = (d: { dueBy: string; disputeId: string }) => `${d.dueBy}#${d.disputeId}`;
const updatedAtId = (updatedAt: string, disputeId: string) => `${updatedAt}#${disputeId}`;

// A recommendation's call assessments are kept beside the dispute, CALLS_PER_PAGE to an item
// (`calls#<disputeId>#<generatedAt>#<page>`), and the dispute names how many (`callPages`): the dispute item stays a
// few KB, so a lease, a decision or an overdue mark writes a few units, not the 80 KB of 200 assessed calls. The pages
// are written before the transition that names them; pages of a transition that lost its condition are never read.
const CALLS_PER_PAGE = 100;
const callPageKey = (disputeId: string, generatedAt: string, page: number) => `calls#${disputeId}#${generatedAt}#${page}`;
const CALLS_PREFIX = 'calls#';

/** Fills in the call assessments of the items whose recommendation keeps them in pages (read consistently). */
export async function withCalls(items: Record<string, unknown>[]): Promise<void> {
  const paged = items.filter((item) => typeof item.callPages === 'number' && item.recommendation);
  const keys = paged.flatMap((item) => Array.from({ length: item.callPages as number }, (_, page) => callPageKey(String(item.disputeId), String((item.recommendation as Recommendation).generatedAt), page)));
  const pages = new Map<string, unknown[]>();
  const table = tableName('disputes');
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + 100).map((disputeId) => ({ disputeId }));
    while (pending && pending.length > 0) {
      const out: BatchGetCommandOutput = await documentClient().send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }));
      for (const page of out.Responses?.[table] ?? []) pages.set(String(page.disputeId), page.calls as unknown[]);
      pending = out.UnprocessedKeys?.[table]?.Keys;
    }
  }
  for (const item of paged) {
    const recommendation = item.recommendation as Recommendation;
    const calls = Array.from({ length: item.callPages as number }, (_, page) => pages.get(callPageKey(String(item.disputeId), recommendation.generatedAt, page)));
    if (calls.some((c) => c === undefined)) throw new Error(`dispute ${String(item.disputeId)}: a page of its recommendation's calls is missing`);
    item.recommendation = { ...recommendation, calls: calls.flat() };
  }
}

/** Writes a recommendation's call assessments in pages (UpdateItem: no dispute is ever put outside a transaction). */
async function putCallPages(disputeId: string, recommendation: Recommendation): Promise<number> {
  const pages: Recommendation['calls'][] = [];
  for (let i = 0; i < recommendation.calls.length; i += CALLS_PER_PAGE) pages.push(recommendation.calls.slice(i, i + CALLS_PER_PAGE));
  await Promise.all(
    pages.map((calls, page) =>
      documentClient().send(
        new UpdateCommand({ TableName: tableName('disputes'), Key: { disputeId: callPageKey(disputeId, recommendation.generatedAt, page) }, UpdateExpression: 'SET calls = :c', ExpressionAttributeValues: { ':c': calls } }),
      ),
    ),
  );
  return pages.length;
}

/** A stored dispute as every read serves it: its due date (computed for one stored before due dates) and overdue flag now. */
export function fromItem(item: Record<string, unknown>): DatedDispute {
  const { openedAtId: _sortKey, requestHash: _hash, dueById: _due, updatedAtId: _updated, feed: _feed, callPages: _pages, ...dispute } = item;
  return withDueDate(dispute as unknown as Dispute & Partial<DueDateFields>, setting('SERVICE_LEVEL_HOURS'), new Date());
}

/** Stores a new dispute, or returns the one already opened for this ticket with the same request. */
export async function createDispute(dispute: Dispute & Pick<DueDateFields, 'dueBy' | 'updatedAt'>, requestHash: string): Promise<{ dispute: DatedDispute; created: boolean }> {
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
          {
            Put: {
              TableName: tableName('disputes'),
              Item: { ...dispute, openedAtId: openedAtId(dispute), dueById: dueById(dispute), feed: FEED, updatedAtId: updatedAtId(dispute.updatedAt, dispute.disputeId), requestHash },
            },
          },
          { Put: { TableName: tableName('disputes'), Item: { disputeId: historyKey(dispute.disputeId), historyOf: dispute.accountId, openedAtId: openedAtId(dispute), openedAt: dispute.openedAt } } },
        ],
      }),
    );
    return { dispute: { ...dispute, overdue: false }, created: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const guard = await documentClient().send(new GetCommand({ TableName: tableName('disputes'), Key: { disputeId: ticketGuardKey(dispute.ticketId) }, ConsistentRead: true }));
    if (!guard.Item) throw error;
    if (guard.Item.requestHash !== requestHash) throw ticketConflict(dispute.ticketId);
    const existing = await getDispute(String(guard.Item.pointsTo));
    if (!existing) throw error;
    return { dispute: existing, created: false };
  }
}

export async function getDispute(disputeId: string): Promise<DatedDispute | undefined> {
  if (disputeId.startsWith('ticket#') || disputeId.startsWith(HISTORY_PREFIX) || disputeId.startsWith(CALLS_PREFIX)) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName('disputes'), Key: { disputeId }, ConsistentRead: true }));
  if (!out.Item) return undefined;
  await withCalls([out.Item]);
  return fromItem(out.Item);
}

// The lease condition shared by taking a lease and by a reviewer's transition: nobody holds the dispute, or its
// lease has expired, or the caller holds it. expiresAt is always written by toISOString, so strings compare as instants.
const FREE_FOR_CALLER = '(attribute_not_exists(#lease) OR #lease.#holder = :caller OR #lease.#expiresAt <= :now)';
const LEASE_NAMES = { '#lease': 'lease', '#holder': 'holder', '#expiresAt': 'expiresAt' };

/** A lost condition, of a single write or of a transaction's first item (the dispute's own update). */
const isConditionFailure = (error: unknown) =>
  (error as Error).name === 'ConditionalCheckFailedException' || (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed');

/** A reviewer's change: refused while someone else holds an unexpired lease; it ends the lease (PRODUCT.md §4.6). */
export interface LeaseGuard {
  caller: string;
  now: Date;
}

/**
 * Moves a dispute from one of `from` to `to`, appending the history entry; fails if someone else moved it first.
 * With `lease`, also fails (`lease-held`) while another reviewer holds an unexpired lease, and removes the lease in
 * the same conditional write.
 */
export async function transition(
  disputeId: string,
  from: DisputeStatus[],
  entry: HistoryEntry,
  set: { recommendation?: Recommendation; decision?: Decision } = {},
  lease?: LeaseGuard,
): Promise<void> {
  const fields: Record<string, unknown> = { ...set };
  if (set.recommendation) {
    // The calls go to their pages; the dispute keeps the rest of the recommendation and how many pages there are.
    const { calls: _calls, ...rest } = set.recommendation;
    fields.recommendation = rest;
    fields.callPages = await putCallPages(disputeId, set.recommendation);
  }
  const sets = Object.entries(fields).filter(([, v]) => v !== undefined);
  const statusCondition = `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`;
  const update = {
    TableName: tableName('disputes'),
    Key: { disputeId },
    // Every transition is a change ticket tools poll for (`updatedSince`): it moves updatedAt with it.
    UpdateExpression:
      ['SET #status = :to', 'history = list_append(history, :entry)', 'updatedAt = :at', 'updatedAtId = :atId', 'feed = :feed', ...sets.map(([k]) => `#${k} = :${k}`)].join(', ') + (lease ? ' REMOVE #lease' : ''),
    ConditionExpression: lease ? `${statusCondition} AND ${FREE_FOR_CALLER}` : statusCondition,
    ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(sets.map(([k]) => [`#${k}`, k])), ...(lease ? LEASE_NAMES : {}) },
    ExpressionAttributeValues: {
      ':to': entry.status,
      ':entry': [entry],
      ':at': entry.at,
      ':atId': updatedAtId(entry.at, disputeId),
      ':feed': FEED,
      ...Object.fromEntries(from.map((s, i) => [`:from${i}`, s])),
      ...Object.fromEntries(sets.map(([k, v]) => [`:${k}`, v])),
      ...(lease ? { ':caller': lease.caller, ':now': lease.now.toISOString() } : {}),
    },
  };
  try {
    if (set.decision) {
      // A decision goes into the account-history entry in the same transaction.
      const entryUpdate = { TableName: tableName('disputes'), Key: { disputeId: historyKey(disputeId) }, UpdateExpression: 'SET decision = :d', ExpressionAttributeValues: { ':d': set.decision } };
      await documentClient().send(new TransactWriteCommand({ TransactItems: [{ Update: update }, { Update: entryUpdate }] }));
    } else {
      await documentClient().send(new UpdateCommand(update));
    }
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    if (lease) {
      // Which condition failed: read the dispute as it is now.
      const current = await getDispute(disputeId);
      const blocking = current && from.includes(current.status) ? blockingLease(current.lease, lease.caller, lease.now) : undefined;
      if (blocking) throw leaseHeld(blocking, error);
    }
    throw statusConflict(from, error);
  }
}

/**
 * Takes or renews `lease` for its holder on a RECOMMENDED dispute: one conditional write, which succeeds when nobody
 * holds the dispute, the lease expired, or the holder already holds it. Not history: no transition, no event.
 */
export async function takeLease(disputeId: string, lease: Lease, now: Date, attempt = 1): Promise<Lease> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('disputes'),
        Key: { disputeId },
        UpdateExpression: 'SET #lease = :lease',
        ConditionExpression: `#status = :recommended AND ${FREE_FOR_CALLER}`,
        ExpressionAttributeNames: { '#status': 'status', ...LEASE_NAMES },
        ExpressionAttributeValues: { ':lease': lease, ':recommended': 'RECOMMENDED', ':caller': lease.holder, ':now': now.toISOString() },
      }),
    );
    return lease;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const current = await getDispute(disputeId);
    if (!current) throw new NotFoundError(`dispute ${disputeId} does not exist`, { cause: error });
    if (current.status !== 'RECOMMENDED') throw statusConflict(['RECOMMENDED'], error);
    const blocking = blockingLease(current.lease, lease.holder, now);
    if (blocking) throw leaseHeld(blocking, error);
    // The lease was released between the write and the read: once more.
    if (attempt < 2) return takeLease(disputeId, lease, now, attempt + 1);
    throw error;
  }
}

/**
 * Ends `holder`'s lease. Releasing a lease one does not hold changes nothing and is no error, unless someone else
 * holds the dispute unexpired (`lease-held`: only the holder releases).
 */
export async function releaseLease(disputeId: string, holder: string, now: Date): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('disputes'),
        Key: { disputeId },
        UpdateExpression: 'REMOVE #lease',
        ConditionExpression: '#lease.#holder = :caller',
        ExpressionAttributeNames: { '#lease': 'lease', '#holder': 'holder' },
        ExpressionAttributeValues: { ':caller': holder },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const current = await getDispute(disputeId);
    if (!current) throw new NotFoundError(`dispute ${disputeId} does not exist`, { cause: error });
    const blocking = blockingLease(current.lease, holder, now);
    if (blocking) throw leaseHeld(blocking, error);
  }
}

/** Gives a dispute stored before due dates its `dueBy` (and so its place in byStatusDue); a no-op once it has one. */
export async function setDueBy(disputeId: string, dueBy: string): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('disputes'),
        Key: { disputeId },
        UpdateExpression: 'SET dueBy = :due, dueById = :dueId',
        ConditionExpression: 'attribute_exists(disputeId) AND attribute_not_exists(dueBy)',
        ExpressionAttributeValues: { ':due': dueBy, ':dueId': dueById({ dueBy, disputeId }) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Marks an undecided dispute past its due date overdue at `at`: one conditional write, which succeeds once per
 * dispute whoever runs it and however often, so the `dispute.overdue` the Disputes stream publishes from it is
 * produced once. False when it was marked already, was decided meanwhile, or is not yet due.
 */
export async function markOverdue(disputeId: string, at: Date): Promise<boolean> {
  const now = at.toISOString();
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('disputes'),
        Key: { disputeId },
        UpdateExpression: 'SET overdueAt = :now, updatedAt = :now, updatedAtId = :atId, feed = :feed',
        ConditionExpression: 'attribute_not_exists(overdueAt) AND dueBy < :now AND #status <> :decided',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':now': now, ':atId': updatedAtId(now, disputeId), ':feed': FEED, ':decided': 'DECIDED' },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
