// Connect statistics in DynamoDB: one item per destination per UTC hour. Only the Cdrs stream's consumer adds to a
// bucket (lib/use-cases/statistics/count-cdrs.ts), in one conditional write per bucket per batch that also moves the
// shard's watermark; only the audit's repair rewrites one, and only while it holds what the audit compared.
//
// A bucket item: the counters; `v`, a version every write adds 1 to; per stream shard a watermark attribute
// `w:<shardId>` = "<sequence> <changedAt>"; `repairedThrough` after a repair. About 200 bytes of counters plus about
// 80 bytes per shard that wrote to it in the last 48 hours (older watermarks are dropped): one write unit up to about
// 10 shards (10,000 CDR/s), about 5 for a busy number's bucket at 50 shards (`npm run bench`'s capacity model).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ConnectCounters, type StatsBucket, type StoredStats, TTA_BIN_LABELS, emptyCounters, utcHour } from '../domain/statistics/connect-statistics';
import { type BucketDelta, type Watermark, bucketKey, formatWatermark, newestChange, parseWatermark, staleWatermarks } from '../domain/statistics/stream-counts';
import pLimit from 'p-limit';
import { documentClient, queryAll, recordConsumed, tableName } from './aws';

const SCALARS = ['attempts', 'answered', 'userFailures', 'callerAbandons', 'callerErrors', 'networkFailures', 'talkMillis', 'shortCalls'] as const;
// ADD works on numbers, not list elements, so each histogram bin is its own attribute.
const TTA_ATTRS = TTA_BIN_LABELS.map((_, i) => `tta${i}`);
const WATERMARK_PREFIX = 'w:';
export const watermarkAttribute = (shardId: string) => `${WATERMARK_PREFIX}${shardId}`;

function counterValues(c: ConnectCounters): Record<string, number> {
  const values: Record<string, number> = {};
  for (const name of SCALARS) values[name] = c[name];
  TTA_ATTRS.forEach((attr, i) => (values[attr] = c.ttaHistogram[i] ?? 0));
  return values;
}

/** A bucket as stored, with what the stream consumer and the audit's repair need besides the counters. */
export interface StoredBucket extends StoredStats {
  /** Watermarks by attribute name. */
  watermarks: Record<string, Watermark>;
}

function fromItem(item: Record<string, unknown>): StoredBucket {
  const counters = emptyCounters();
  for (const name of SCALARS) counters[name] = Number(item[name] ?? 0);
  counters.ttaHistogram = TTA_ATTRS.map((attr) => Number(item[attr] ?? 0));
  const watermarks: Record<string, Watermark> = {};
  for (const [name, value] of Object.entries(item)) {
    const w = name.startsWith(WATERMARK_PREFIX) && typeof value === 'string' ? parseWatermark(value) : undefined;
    if (w) watermarks[name] = w;
  }
  const newest = newestChange(Object.values(watermarks));
  return {
    calledNumber: String(item.calledNumber),
    hour: String(item.hour),
    counters,
    version: Number(item.v ?? 0),
    ...(newest ? { newestChange: newest } : {}),
    ...(typeof item.repairedThrough === 'string' ? { repairedThrough: item.repairedThrough } : {}),
    watermarks,
  };
}

const key = (b: { calledNumber: string; hour: string }) => ({ calledNumber: b.calledNumber, hour: b.hour });

/** The buckets as they are now (strongly consistent), 100 keys to a request; a bucket never written is absent. */
export async function readBuckets(keys: { calledNumber: string; hour: string }[]): Promise<Map<string, StoredBucket>> {
  const found = new Map<string, StoredBucket>();
  const table = tableName('connectStats');
  for (let i = 0; i < keys.length; i += 100) {
    let left: Record<string, unknown>[] = keys.slice(i, i + 100).map(key);
    for (let attempt = 0; left.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
      const out = await documentClient().send(new BatchGetCommand({ RequestItems: { [table]: { Keys: left, ConsistentRead: true } } }));
      for (const item of out.Responses?.[table] ?? []) {
        const bucket = fromItem(item);
        found.set(bucketKey(bucket.calledNumber, bucket.hour), bucket);
      }
      left = out.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return found;
}

/** One bucket as it is now (strongly consistent), or undefined. */
export async function readBucket(k: { calledNumber: string; hour: string }): Promise<StoredBucket | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName('connectStats'), Key: key(k), ConsistentRead: true }));
  return out.Item ? fromItem(out.Item) : undefined;
}

/** Expression names and values, numbered as they are added. */
function expression() {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  let n = 0;
  return {
    names,
    values,
    name: (attr: string) => ((names[`#n${n}`] = attr), `#n${n++}`),
    value: (v: unknown) => ((values[`:v${n}`] = v), `:v${n++}`),
  };
}

/**
 * Adds a batch's delta to a bucket and moves this shard's watermark, in one write that succeeds only while the
 * bucket still has the watermark and repair mark `read` had (each shard's consumer writes only its own watermark,
 * so consumers of different shards never fail each other). Drops watermarks too old to matter (WATERMARK_KEEP_MS),
 * on the same condition. False when the condition failed: the caller reads again and recomputes.
 */
export async function applyStreamDelta(bucket: { calledNumber: string; hour: string }, shardId: string, delta: BucketDelta, read: StoredBucket | undefined, now = Date.now()): Promise<boolean> {
  const e = expression();
  const mark = e.name(watermarkAttribute(shardId));
  const previous = read?.watermarks[watermarkAttribute(shardId)];
  const conditions = [previous ? `${mark} = ${e.value(formatWatermark(previous))}` : `attribute_not_exists(${mark})`];
  const repaired = e.name('repairedThrough');
  conditions.push(read?.repairedThrough ? `${repaired} = ${e.value(read.repairedThrough)}` : `attribute_not_exists(${repaired})`);
  const stale = staleWatermarks(read?.watermarks ?? {}, now).filter((name) => name !== watermarkAttribute(shardId));
  const removes = stale.map((name) => {
    const attr = e.name(name);
    conditions.push(`${attr} = ${e.value(formatWatermark(read!.watermarks[name]!))}`);
    return attr;
  });
  const adds = [`${e.name('v')} ${e.value(1)}`, ...Object.entries(counterValues(delta.counters)).filter(([, v]) => v !== 0).map(([name, v]) => `${e.name(name)} ${e.value(v)}`)];
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: tableName('connectStats'),
        Key: key(bucket),
        UpdateExpression: `ADD ${adds.join(', ')} SET ${mark} = ${e.value(formatWatermark(delta.watermark))}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: e.names,
        ExpressionAttributeValues: e.values,
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );
    recordConsumed(out.ConsumedCapacity);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Adds buckets' counters without watermarks, one unconditional ADD each: the benchmark's and the tests' loader of
 * statistics for CDRs they wrote with putCdrsUnchecked. Nothing in the product counts this way: only the stream does.
 */
export async function addToStats(buckets: StatsBucket[], concurrency = 16): Promise<void> {
  const limit = pLimit(concurrency);
  await Promise.all(
    buckets.map((bucket) =>
      limit(async () => {
        const e = expression();
        const adds = [`${e.name('v')} ${e.value(1)}`, ...Object.entries(counterValues(bucket.counters)).filter(([, v]) => v !== 0).map(([name, v]) => `${e.name(name)} ${e.value(v)}`)];
        await documentClient().send(new UpdateCommand({ TableName: tableName('connectStats'), Key: key(bucket), UpdateExpression: `ADD ${adds.join(', ')}`, ExpressionAttributeNames: e.names, ExpressionAttributeValues: e.values }));
      }),
    ),
  );
}

/** Overwrites buckets' counters (tests that need statistics a given way); nothing in the product does this. */
export async function replaceStats(buckets: StatsBucket[]): Promise<void> {
  for (const bucket of buckets) {
    const e = expression();
    const sets = Object.entries(counterValues(bucket.counters)).map(([name, v]) => `${e.name(name)} = ${e.value(v)}`);
    await documentClient().send(new UpdateCommand({ TableName: tableName('connectStats'), Key: key(bucket), UpdateExpression: `SET ${sets.join(', ')} ADD ${e.name('v')} ${e.value(1)}`, ExpressionAttributeNames: e.names, ExpressionAttributeValues: e.values }));
  }
}

/** The stored hourly buckets of a destination with `from <= hour < to`; reads grow with hours, not calls. */
export async function readStats(calledNumber: string, from: string, to: string): Promise<StoredBucket[]> {
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
 * The audit's repair: overwrites a bucket with its recount of every CDR changed up to `repairedThrough`, but only
 * while the bucket is exactly what the audit compared (`read`, undefined for no bucket): the same version, so no
 * stream write (and no other repair) happened since; a bucket from before versions must still hold the same
 * counters. The stream consumer then skips any record of a change up to `repairedThrough` it meets later: the
 * recount has it. A bucket that already holds the recount (a repair repeated after a crash) counts as repaired.
 */
export async function repairBucket(bucket: StatsBucket, read: Pick<StoredStats, 'counters' | 'version'> | undefined, repairedThrough: string): Promise<'REPAIRED' | 'CHANGED_SINCE_READ'> {
  const e = expression();
  const values = counterValues(bucket.counters);
  const sets = Object.entries(values).map(([name, v]) => `${e.name(name)} = ${e.value(v)}`);
  sets.push(`${e.name('repairedThrough')} = ${e.value(repairedThrough)}`);
  const version = e.name('v');
  let condition: string;
  if (!read) condition = `attribute_not_exists(${e.name('calledNumber')})`;
  else if (read.version > 0) condition = `${version} = ${e.value(read.version)}`;
  else {
    // ADD writes only non-zero counters: a zero may be a missing attribute.
    condition = [
      `attribute_not_exists(${version})`,
      ...Object.entries(counterValues(read.counters)).map(([name, v]) => {
        const attr = e.name(name);
        const value = e.value(v);
        return v === 0 ? `(attribute_not_exists(${attr}) OR ${attr} = ${value})` : `${attr} = ${value}`;
      }),
    ].join(' AND ');
  }
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('connectStats'),
        Key: key(bucket),
        UpdateExpression: `SET ${sets.join(', ')} ADD ${version} ${e.value(1)}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: e.names,
        ExpressionAttributeValues: e.values,
      }),
    );
    return 'REPAIRED';
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const current = await readBucket(bucket);
    const now = current ? counterValues(current.counters) : undefined;
    return now && Object.entries(values).every(([name, v]) => now[name] === v) ? 'REPAIRED' : 'CHANGED_SINCE_READ';
  }
}

/** The first and the latest hour that hold calls of a destination, or null when none does. */
export interface StatsDataRange {
  first: string;
  last: string;
}

/**
 * Where a destination's statistics are: its first and latest stored hour with attempts, read from each end of its
 * partition (a query of a few items each way, not a scan of its hours). A bucket a repair or an adjustment brought
 * back to zero attempts is skipped.
 */
export async function statsDataRange(calledNumber: string): Promise<StatsDataRange | null> {
  const edge = async (forward: boolean): Promise<string | undefined> => {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> } = await documentClient().send(
        new QueryCommand({
          TableName: tableName('connectStats'),
          KeyConditionExpression: 'calledNumber = :n',
          FilterExpression: 'attempts > :zero',
          ExpressionAttributeValues: { ':n': calledNumber, ':zero': 0 },
          ProjectionExpression: '#hour',
          ExpressionAttributeNames: { '#hour': 'hour' },
          ScanIndexForward: forward,
          Limit: 24,
          ExclusiveStartKey,
        }),
      );
      const hour = page.Items?.[0]?.hour;
      if (typeof hour === 'string') return hour;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return undefined;
  };
  const [first, last] = await Promise.all([edge(true), edge(false)]);
  return first && last ? { first, last } : null;
}
