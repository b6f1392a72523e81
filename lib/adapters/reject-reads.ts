// Reading kept rejects: a source's through the `bySource` index, all of them through a scan (the table has no index
// by time, and a reject's source is whatever the bad record said, so there is no set of partitions to query).
// Rejects are a small fraction of traffic; the run counters and sighting markers that share the table are skipped.
import { QueryCommand, ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../domain/errors';
import type { RejectKind } from '../domain/rejects/identity';
import { type RejectStatus, statusOf } from '../domain/rejects/lifecycle';
import { type Reject, reasonKeys, rejectFromItem } from '../domain/rejects/reject';
import { documentClient, tableName } from './aws';
import { RUN_PREFIX } from './run-counters';

/** Sighting markers' keys (lib/adapters/reject-store.ts). */
export const SEEN_PREFIX = 'seen#';

export interface RejectFilter {
  source?: string;
  /** Matches a reject's kind, a failing field's name, or part of a `field: reason` (case-insensitive). */
  reason?: string;
  /** Closed rejects too, not only open ones. */
  all?: boolean;
  /** Only rejects in this status (wins over `all`). */
  status?: RejectStatus;
  kind?: RejectKind;
}

export function matchesReason(reject: Pick<Reject, 'kind' | 'problems' | 'reasons'>, reason: string): boolean {
  const r = reason.toLowerCase();
  return reject.kind.toLowerCase() === r || reject.problems.some((p) => p.field.toLowerCase() === r) || (reject.reasons ?? reasonKeys(reject.kind, reject.problems)).some((k) => k.toLowerCase().includes(r));
}

/** What DynamoDB can filter on; the reason is matched here (a substring of any problem). */
function serverFilter(filter: RejectFilter): Pick<ScanCommandInput, 'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (!filter.source) {
    parts.push('NOT begins_with(rejectId, :run) AND NOT begins_with(rejectId, :seen)');
    Object.assign(values, { ':run': RUN_PREFIX, ':seen': SEEN_PREFIX });
  }
  const status = filter.status ?? (filter.all ? undefined : 'OPEN');
  if (status) {
    names['#st'] = 'status';
    values[':st'] = status;
    // Items from before statuses were added have none: they are open.
    parts.push(status === 'OPEN' ? '(attribute_not_exists(#st) OR #st = :st)' : '#st = :st');
  }
  if (filter.kind) {
    names['#kind'] = 'kind';
    values[':kind'] = filter.kind;
    parts.push('#kind = :kind');
  }
  if (parts.length === 0) return {};
  return { FilterExpression: parts.join(' AND '), ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}), ExpressionAttributeValues: values };
}

type PageKey = Record<string, unknown>;

function readPage(filter: RejectFilter, ExclusiveStartKey: PageKey | undefined, Limit?: number) {
  const where = serverFilter(filter);
  if (filter.source) {
    return documentClient().send(
      new QueryCommand({
        TableName: tableName('rejects'),
        IndexName: 'bySource',
        KeyConditionExpression: '#src = :src',
        ...where,
        ExpressionAttributeNames: { ...where.ExpressionAttributeNames, '#src': 'source' },
        ExpressionAttributeValues: { ...where.ExpressionAttributeValues, ':src': filter.source },
        ExclusiveStartKey,
        Limit,
      }),
    );
  }
  return documentClient().send(new ScanCommand({ TableName: tableName('rejects'), ...where, ExclusiveStartKey, Limit }));
}

const keep = (item: Reject, filter: RejectFilter) => (!filter.reason || matchesReason(item, filter.reason)) && (filter.all || filter.status || statusOf(item) === 'OPEN');

/** Rejects page by page, in the table's order (a source's by id). */
export async function* rejects(filter: RejectFilter = {}): AsyncGenerator<Reject> {
  let start: PageKey | undefined;
  do {
    const page = await readPage(filter, start);
    for (const item of (page.Items ?? []).map(rejectFromItem)) if (keep(item, filter)) yield item;
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Oldest first: by when first seen, then by place in the file or message. */
export function byFirstSeen(a: Reject, b: Reject): number {
  const at = (r: Reject, key: string) => r.origin[key] ?? '';
  if (a.receivedAt !== b.receivedAt) return a.receivedAt < b.receivedAt ? -1 : 1;
  for (const key of ['ingestRun', 'file', 'seq', 'messageId', 'line', 'index']) {
    const [x, y] = [at(a, key), at(b, key)];
    if (x !== y) return typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
  }
  return a.rejectId.localeCompare(b.rejectId);
}

/** Every kept reject matching the filter (by default closed ones too), oldest first. */
export async function listRejects(filter: RejectFilter = { all: true }): Promise<Reject[]> {
  const all: Reject[] = [];
  for await (const reject of rejects(filter)) all.push(reject);
  return all.sort(byFirstSeen);
}

export interface RejectPage {
  items: Reject[];
  /** Opaque: pass it back for the next page; absent on the last. */
  cursor?: string;
}

/** Table pages one API call reads at most: a page of few matches still answers promptly, with a cursor. */
const MAX_READS = 8;

export const encodeRejectCursor = (key: PageKey): string => Buffer.from(JSON.stringify(key)).toString('base64url');

/** A cursor this API returned for this filter, or a ValidationError on `query.cursor`. */
export function decodeRejectCursor(cursor: string, filter: Pick<RejectFilter, 'source'>): PageKey {
  const refuse = () => new ValidationError('query.cursor', 'not a cursor this API returned for these filters');
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!key || typeof key !== 'object' || Array.isArray(key)) throw refuse();
  const { rejectId, source, ...rest } = key as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof rejectId !== 'string' || rejectId === '' || rejectId.length > 256) throw refuse();
  if (filter.source === undefined ? source !== undefined : source !== filter.source) throw refuse();
  return filter.source === undefined ? { rejectId } : { rejectId, source };
}

/**
 * One page of rejects for the API: up to `limit` matches, in the table's order (a source's by id), and a cursor
 * while more may follow. A page may hold fewer (even none) when few items match: follow the cursor until it is absent.
 */
export async function listRejectPage(filter: RejectFilter, limit: number, cursor?: string): Promise<RejectPage> {
  let start = cursor === undefined ? undefined : decodeRejectCursor(cursor, filter);
  const items: Reject[] = [];
  for (let reads = 0; reads < MAX_READS; reads++) {
    const page = await readPage(filter, start, Math.max(limit * 2, 50));
    for (const item of (page.Items ?? []).map(rejectFromItem)) {
      if (!keep(item, filter)) continue;
      items.push(item);
      if (items.length === limit) return { items, cursor: encodeRejectCursor(filter.source === undefined ? { rejectId: item.rejectId } : { rejectId: item.rejectId, source: item.source }) };
    }
    start = page.LastEvaluatedKey;
    if (!start) return { items };
  }
  return { items, cursor: encodeRejectCursor(start!) };
}

/** What the audit counts of a reject. */
export type RejectSummary = Pick<Reject, 'rejectId' | 'kind' | 'source' | 'reasons' | 'status' | 'receivedAt'>;

/**
 * Rejects first received in [from, to) (instants as ISO-8601 UTC), page by page, for the audit. A parallel Scan: its
 * cost grows with the table (400 days of rejects), not with the period; rejects are a small fraction of traffic,
 * which keeps that affordable for a daily audit. A `byDay` index would make it a query.
 */
export async function* rejectsReceivedBetween(from: string, to: string, segments = 4): AsyncGenerator<RejectSummary[]> {
  const lo = new Date(from).toISOString();
  const hi = new Date(to).toISOString();
  const queue: RejectSummary[][] = [];
  let pending = segments;
  let wake: (() => void) | undefined;
  // The first segment that failed, boxed so that what it threw is rethrown as it was.
  let failure: { error: unknown } | undefined;
  const scanSegment = async (segment: number) => {
    let ExclusiveStartKey: PageKey | undefined;
    do {
      const page = await documentClient().send(
        new ScanCommand({
          TableName: tableName('rejects'),
          Segment: segment,
          TotalSegments: segments,
          FilterExpression: 'receivedAt >= :lo AND receivedAt < :hi AND NOT begins_with(rejectId, :run) AND NOT begins_with(rejectId, :seen)',
          ProjectionExpression: 'rejectId, kind, #src, reasons, problems, #st, receivedAt',
          ExpressionAttributeNames: { '#src': 'source', '#st': 'status' },
          ExpressionAttributeValues: { ':lo': lo, ':hi': hi, ':run': RUN_PREFIX, ':seen': SEEN_PREFIX },
          ExclusiveStartKey,
        }),
      );
      const items = (page.Items ?? []) as (Reject & { reasons?: string[] })[];
      queue.push(items.map((r) => ({ rejectId: r.rejectId, kind: r.kind, source: r.source, reasons: r.reasons ?? reasonKeys(r.kind, r.problems ?? []), status: r.status, receivedAt: r.receivedAt })));
      wake?.();
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  };
  for (let s = 0; s < segments; s++) {
    scanSegment(s).then(
      () => {
        pending--;
        wake?.();
      },
      (error) => {
        failure ??= { error };
        pending--;
        wake?.();
      },
    );
  }
  for (;;) {
    if (failure) throw failure.error;
    const page = queue.shift();
    if (page) {
      yield page;
      continue;
    }
    if (pending === 0) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}
