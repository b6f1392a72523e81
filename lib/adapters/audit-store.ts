// Audit reports in DynamoDB. The Audits table is keyed by `auditId` alone, so one report is several items:
//   <auditId>                   the header: status, period, progress, summary, proactive disputes. The only item with
//                               `kind` = 'AUDIT', so the byStartedAt index lists reports and nothing else.
//   <auditId>#finding#<n>       the findings: parts packed into items of at most ~300 KB of JSON (a long list is cut
//                               between parts), so neither a finding with 100,000 calls nor 100,000 small findings
//                               meets the 400 KB item limit or becomes 100,000 items
//   <auditId>#checkpoint        while running: which hours and destination groups are done, and where their results are
//   <auditId>#<name>#<n>        while running: intermediate results, gzip-compressed JSON cut into chunks
// Intermediate items are deleted once the report is COMPLETED.
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditHeader, AuditProgress, AuditReport } from '../domain/audit/findings';
import { type FindingPart, joinFindingParts } from '../domain/audit/finding-parts';
import { InvariantError } from '../domain/errors';
import { documentClient, tableName } from './aws';

const checkpointKey = (auditId: string) => `${auditId}#checkpoint`;
const chunkKey = (auditId: string, name: string, n: number) => `${auditId}#${name}#${n}`;
const findingKey = (auditId: string, n: number) => `${auditId}#finding#${n}`;

/** Chunks of compressed intermediate results and parts of findings stay well under DynamoDB's 400 KB per item. */
const CHUNK_BYTES = 300_000;
/** Findings are cut into parts of at most this much JSON, and parts packed into items of at most FINDING_ITEM_BYTES. */
export const FINDING_PART_BYTES = 250_000;
const FINDING_ITEM_BYTES = 300_000;

/**
 * One hour of CDRs read: how many, and where its results are. Each write of an hour's (or group's) results has its
 * own `token` in its item keys, so two invocations doing the same hour at once (a duplicated message) never mix
 * their chunks: the checkpoint points at one complete write.
 */
export interface HourEntry {
  token: string;
  cdrs: number;
  billingChunks: number;
  /** Chunks of the hour's destination rows, per destination group. */
  rowChunks: number[];
}

/** One destination group compared with the stored statistics; DETECTED until its repairs (if asked) are done. */
export interface GroupEntry {
  token: string;
  chunks: number;
  state: 'DETECTED' | 'DONE';
}

export interface Checkpoint {
  /** How many destination groups the hours' rows are split into (fixed when the audit starts). */
  groups: number;
  hours: Record<string, HourEntry>;
  groupResults: Record<string, GroupEntry>;
}

const INTERNAL = ['kind', 'findingItems'] as const;
function headerOf(item: Record<string, unknown>): AuditHeader {
  const header = { ...item };
  for (const key of INTERNAL) delete header[key];
  return header as unknown as AuditHeader;
}

/**
 * Stores a new report header and its empty checkpoint, or returns the header already stored under this id (an
 * idempotent start: a retried schedule delivery finds the audit it started).
 */
export async function createAudit(header: AuditHeader, groups: number): Promise<{ header: AuditHeader; created: boolean }> {
  try {
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName('audits'), Item: { ...header, kind: 'AUDIT', findingItems: 0 }, ConditionExpression: 'attribute_not_exists(auditId)' } },
          { Put: { TableName: tableName('audits'), Item: { auditId: checkpointKey(header.auditId), groups, hours: {}, groupResults: {} }, ConditionExpression: 'attribute_not_exists(auditId)' } },
        ],
      }),
    );
    return { header, created: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const existing = await getAuditHeader(header.auditId);
    if (!existing) throw error;
    return { header: existing, created: false };
  }
}

export async function getAuditHeader(auditId: string): Promise<AuditHeader | undefined> {
  if (auditId.includes('#')) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName('audits'), Key: { auditId }, ConsistentRead: true }));
  return out.Item ? headerOf(out.Item) : undefined;
}

export async function getCheckpoint(auditId: string): Promise<Checkpoint | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName('audits'), Key: { auditId: checkpointKey(auditId) }, ConsistentRead: true }));
  return out.Item as Checkpoint | undefined;
}

/** Marks an hour done (its results are stored first); SET, so doing an hour twice records it once. */
export async function recordHour(auditId: string, hour: string, entry: HourEntry): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('audits'),
      Key: { auditId: checkpointKey(auditId) },
      UpdateExpression: 'SET hours.#h = :e',
      ExpressionAttributeNames: { '#h': hour },
      ExpressionAttributeValues: { ':e': entry },
    }),
  );
}

export async function recordGroup(auditId: string, group: number, entry: GroupEntry): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('audits'),
      Key: { auditId: checkpointKey(auditId) },
      UpdateExpression: 'SET groupResults.#g = :e',
      ExpressionAttributeNames: { '#g': String(group) },
      ExpressionAttributeValues: { ':e': entry },
    }),
  );
}

/** Records the policy version the audit runs with, once; returns the version recorded (by this call or an earlier one). */
export async function pinPolicyVersion(auditId: string, version: string): Promise<string> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('audits'),
        Key: { auditId },
        UpdateExpression: 'SET policyVersion = :v',
        ConditionExpression: 'attribute_not_exists(policyVersion)',
        ExpressionAttributeValues: { ':v': version },
      }),
    );
    return version;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return (await getAuditHeader(auditId))?.policyVersion ?? version;
  }
}

/** Progress for whoever polls the report; only ever moves forward, whichever invocation writes last. */
export async function updateProgress(auditId: string, field: keyof AuditProgress, value: number): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('audits'),
        Key: { auditId },
        UpdateExpression: 'SET progress.#f = :v',
        ConditionExpression: 'progress.#f < :v',
        ExpressionAttributeNames: { '#f': field },
        ExpressionAttributeValues: { ':v': value },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

// --- Intermediate results: JSON, gzip, cut into chunk items ---

async function batchWrite(items: Record<string, unknown>[]): Promise<void> {
  const table = tableName('audits');
  for (let i = 0; i < items.length; ) {
    // 25 items per request and 16 MB per request: chunks of ~300 KB, so fewer of them.
    const batch: Record<string, unknown>[] = [];
    let bytes = 0;
    while (i < items.length && batch.length < 25) {
      const size = (items[i]!.data as Uint8Array | undefined)?.byteLength ?? 1000;
      if (batch.length > 0 && bytes + size > 12_000_000) break;
      batch.push(items[i]!);
      bytes += size;
      i++;
    }
    let requests: { PutRequest: { Item: Record<string, unknown> } }[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests && requests.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
      const out = await documentClient().send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = out.UnprocessedItems?.[table] as typeof requests;
    }
  }
}

async function batchGet(keys: string[]): Promise<Map<string, Record<string, unknown>>> {
  const table = tableName('audits');
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < keys.length; i += 100) {
    let pending: { auditId: string }[] | undefined = keys.slice(i, i + 100).map((auditId) => ({ auditId }));
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
      const out = await documentClient().send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of out.Responses?.[table] ?? []) found.set(String(item.auditId), item);
      pending = out.UnprocessedKeys?.[table]?.Keys as typeof pending;
    }
  }
  return found;
}

/** The items that store `value` under `name`, and how many there are. */
export function blobItems(auditId: string, name: string, value: unknown): { items: Record<string, unknown>[]; chunks: number } {
  const zipped = gzipSync(JSON.stringify(value));
  const items: Record<string, unknown>[] = [];
  for (let offset = 0, n = 0; offset === 0 || offset < zipped.length; offset += CHUNK_BYTES, n++) {
    items.push({ auditId: chunkKey(auditId, name, n), data: zipped.subarray(offset, offset + CHUNK_BYTES) });
  }
  return { items, chunks: items.length };
}

/** Stores several values at once; returns each one's chunk count, in order. */
export async function putBlobs(auditId: string, blobs: { name: string; value: unknown }[]): Promise<number[]> {
  const built = blobs.map((b) => blobItems(auditId, b.name, b.value));
  await batchWrite(built.flatMap((b) => b.items));
  return built.map((b) => b.chunks);
}

export async function getBlob<T>(auditId: string, name: string, chunks: number): Promise<T> {
  const keys = Array.from({ length: chunks }, (_, n) => chunkKey(auditId, name, n));
  const found = await batchGet(keys);
  const parts = keys.map((key) => {
    const item = found.get(key);
    if (!item) throw new InvariantError(`audit ${auditId}: intermediate result ${key} is missing`);
    return Buffer.from(item.data as Uint8Array);
  });
  return JSON.parse(gunzipSync(Buffer.concat(parts)).toString('utf8')) as T;
}

/** Removes the checkpoint and intermediate results of a finished audit (best effort: they are never read again). */
export async function deleteWorkItems(auditId: string, names: { name: string; chunks: number }[]): Promise<void> {
  const table = tableName('audits');
  const keys = [checkpointKey(auditId), ...names.flatMap(({ name, chunks }) => Array.from({ length: chunks }, (_, n) => chunkKey(auditId, name, n)))];
  for (let i = 0; i < keys.length; i += 25) {
    let requests: { DeleteRequest: { Key: { auditId: string } } }[] | undefined = keys.slice(i, i + 25).map((auditId) => ({ DeleteRequest: { Key: { auditId } } }));
    for (let attempt = 0; requests && requests.length > 0 && attempt < 8; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      const out = await documentClient().send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = out.UnprocessedItems?.[table] as typeof requests;
    }
  }
}

// --- The finished report ---

/** Stores the findings' parts packed into items (plain maps, readable in the console); returns how many items. */
export async function putFindings(auditId: string, parts: FindingPart[]): Promise<number> {
  const items: FindingPart[][] = [];
  let size = Number.POSITIVE_INFINITY;
  for (const part of parts) {
    const bytes = Buffer.byteLength(JSON.stringify(part));
    if (size + bytes > FINDING_ITEM_BYTES) {
      items.push([]);
      size = 0;
    }
    items[items.length - 1]!.push(part);
    size += bytes;
  }
  await batchWrite(items.map((packed, n) => ({ auditId: findingKey(auditId, n), parts: packed })));
  return items.length;
}

/** Completes a RUNNING report with its summary; the findings items are already stored. */
export async function completeAudit(auditId: string, fields: Partial<AuditHeader> & { findingItems: number }): Promise<void> {
  const entries = Object.entries({ ...fields, status: 'COMPLETED' }).filter(([, v]) => v !== undefined);
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('audits'),
        Key: { auditId },
        UpdateExpression: `SET ${entries.map((_, i) => `#k${i} = :v${i}`).join(', ')}`,
        ConditionExpression: '#status = :running',
        ExpressionAttributeNames: { ...Object.fromEntries(entries.map(([k], i) => [`#k${i}`, k])), '#status': 'status' },
        ExpressionAttributeValues: { ...Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])), ':running': 'RUNNING' },
      }),
    );
  } catch (error) {
    // Another invocation of the same audit completed it first, with the same result.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

export async function failAudit(auditId: string, failure: string, now = new Date()): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('audits'),
        Key: { auditId },
        UpdateExpression: 'SET #status = :failed, failure = :f, finishedAt = :at',
        ConditionExpression: '#status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': 'FAILED', ':running': 'RUNNING', ':f': failure.slice(0, 2000), ':at': now.toISOString() },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** A report in full: its header and every finding. */
export async function getAuditReport(auditId: string): Promise<AuditReport | undefined> {
  if (auditId.includes('#')) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName('audits'), Key: { auditId }, ConsistentRead: true }));
  if (!out.Item) return undefined;
  const count = Number(out.Item.findingItems ?? 0);
  const keys = Array.from({ length: count }, (_, n) => findingKey(auditId, n));
  const found = await batchGet(keys);
  const parts = keys.flatMap((key) => {
    const item = found.get(key);
    if (!item) throw new InvariantError(`audit ${auditId}: finding item ${key} is missing`);
    return item.parts as FindingPart[];
  });
  return { ...headerOf(out.Item), findings: joinFindingParts(parts) };
}

/** The latest reports' headers (no findings), newest first. */
export async function listAudits(limit: number): Promise<AuditHeader[]> {
  const out = await documentClient().send(
    new QueryCommand({ TableName: tableName('audits'), IndexName: 'byStartedAt', KeyConditionExpression: 'kind = :k', ExpressionAttributeValues: { ':k': 'AUDIT' }, ScanIndexForward: false, Limit: limit }),
  );
  return (out.Items ?? []).map(headerOf);
}
