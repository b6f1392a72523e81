// Connect statistics in DynamoDB: one item per destination per UTC hour, incremented with ADD per batch.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { type ConnectCounters, type StatsBucket, TTA_BIN_LABELS, emptyCounters, utcHour } from '../domain/stats';
import { documentClient, queryAll, recordConsumed, tableName } from './aws';

const SCALARS = ['attempts', 'answered', 'userFailures', 'callerAbandons', 'callerErrors', 'networkFailures', 'talkMillis', 'shortCalls'] as const;
// ADD works on numbers, not list elements, so each histogram bin is its own attribute.
const TTA_ATTRS = TTA_BIN_LABELS.map((_, i) => `tta${i}`);

function counterValues(c: ConnectCounters): Record<string, number> {
  const values: Record<string, number> = {};
  for (const name of SCALARS) values[name] = c[name];
  TTA_ATTRS.forEach((attr, i) => (values[attr] = c.ttaHistogram[i] ?? 0));
  return values;
}

function fromItem(item: Record<string, unknown>): StatsBucket {
  const counters = emptyCounters();
  for (const name of SCALARS) counters[name] = Number(item[name] ?? 0);
  counters.ttaHistogram = TTA_ATTRS.map((attr) => Number(item[attr] ?? 0));
  return { calledNumber: String(item.calledNumber), hour: String(item.hour), counters };
}

/** Adds each bucket's counters to the stored ones: one write per destination-hour, whatever the number of CDRs. */
export async function addToStats(buckets: StatsBucket[], concurrency = 16): Promise<void> {
  const limit = pLimit(concurrency);
  await Promise.all(
    buckets.map((bucket) =>
      limit(async () => {
        const values = Object.entries(counterValues(bucket.counters)).filter(([, v]) => v !== 0);
        const out = await documentClient().send(
          new UpdateCommand({
            TableName: tableName('connectStats'),
            Key: { calledNumber: bucket.calledNumber, hour: bucket.hour },
            UpdateExpression: `ADD ${values.map(([name]) => `#${name} :${name}`).join(', ')}`,
            ExpressionAttributeNames: Object.fromEntries(values.map(([name]) => [`#${name}`, name])),
            ExpressionAttributeValues: Object.fromEntries(values.map(([name, v]) => [`:${name}`, v])),
            ReturnConsumedCapacity: 'INDEXES',
          }),
        );
        recordConsumed(out.ConsumedCapacity);
      }),
    ),
  );
}

/** Overwrites buckets with recounted values (the audit's repair). */
export async function replaceStats(buckets: StatsBucket[]): Promise<void> {
  for (const bucket of buckets) {
    const values = counterValues(bucket.counters);
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('connectStats'),
        Key: { calledNumber: bucket.calledNumber, hour: bucket.hour },
        UpdateExpression: `SET ${Object.keys(values).map((name) => `#${name} = :${name}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(Object.keys(values).map((name) => [`#${name}`, name])),
        ExpressionAttributeValues: Object.fromEntries(Object.entries(values).map(([name, v]) => [`:${name}`, v])),
      }),
    );
  }
}

/** The stored hourly buckets of a destination with `from <= hour < to`; reads grow with hours, not calls. */
export async function readStats(calledNumber: string, from: string, to: string): Promise<StatsBucket[]> {
  const last = utcHour(Date.parse(to) - 1);
  const items = await queryAll({
    TableName: tableName('connectStats'),
    KeyConditionExpression: 'calledNumber = :n AND #hour BETWEEN :lo AND :hi',
    ExpressionAttributeNames: { '#hour': 'hour' },
    ExpressionAttributeValues: { ':n': calledNumber, ':lo': utcHour(from), ':hi': last },
  });
  return items.map(fromItem);
}

/**
 * The audit's repair: overwrites a bucket with its recount, but only if it still holds what the audit read
 * (`expected`, null for no bucket), so an ADD that ingest made since is never lost. A bucket that already holds
 * the recount (a repair repeated after a crash) counts as repaired.
 */
export async function repairBucket(bucket: StatsBucket, expected: ConnectCounters | null): Promise<'REPAIRED' | 'CHANGED_SINCE_READ'> {
  const values = counterValues(bucket.counters);
  const names: Record<string, string> = {};
  const exprValues: Record<string, unknown> = {};
  const sets: string[] = [];
  Object.entries(values).forEach(([name, v], i) => {
    names[`#a${i}`] = name;
    exprValues[`:v${i}`] = v;
    sets.push(`#a${i} = :v${i}`);
  });
  let condition = 'attribute_not_exists(calledNumber)';
  if (expected) {
    // ADD writes only non-zero counters: a zero may be a missing attribute.
    condition = Object.entries(counterValues(expected))
      .map(([name, v]) => {
        const i = Object.keys(values).indexOf(name);
        exprValues[`:e${i}`] = v;
        return v === 0 ? `(attribute_not_exists(#a${i}) OR #a${i} = :e${i})` : `#a${i} = :e${i}`;
      })
      .join(' AND ');
  }
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('connectStats'),
        Key: { calledNumber: bucket.calledNumber, hour: bucket.hour },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: exprValues,
      }),
    );
    return 'REPAIRED';
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const out = await documentClient().send(new GetCommand({ TableName: tableName('connectStats'), Key: { calledNumber: bucket.calledNumber, hour: bucket.hour }, ConsistentRead: true }));
    const now = out.Item ? counterValues(fromItem(out.Item).counters) : undefined;
    return now && Object.entries(values).every(([name, v]) => now[name] === v) ? 'REPAIRED' : 'CHANGED_SINCE_READ';
  }
}
