// Rejected input: every record that failed validation, and every conflicting one, is kept with its raw text, where
// it came from, every failing field, and what a replay needs to run it through its format adapter again.
// The same table holds the counters of file-ingest runs (`run#<id>`), which the ingest handler adds to and the
// CLI reads for its summary.
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { encodeTime, ulid } from 'ulid';
import type { FieldProblem } from '../domain/cdr';
import { documentClient, recordConsumed, tableName } from './aws';

const RETENTION_DAYS = 400;
const RUN_RETENTION_DAYS = 30;
const RUN_PREFIX = 'run#';

export type RejectKind = 'INVALID' | 'CONFLICT';
export type RejectStatus = 'OPEN' | 'REPLAYED';

export interface Reject {
  rejectId: string;
  kind: RejectKind;
  source: string;
  raw: string;
  /** The exact bytes, base64, when they were not valid UTF-8. */
  rawBase64?: string;
  problems: FieldProblem[];
  /** `field: reason` of each problem (or CONFLICT): what listing by reason and the run summary group by. */
  reasons: string[];
  receivedAt: string;
  /** Where it came from: the SQS message and position, or the file, line and ingest run. */
  origin: Record<string, string | number>;
  /** The format adapter and operator options that read it, so a replay reads it the same way. */
  format?: string;
  options?: Record<string, unknown>;
  /** OPEN until a replay sent it through ingest again. Items written before replay existed have none: OPEN. */
  status?: RejectStatus;
  replayedAt?: string;
  replayRun?: string;
  /** The operator's corrected text, when the replay used one instead of `raw`. */
  correctedRaw?: string;
}

export type NewReject = Omit<Reject, 'rejectId' | 'receivedAt' | 'reasons' | 'status'>;

export const reasonKeys = (kind: RejectKind, problems: FieldProblem[]): string[] =>
  kind === 'CONFLICT' ? ['CONFLICT'] : [...new Set(problems.map((p) => `${p.field}: ${p.reason}`))];

function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * A ULID-shaped id that is the same every time the same message position is stored: a redelivered message
 * rewrites its rejects instead of adding copies. Time-sorted by when the message was sent, then by position.
 */
export function stableRejectId(sentAt: number, messageId: string, position: number): string {
  const b32 = (n: number, len: number) => encodeTime(n, len); // Crockford base32, as ULIDs are
  return `${encodeTime(sentAt, 10)}${b32(hash32(messageId), 7)}${b32(hash32(`${messageId}#`), 3)}${b32(position, 6)}`;
}

/** Stores a reject. With a stable `rejectId`, storing it again (a redelivery) keeps the first and changes nothing. */
export async function putReject(reject: NewReject, options: { rejectId?: string; now?: Date } = {}): Promise<Reject> {
  const now = options.now ?? new Date();
  const stored: Reject = { rejectId: options.rejectId ?? ulid(now.getTime()), receivedAt: now.toISOString(), ...reject, reasons: reasonKeys(reject.kind, reject.problems), status: 'OPEN' };
  try {
    const out = await documentClient().send(
      new PutCommand({
        TableName: tableName('rejects'),
        Item: { ...stored, expiresAt: Math.floor(now.getTime() / 1000) + RETENTION_DAYS * 86_400 },
        ConditionExpression: options.rejectId ? 'attribute_not_exists(rejectId)' : undefined,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    recordConsumed(out.ConsumedCapacity);
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  return stored;
}

export interface RejectFilter {
  source?: string;
  /** Matches a reject's kind, a failing field's name, or part of a `field: reason` (case-insensitive). */
  reason?: string;
  /** Replayed rejects too, not only open ones. */
  all?: boolean;
}

export function matchesReason(reject: Pick<Reject, 'kind' | 'problems' | 'reasons'>, reason: string): boolean {
  const r = reason.toLowerCase();
  return reject.kind.toLowerCase() === r || reject.problems.some((p) => p.field.toLowerCase() === r) || (reject.reasons ?? reasonKeys(reject.kind, reject.problems)).some((k) => k.toLowerCase().includes(r));
}

/** Rejects page by page, oldest first: a source's through its index, all of them through a scan. */
export async function* rejects(filter: RejectFilter = {}): AsyncGenerator<Reject> {
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = filter.source
      ? await documentClient().send(
          new QueryCommand({ TableName: tableName('rejects'), IndexName: 'bySource', KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'source' }, ExpressionAttributeValues: { ':s': filter.source }, ExclusiveStartKey }),
        )
      : await documentClient().send(
          new ScanCommand({ TableName: tableName('rejects'), FilterExpression: 'NOT begins_with(rejectId, :run)', ExpressionAttributeValues: { ':run': RUN_PREFIX }, ExclusiveStartKey }),
        );
    // A scan returns its page in hash order: sort each page; across pages the CLI's listing is only per page sorted.
    const items = (page.Items ?? []) as Reject[];
    if (!filter.source) items.sort((a, b) => a.rejectId.localeCompare(b.rejectId));
    for (const item of items) {
      if (!filter.all && item.status === 'REPLAYED') continue;
      if (filter.reason && !matchesReason(item, filter.reason)) continue;
      yield item;
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

/** Every kept reject, replayed ones too, oldest first. */
export async function listRejects(filter: RejectFilter = { all: true }): Promise<Reject[]> {
  const all: Reject[] = [];
  for await (const reject of rejects(filter)) all.push(reject);
  return all.sort((a, b) => a.rejectId.localeCompare(b.rejectId));
}

export async function getReject(rejectId: string): Promise<Reject | undefined> {
  if (rejectId.startsWith(RUN_PREFIX)) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName('rejects'), Key: { rejectId } }));
  return out.Item as Reject | undefined;
}

/** A replay sent the reject through ingest again: it stays, marked, so nothing about it is lost. */
export async function markReplayed(rejectId: string, replayRun: string, correctedRaw?: string, now = new Date()): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('rejects'),
      Key: { rejectId },
      UpdateExpression: `SET #st = :st, replayedAt = :at, replayRun = :run${correctedRaw === undefined ? '' : ', correctedRaw = :raw'}`,
      ConditionExpression: 'attribute_exists(rejectId)',
      ExpressionAttributeNames: { '#st': 'status' },
      ExpressionAttributeValues: { ':st': 'REPLAYED', ':at': now.toISOString(), ':run': replayRun, ...(correctedRaw === undefined ? {} : { ':raw': correctedRaw }) },
    }),
  );
}

/** A replay that still fails: the reject keeps its place, with what is wrong now. */
export async function updateProblems(rejectId: string, problems: FieldProblem[], now = new Date()): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('rejects'),
      Key: { rejectId },
      UpdateExpression: 'SET problems = :p, reasons = :r, lastReplayAt = :at ADD replayAttempts :one',
      ConditionExpression: 'attribute_exists(rejectId)',
      ExpressionAttributeValues: { ':p': problems, ':r': reasonKeys('INVALID', problems), ':at': now.toISOString(), ':one': 1 },
    }),
  );
}

// Ingest runs: the counters of one file (or replay) sent through the queue, so its sender can say what came of it.

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
 * transaction, so a redelivered message that was already counted adds nothing.
 */
export async function countRunMessage(runId: string, seq: number, counts: RunCounts, now = new Date()): Promise<'counted' | 'already counted'> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':exp': Math.floor(now.getTime() / 1000) + RUN_RETENTION_DAYS * 86_400, ':now': now.toISOString() };
  const adds: string[] = [];
  for (const [i, counter] of COUNTERS.entries()) {
    names[`#c${i}`] = counter;
    values[`:c${i}`] = counts[counter];
    adds.push(`#c${i} :c${i}`);
  }
  for (const [i, [reason, n]] of Object.entries(counts.byReason).entries()) {
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

/** What the audit counts of a reject. */
export type RejectSummary = Pick<Reject, 'rejectId' | 'kind' | 'source' | 'reasons' | 'status' | 'receivedAt'>;

/**
 * Rejects received in [from, to) (instants as ISO-8601 UTC), page by page, for the audit. A parallel Scan: the
 * table has no index by time and a reject's `source` is whatever the bad record said, so there is no set of
 * partitions to query. Its cost grows with the table (400 days of rejects), not with the period; rejects are a
 * small fraction of traffic, which keeps that affordable for a daily audit. A `byDay` index would make it a query.
 */
export async function* rejectsReceivedBetween(from: string, to: string, segments = 4): AsyncGenerator<RejectSummary[]> {
  const lo = new Date(from).toISOString();
  const hi = new Date(to).toISOString();
  const queue: RejectSummary[][] = [];
  let pending = segments;
  let wake: (() => void) | undefined;
  let failure: unknown;
  const scanSegment = async (segment: number) => {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await documentClient().send(
        new ScanCommand({
          TableName: tableName('rejects'),
          Segment: segment,
          TotalSegments: segments,
          FilterExpression: 'receivedAt >= :lo AND receivedAt < :hi AND NOT begins_with(rejectId, :run)',
          ProjectionExpression: 'rejectId, kind, #src, reasons, problems, #st, receivedAt',
          ExpressionAttributeNames: { '#src': 'source', '#st': 'status' },
          ExpressionAttributeValues: { ':lo': lo, ':hi': hi, ':run': RUN_PREFIX },
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
        failure ??= error;
        pending--;
        wake?.();
      },
    );
  }
  for (;;) {
    if (failure) throw failure;
    const page = queue.shift();
    if (page) {
      yield page;
      continue;
    }
    if (pending === 0) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}
