// Ingest runs: the counters of one file (or replay) sent through the queue, so its sender can say what came of it.
// They live in the Rejects table under `run#<id>` keys, which have no `source` and so stay out of its index; the
// ingest handler adds to them and the CLI reads them for its summary. Each run counts its own rejects, even when
// the reject itself is one already kept (the same bad record imported again is one reject, seen once more).
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { REJECT_LIMITS, boundText } from '../domain/rejects/bounds';
import { documentClient, tableName } from './aws';

const RUN_RETENTION_DAYS = 30;
export const RUN_PREFIX = 'run#';

export interface RunCounts {
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  /** Rejected records per reason key; a record with several failing fields counts under each. */
  byReason: Record<string, number>;
}

const COUNTERS = ['accepted', 'duplicates', 'conflicts', 'rejected'] as const;
const REASON_ATTR = 'reason:';

/**
 * Adds one message's outcome to its run, once: a marker item per message and the counters are written in one
 * transaction, so a redelivered message that was already counted adds nothing. A reason key is bounded like a
 * reject's problem, so no reason text can grow the run's item without limit.
 */
export async function countRunMessage(runId: string, seq: number, counts: RunCounts, now = new Date()): Promise<'counted' | 'already counted'> {
  try {
    return await countOnce(runId, seq, counts, now);
  } catch (error) {
    // The run's item is full of distinct reasons (400 KB): the counts still go in, without their breakdown.
    if (!tooLarge(error) || Object.keys(counts.byReason).length === 0) throw error;
    return countOnce(runId, seq, { ...counts, byReason: {} }, now);
  }
}

const tooLarge = (error: unknown): boolean =>
  (error as { name?: string }).name === 'ValidationException' || (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'ValidationError'));

async function countOnce(runId: string, seq: number, counts: RunCounts, now: Date): Promise<'counted' | 'already counted'> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':exp': Math.floor(now.getTime() / 1000) + RUN_RETENTION_DAYS * 86_400, ':now': now.toISOString() };
  const adds: string[] = [];
  for (const [i, counter] of COUNTERS.entries()) {
    names[`#c${i}`] = counter;
    values[`:c${i}`] = counts[counter];
    adds.push(`#c${i} :c${i}`);
  }
  const byReason = new Map<string, number>();
  for (const [reason, n] of Object.entries(counts.byReason)) {
    const key = boundText(reason, REJECT_LIMITS.problemFieldBytes + REJECT_LIMITS.problemReasonBytes).text;
    byReason.set(key, (byReason.get(key) ?? 0) + n);
  }
  for (const [i, [reason, n]] of [...byReason.entries()].entries()) {
    names[`#r${i}`] = `${REASON_ATTR}${reason}`;
    values[`:r${i}`] = n;
    adds.push(`#r${i} :r${i}`);
  }
  try {
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName('rejects'), Item: { rejectId: `${RUN_PREFIX}${runId}#${seq}`, expiresAt: values[':exp'] }, ConditionExpression: 'attribute_not_exists(rejectId)' } },
          {
            Update: {
              TableName: tableName('rejects'),
              Key: { rejectId: `${RUN_PREFIX}${runId}` },
              UpdateExpression: `ADD ${adds.join(', ')} SET expiresAt = :exp, updatedAt = :now`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            },
          },
        ],
      }),
    );
    return 'counted';
  } catch (error) {
    const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'already counted';
    throw error;
  }
}

export async function getRun(runId: string): Promise<RunCounts & { total: number }> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName('rejects'), Key: { rejectId: `${RUN_PREFIX}${runId}` }, ConsistentRead: true }));
  const item = out.Item ?? {};
  const counts: RunCounts = { accepted: 0, duplicates: 0, conflicts: 0, rejected: 0, byReason: {} };
  for (const counter of COUNTERS) counts[counter] = Number(item[counter] ?? 0);
  for (const [key, value] of Object.entries(item)) if (key.startsWith(REASON_ATTR)) counts.byReason[key.slice(REASON_ATTR.length)] = Number(value);
  return { ...counts, total: counts.accepted + counts.duplicates + counts.conflicts + counts.rejected };
}
