// CDRs in DynamoDB: stored once per `source` + `callId`, queried by account window, by call id and by hour.
import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
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

export async function storeCdr(cdr: Cdr, flags: CdrFlag[], now = new Date()): Promise<StoreResult> {
  const hour = utcHour(cdr.startedAt);
  const item = {
    ...cdr,
    flags: flags.length > 0 ? flags : undefined,
    startedAtUtc: utc(cdr.startedAt),
    destinationStartedAt: `${cdr.calledNumber}#${utc(cdr.startedAt)}`,
    hourShard: hourShardKey(hour, shardOf(cdrKey(cdr))),
    ingestedAt: now.toISOString(),
    expiresAt: Math.floor(Date.parse(cdr.startedAt) / 1000) + RETENTION_DAYS * 86_400,
  };
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
