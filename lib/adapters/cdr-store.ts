// CDRs in DynamoDB: stored once per `source` + `callId`, queried by account window, by call id and by hour.
import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import pLimit from 'p-limit';
import { canonicalJson } from '../domain/canonical';
import { type Cdr, type CdrFlag, cdrKey } from '../domain/cdr';
import { utcHour } from '../domain/stats';
import { documentClient, queryAll, recordConsumed, tableName } from './aws';
import { HOUR_SHARDS } from './resources';

const RETENTION_DAYS = 400;
const utc = (instant: string) => new Date(instant).toISOString();

/** Stable shard of a CDR within its hour, so an hour's calls spread over HOUR_SHARDS index partitions. */
function shardOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return h % HOUR_SHARDS;
}

export const hourShardKey = (hour: string, shard: number) => `${hour}#${shard}`;

const CDR_FIELDS = ['callId', 'source', 'accountId', 'callingNumber', 'calledNumber', 'startedAt', 'answeredAt', 'endedAt', 'disposition', 'releaseCause', 'billedSeconds', 'charge', 'billingIncrement'] as const;

/** The CDR's own fields in a fixed order: equal content gives equal text. */
const canonical = (cdr: Record<string, unknown>): string => canonicalJson(CDR_FIELDS.map((f) => cdr[f] ?? null));

export function toCdr(item: Record<string, unknown>): Cdr {
  const cdr: Record<string, unknown> = {};
  for (const field of CDR_FIELDS) if (item[field] !== undefined) cdr[field] = item[field];
  return cdr as unknown as Cdr;
}

export type StoreResult = { status: 'new'; cdr: Cdr } | { status: 'duplicate'; cdr: Cdr } | { status: 'conflict'; cdr: Cdr; existing: Cdr };

/** A CDR as stored: its fields plus the index keys, when it was stored and when it expires. */
export function cdrItem(cdr: Cdr, flags: CdrFlag[], now = new Date()): Record<string, unknown> {
  return {
    ...cdr,
    flags: flags.length > 0 ? flags : undefined,
    startedAtUtc: utc(cdr.startedAt),
    destinationStartedAt: `${cdr.calledNumber}#${utc(cdr.startedAt)}`,
    hourShard: hourShardKey(utcHour(cdr.startedAt), shardOf(cdrKey(cdr))),
    ingestedAt: now.toISOString(),
    expiresAt: Math.floor(Date.parse(cdr.startedAt) / 1000) + RETENTION_DAYS * 86_400,
  };
}

export async function storeCdr(cdr: Cdr, flags: CdrFlag[], now = new Date()): Promise<StoreResult> {
  const item = cdrItem(cdr, flags, now);
  try {
    const out = await documentClient().send(
      new PutCommand({
        TableName: tableName('cdrs'),
        Item: item,
        ConditionExpression: 'attribute_not_exists(callId)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );
    recordConsumed(out.ConsumedCapacity);
    return { status: 'new', cdr };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const existing = unmarshalled(error.Item);
    return canonical(existing) === canonical(cdr as unknown as Record<string, unknown>) ? { status: 'duplicate', cdr } : { status: 'conflict', cdr, existing: toCdr(existing) };
  }
}

// The document client leaves the exception's Item in wire format.
const unmarshalled = (item: Record<string, AttributeValue> | undefined): Record<string, unknown> => (item ? unmarshall(item) : {});

// One limit for the whole process: the batch processor handles a batch's messages in parallel, and together they
// must not queue more requests than the SDK's connection pool (50 sockets) serves.
const putLimit = pLimit(32);

/** Stores CDRs with bounded concurrency (conditional puts cannot be batched); every outcome is reported, failures too. */
export async function storeCdrs(entries: { cdr: Cdr; flags: CdrFlag[] }[]): Promise<PromiseSettledResult<StoreResult>[]> {
  return Promise.allSettled(entries.map((e) => putLimit(() => storeCdr(e.cdr, e.flags))));
}

/** The account's calls to a destination with `from <= startedAt < to`, compared as instants. */
export async function accountCallsInWindow(accountId: string, calledNumber: string, from: string, to: string): Promise<Cdr[]> {
  const items = await queryAll({
    TableName: tableName('cdrs'),
    IndexName: 'byAccount',
    KeyConditionExpression: 'accountId = :a AND destinationStartedAt BETWEEN :lo AND :hi',
    ExpressionAttributeValues: { ':a': accountId, ':lo': `${calledNumber}#${utc(from)}`, ':hi': `${calledNumber}#${utc(to)}` },
  });
  return items.map(toCdr).filter((c) => Date.parse(c.startedAt) >= Date.parse(from) && Date.parse(c.startedAt) < Date.parse(to));
}

/** The account's calls with these call ids (any source). */
export async function accountCallsById(accountId: string, callIds: string[]): Promise<Cdr[]> {
  const limit = pLimit(8);
  const found = await Promise.all(
    [...new Set(callIds)].map((callId) =>
      limit(() => queryAll({ TableName: tableName('cdrs'), KeyConditionExpression: 'callId = :c', ExpressionAttributeValues: { ':c': callId } })),
    ),
  );
  return found.flat().filter((item) => item.accountId === accountId).map(toCdr);
}

/** Every CDR that started in this UTC hour, read from its shards in parallel. */
export async function cdrsInHour(hour: string): Promise<Cdr[]> {
  const shards = await Promise.all(
    Array.from({ length: HOUR_SHARDS }, (_, shard) =>
      queryAll({ TableName: tableName('cdrs'), IndexName: 'byHour', KeyConditionExpression: 'hourShard = :h', ExpressionAttributeValues: { ':h': hourShardKey(hour, shard) } }),
    ),
  );
  return shards.flat().map(toCdr);
}

/** One page of an hour-shard, with when each CDR was stored (same order). */
export interface CdrPage {
  cdrs: Cdr[];
  ingestedAt: (string | undefined)[];
}

// The audit reads only what it uses: the CDR's own fields and when it was stored.
const PAGE_FIELDS = [...CDR_FIELDS, 'ingestedAt'];
const PAGE_PROJECTION = {
  ProjectionExpression: PAGE_FIELDS.map((_, i) => `#f${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(PAGE_FIELDS.map((f, i) => [`#f${i}`, f])),
};

/**
 * One shard of one UTC hour of CDRs, a page at a time (the audit's reader): memory holds a page, not the hour.
 * The next page is requested while the caller works on the current one.
 */
export async function* cdrPagesInHourShard(hour: string, shard: number, pageSize?: number): AsyncGenerator<CdrPage> {
  const fetch = (ExclusiveStartKey: Record<string, unknown> | undefined) =>
    documentClient().send(
      new QueryCommand({
        TableName: tableName('cdrs'),
        IndexName: 'byHour',
        KeyConditionExpression: 'hourShard = :h',
        ExpressionAttributeValues: { ':h': hourShardKey(hour, shard) },
        ...PAGE_PROJECTION,
        Limit: pageSize,
        ExclusiveStartKey,
      }),
    );
  let next: ReturnType<typeof fetch> | undefined = fetch(undefined);
  while (next) {
    const page: Awaited<ReturnType<typeof fetch>> = await next;
    next = page.LastEvaluatedKey ? fetch(page.LastEvaluatedKey) : undefined;
    // A caller that stops early leaves the prefetch behind: it must not become an unhandled rejection.
    next?.catch(() => undefined);
    const items = page.Items ?? [];
    yield { cdrs: items.map(toCdr), ingestedAt: items.map((item) => (typeof item.ingestedAt === 'string' ? item.ingestedAt : undefined)) };
  }
}

/**
 * Writes CDRs without the duplicate check, 25 to a request (the benchmark's loader: it fills a day fast).
 * Ingest never uses this: it must see duplicates and conflicts.
 */
export async function putCdrsUnchecked(cdrs: Cdr[], now = new Date()): Promise<void> {
  for (let i = 0; i < cdrs.length; i += 25) {
    let requests: { PutRequest: { Item: Record<string, unknown> } }[] | undefined = cdrs.slice(i, i + 25).map((cdr) => ({ PutRequest: { Item: cdrItem(cdr, [], now) } }));
    for (let attempt = 0; requests && requests.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
      const out = await documentClient().send(new BatchWriteCommand({ RequestItems: { [tableName('cdrs')]: requests } }));
      requests = out.UnprocessedItems?.[tableName('cdrs')] as typeof requests;
    }
  }
}
