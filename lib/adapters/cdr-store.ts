// CDRs in DynamoDB, one item per call under its account (`accountId`, then `calledNumber#source#callId`): stored once,
// read by an account's window to a number or by call ids. The audit reaches an hour's CDRs through CdrHours (cdr-hours.ts).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type BatchGetCommandOutput, BatchWriteCommand, type BatchWriteCommandOutput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import pLimit from 'p-limit';
import { canonicalJson } from '../domain/canonical';
import { utcIso } from '../domain/time';
import type { Cdr, CdrFlag } from '../domain/cdr';
import { expiresAtSeconds } from '../domain/retention';
import type { CdrChange } from '../domain/statistics/stream-counts';
import { documentClient, queryAll, recordConsumed, tableName } from './aws';
import { setting } from '../config';

// Same text as new Date(instant).toISOString(), without a Date per call (the hot loop builds one item per CDR).
const utc = utcIso;

const CDR_FIELDS = ['callId', 'source', 'accountId', 'callingNumber', 'calledNumber', 'startedAt', 'answeredAt', 'endedAt', 'disposition', 'releaseCause', 'billedSeconds', 'charge', 'billingIncrement'] as const;

/** The CDR's own fields in a fixed order: equal content gives equal text. */
const canonical = (cdr: Record<string, unknown>): string => canonicalJson(CDR_FIELDS.map((f) => cdr[f] ?? null));

// A stored CDR is compared by its own fields only.
const STORED_PROJECTION = {
  ProjectionExpression: CDR_FIELDS.map((_, i) => `#f${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(CDR_FIELDS.map((f, i) => [`#f${i}`, f])),
};

export function toCdr(item: Record<string, unknown>): Cdr {
  const cdr: Record<string, unknown> = {};
  for (const field of CDR_FIELDS) if (item[field] !== undefined) cdr[field] = item[field];
  return cdr as unknown as Cdr;
}

/** A stream record of the Cdrs table, as Lambda and the local stream runner deliver it (images in wire format). */
export interface CdrStreamRecord {
  eventName?: string;
  dynamodb?: {
    SequenceNumber?: string;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
    /** Epoch seconds from Lambda; a Date from the SDK's GetRecords locally. */
    ApproximateCreationDateTime?: number | Date;
  };
}

/** A Cdrs stream record as a change of a CDR: its old and new content and when the change was made. */
export function cdrChange(record: CdrStreamRecord): CdrChange {
  const image = (raw: Record<string, unknown> | undefined) => (raw ? (unmarshall(raw as Record<string, AttributeValue>) as Record<string, unknown>) : undefined);
  const before = image(record.dynamodb?.OldImage);
  const after = image(record.dynamodb?.NewImage);
  const created = record.dynamodb?.ApproximateCreationDateTime;
  // A settlement names its reject on the item it writes (replaceCdrPut); a later one names another.
  const settlement = typeof after?.settles === 'string' && after.settles !== before?.settles;
  const createdAt = created instanceof Date ? created.toISOString() : new Date((created ?? Date.now() / 1000) * 1000).toISOString();
  return {
    sequence: record.dynamodb?.SequenceNumber ?? '0',
    ...(before ? { before: toCdr(before) } : {}),
    ...(after ? { after: toCdr(after) } : {}),
    changedAt: typeof after?.ingestedAt === 'string' ? after.ingestedAt : createdAt,
    ...(settlement ? { settlement } : {}),
  };
}

export type StoreResult = { status: 'new'; cdr: Cdr } | { status: 'duplicate'; cdr: Cdr } | { status: 'conflict'; cdr: Cdr; existing: Cdr };

// Read once per `now` (storeCdrs passes one per message): the clock's text and the retention setting.
let itemClock: { now: Date; ingestedAt: string; retentionDays: number } | undefined;

/** A CDR's sort key under its account: the called number first, so an account's calls to a number are one range. */
export const callKey = (cdr: Pick<Cdr, 'calledNumber' | 'source' | 'callId'>) => `${cdr.calledNumber}#${cdr.source}#${cdr.callId}`;

/** The primary key of a CDR's item: what a lookup of that CDR needs. */
export const cdrItemKey = (cdr: Pick<Cdr, 'accountId' | 'calledNumber' | 'source' | 'callId'>) => ({ accountId: cdr.accountId, callKey: callKey(cdr) });

/**
 * What makes two CDRs the same stored call: the item key as one string. A re-sent CDR with another start, answer or
 * charge is a conflict; one with another account or called number is another call (README, "Storage").
 */
export const storedIdentity = (cdr: Pick<Cdr, 'accountId' | 'calledNumber' | 'source' | 'callId'>) => `${cdr.accountId}#${callKey(cdr)}`;

/** A CDR as stored: its fields plus its key, its start in UTC (the window filter), when it was stored and expires. */
export function cdrItem(cdr: Cdr, flags: CdrFlag[], now = new Date()): Record<string, unknown> {
  if (itemClock?.now !== now) itemClock = { now, ingestedAt: now.toISOString(), retentionDays: setting('CDR_RETENTION_DAYS') };
  return {
    ...cdr,
    flags: flags.length > 0 ? flags : undefined,
    callKey: callKey(cdr),
    startedAtUtc: utc(cdr.startedAt),
    ingestedAt: itemClock.ingestedAt,
    expiresAt: expiresAtSeconds(cdr.startedAt, itemClock.retentionDays),
  };
}

// One limit for the whole process: the batch processor handles a batch's messages in parallel, and together they
// must not queue more requests than the SDK's connection pool (50 sockets) serves.
const requestLimit = pLimit(16);
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));

/** The stored CDRs with these keys (absent ones are not in the map), read consistently, 100 keys a request. */
async function storedCdrs(cdrs: Cdr[]): Promise<Map<string, Record<string, unknown>>> {
  const table = tableName('cdrs');
  const found = new Map<string, Record<string, unknown>>();
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < cdrs.length; i += 100) chunks.push(cdrs.slice(i, i + 100).map(cdrItemKey));
  await Promise.all(
    chunks.map((keys) =>
      requestLimit(async () => {
        let pending: Record<string, unknown>[] | undefined = keys;
        for (let attempt = 0; pending && pending.length > 0; attempt++) {
          if (attempt > 0) await backoff(attempt);
          const out: BatchGetCommandOutput = await documentClient().send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true, ...STORED_PROJECTION } } }));
          for (const item of out.Responses?.[table] ?? []) found.set(storedIdentity(item as unknown as Cdr), item);
          pending = out.UnprocessedKeys?.[table]?.Keys;
        }
      }),
    ),
  );
  return found;
}

/** Writes items 25 to a request, again for what DynamoDB leaves unprocessed; each chunk settles on its own. */
async function writeItems(items: Record<string, unknown>[]): Promise<PromiseSettledResult<void>[]> {
  const table = tableName('cdrs');
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  const settled = await Promise.allSettled(
    chunks.map((chunk) =>
      requestLimit(async () => {
        let requests: { PutRequest: { Item: Record<string, unknown> } }[] | undefined = chunk.map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; requests && requests.length > 0; attempt++) {
          if (attempt > 0) await backoff(attempt);
          const out: BatchWriteCommandOutput = await documentClient().send(new BatchWriteCommand({ RequestItems: { [table]: requests }, ReturnConsumedCapacity: 'INDEXES' }));
          for (const consumed of out.ConsumedCapacity ?? []) recordConsumed(consumed);
          requests = out.UnprocessedItems?.[table] as typeof requests;
        }
      }),
    ),
  );
  return items.map((_, i) => settled[Math.floor(i / 25)]!);
}

/**
 * Stores CDRs of distinct keys: one consistent read of what is stored (BatchGetItem), then one write of only the new
 * ones (BatchWriteItem): about two requests per 25 CDRs where a conditional put needs 25. A CDR stored already is a
 * duplicate (same content) or a conflict (not written). Two deliveries racing on the same new CDR may both write it:
 * the second write is then a MODIFY of the stream, which the statistics apply as "old content out, new content in",
 * so the CDR is still counted once. Every outcome is reported, failures too.
 */
export async function storeCdrs(entries: { cdr: Cdr; flags: CdrFlag[] }[], now = new Date()): Promise<PromiseSettledResult<StoreResult>[]> {
  let stored: Map<string, Record<string, unknown>>;
  try {
    stored = await storedCdrs(entries.map((e) => e.cdr));
  } catch (error) {
    return entries.map(() => ({ status: 'rejected', reason: error }));
  }
  const fresh = entries.filter((e) => !stored.has(storedIdentity(e.cdr)));
  const written = await writeItems(fresh.map((e) => cdrItem(e.cdr, e.flags, now)));
  const outcomeOf = new Map(fresh.map((e, i) => [e, written[i]!]));
  return entries.map((e): PromiseSettledResult<StoreResult> => {
    const existing = stored.get(storedIdentity(e.cdr));
    if (existing) return { status: 'fulfilled', value: canonical(existing) === canonical(e.cdr) ? { status: 'duplicate', cdr: e.cdr } : { status: 'conflict', cdr: e.cdr, existing: toCdr(existing) } };
    const outcome = outcomeOf.get(e)!;
    return outcome.status === 'fulfilled' ? { status: 'fulfilled', value: { status: 'new', cdr: e.cdr } } : outcome;
  });
}

/** The account's calls to a destination with `from <= startedAt < to`, compared as instants: one range of its calls. */
export async function accountCallsInWindow(accountId: string, calledNumber: string, from: string, to: string): Promise<Cdr[]> {
  const items = await queryAll({
    TableName: tableName('cdrs'),
    KeyConditionExpression: 'accountId = :a AND begins_with(callKey, :n)',
    // UTC text of one format compares as the instants do; the exact test below is on the instants themselves.
    FilterExpression: 'startedAtUtc BETWEEN :lo AND :hi',
    ExpressionAttributeValues: { ':a': accountId, ':n': `${calledNumber}#`, ':lo': utc(from), ':hi': utc(to) },
  });
  return items.map(toCdr).filter((c) => Date.parse(c.startedAt) >= Date.parse(from) && Date.parse(c.startedAt) < Date.parse(to));
}

/**
 * The account's calls with these call ids (any source, any number): one Query of the account's calls per 100 ids
 * (what one IN filter takes), not one per id. It reads the account's stored calls, at most the retention period.
 */
export async function accountCallsById(accountId: string, callIds: string[]): Promise<Cdr[]> {
  const ids = [...new Set(callIds)];
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += 100) chunks.push(ids.slice(i, i + 100));
  const found = await Promise.all(
    chunks.map((chunk) =>
      queryAll({
        TableName: tableName('cdrs'),
        KeyConditionExpression: 'accountId = :a',
        FilterExpression: `callId IN (${chunk.map((_, i) => `:c${i}`).join(', ')})`,
        ExpressionAttributeValues: { ':a': accountId, ...Object.fromEntries(chunk.map((id, i) => [`:c${i}`, id])) },
      }),
    ),
  );
  return found.flat().map(toCdr);
}

// The audit reads only what it uses: the CDR's own fields, when it was stored, and a settlement's reject.
const PAGE_FIELDS = [...CDR_FIELDS, 'ingestedAt', 'settles'];
const PAGE_PROJECTION = {
  ProjectionExpression: PAGE_FIELDS.map((_, i) => `#f${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(PAGE_FIELDS.map((f, i) => [`#f${i}`, f])),
};

/** The stored CDRs with these item keys, as the audit reads them: the CDR's own fields and when it was stored. */
export async function cdrsByItemKey(keys: { accountId: string; callKey: string }[]): Promise<Record<string, unknown>[]> {
  const table = tableName('cdrs');
  const found: Record<string, unknown>[] = [];
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending: Record<string, unknown>[] | undefined = chunk;
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await backoff(attempt);
        const out: BatchGetCommandOutput = await documentClient().send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ...PAGE_PROJECTION } } }));
        found.push(...(out.Responses?.[table] ?? []));
        pending = out.UnprocessedKeys?.[table]?.Keys;
      }
    }),
  );
  return found;
}

/**
 * Writes CDRs without the duplicate check, 25 to a request (the benchmark's loader: it fills a day fast).
 * Ingest never uses this: it must see duplicates and conflicts.
 */
export async function putCdrsUnchecked(cdrs: Cdr[], now = new Date()): Promise<void> {
  const failed = (await writeItems(cdrs.map((cdr) => cdrItem(cdr, [], now)))).find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Settling a conflict by replacing the stored CDR with the conflicting one: a Put of the new content (same key, so
 * the Cdrs stream sees a MODIFY with both images; nothing else is written here), only if the stored item still has
 * exactly the content the conflict recorded, field by field. Returned as a transaction item, so the reject is closed
 * in the same transaction.
 */
export function replaceCdrPut(recorded: Cdr, incoming: Cdr, flags: CdrFlag[], rejectId: string, now = new Date()) {
  if (storedIdentity(recorded) !== storedIdentity(incoming)) throw new TypeError('a replacement keeps the item key');
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const conditions = CDR_FIELDS.map((field, i) => {
    names[`#f${i}`] = field;
    const value = (recorded as Record<string, unknown>)[field];
    if (value === undefined) return `attribute_not_exists(#f${i})`;
    values[`:f${i}`] = value;
    return `#f${i} = :f${i}`;
  });
  return { Put: { TableName: tableName('cdrs'), Item: { ...cdrItem(incoming, flags, now), settles: rejectId }, ConditionExpression: conditions.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values } };
}
