// Rejected input: every record that failed validation, and every conflicting one, is kept with its raw text, where
// it came from, every failing field, and what a replay needs to run it through its format adapter again.
//  - Bounded whatever the input (lib/domain/rejects/bounds.ts): no bad record can make its reject unstorable.
//  - Idempotent (lib/domain/rejects/identity.ts): the same bad record from the same source is one item, its id
//    derived from its content; each distinct origin adds one sighting, once, through a marker item per sighting
//    (`seen#…`, expiring after SQS's longest retention) written in the same transaction as the count.
//  - Closed once (lib/domain/rejects/lifecycle.ts), with who and when.
// The same table holds the counters of file-ingest runs (`run#…`, lib/adapters/run-counters.ts).
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, type TransactWriteCommandInput, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type FieldProblem, cdrKey } from '../domain/cdr';
import { REJECT_LIMITS, boundRejectTexts, cutUtf8 } from '../domain/rejects/bounds';
import { type RejectKind, idFromHex, identityText, originText } from '../domain/rejects/identity';
import type { RejectStatus, Resolution } from '../domain/rejects/lifecycle';
import { type NewReject, type Origin, type Reject, reasonKeys, rejectFromItem } from '../domain/rejects/reject';
import { documentClient, recordConsumed, tableName } from './aws';
import { SEEN_PREFIX } from './reject-reads';
import { RUN_PREFIX } from './run-counters';

export { type RunCounts, countRunMessage, getRun } from './run-counters';
export { type RejectFilter, type RejectPage, type RejectSummary, listRejectPage, listRejects, matchesReason, rejects, rejectsReceivedBetween } from './reject-reads';
export type { NewReject, Origin, Reject, RejectKind, RejectStatus };
export { reasonKeys };

const RETENTION_DAYS = 400;
/** A sighting's marker outlives any redelivery: SQS keeps a message 14 days at most. */
const SIGHTING_MARKER_DAYS = 15;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The record's full length in bytes and its SHA-256: of the exact bytes when they were not valid UTF-8. */
export function rawDigest(raw: string, rawBase64?: string): { bytes: number; sha256: string } {
  const bytes = rawBase64 === undefined ? Buffer.from(raw, 'utf8') : Buffer.from(rawBase64, 'base64');
  return { bytes: bytes.length, sha256: sha256(bytes) };
}

/** The reject's id: the same bad record from the same source (and for a conflict, the same stored CDR) has one. */
export function rejectIdOf(reject: Pick<NewReject, 'kind' | 'source' | 'raw' | 'rawBase64' | 'storedCdr'>): string {
  const conflictsWith = reject.kind === 'CONFLICT' && reject.storedCdr ? cdrKey(reject.storedCdr) : undefined;
  return idFromHex(sha256(identityText({ kind: reject.kind, source: reject.source, rawSha256: rawDigest(reject.raw, reject.rawBase64).sha256, conflictsWith })));
}

// Sightings of one reject in this process are written one after another: concurrent transactions on one item
// would cancel each other (TransactionConflict). Other processes' are retried below.
const pending = new Map<string, Promise<unknown>>();

function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = pending.get(key) ?? Promise.resolve();
  const mine = before.then(work, work);
  const tail = mine.catch(() => undefined);
  pending.set(key, tail);
  void tail.then(() => {
    if (pending.get(key) === tail) pending.delete(key);
  });
  return mine;
}

const cancelReasons = (error: unknown): string[] => (error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None') : []);

/**
 * Keeps a reject, or counts one more sighting of the same reject; a sighting already counted (the same origin
 * again: an SQS redelivery) changes nothing. `position` is the record's place in its message.
 */
export async function keepReject(reject: NewReject, sighting: { position: number; now?: Date }): Promise<{ rejectId: string; sighting: 'counted' | 'already counted' }> {
  const now = sighting.now ?? new Date();
  const digest = rawDigest(reject.raw, reject.rawBase64);
  const rejectId = rejectIdOf(reject);
  const bounded = boundRejectTexts(reject);
  const marker = `${SEEN_PREFIX}${rejectId}#${idFromHex(sha256(originText(reject.origin, sighting.position)))}`;
  const first: Record<string, unknown> = {
    kind: reject.kind,
    source: bounded.source,
    raw: bounded.raw,
    rawBase64: bounded.rawBase64,
    rawBytes: digest.bytes,
    rawSha256: digest.sha256,
    truncated: bounded.truncated.length > 0 ? bounded.truncated : undefined,
    problems: bounded.problems,
    reasons: reasonKeys(reject.kind, bounded.problems),
    receivedAt: now.toISOString(),
    origin: bounded.origin,
    format: reject.format,
    options: reject.options,
    storedCdr: reject.storedCdr,
    incomingCdr: reject.incomingCdr,
    status: 'OPEN',
  };
  const present = Object.entries(first).filter(([, value]) => value !== undefined);
  const names = Object.fromEntries(present.map(([name], i) => [`#a${i}`, name]));
  const values: Record<string, unknown> = Object.fromEntries(present.map(([, value], i) => [`:a${i}`, value]));
  Object.assign(values, { ':now': now.toISOString(), ':origin': bounded.origin, ':one': 1, ':exp': Math.floor(now.getTime() / 1000) + RETENTION_DAYS * 86_400 });
  // Written inline in the command, so the least-privilege analysis (test/infra) reads each item's action.
  const transaction = () =>
    new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName: tableName('rejects'), Item: { rejectId: marker, expiresAt: Math.floor(now.getTime() / 1000) + SIGHTING_MARKER_DAYS * 86_400 }, ConditionExpression: 'attribute_not_exists(rejectId)' } },
      {
        Update: {
          TableName: tableName('rejects'),
          Key: { rejectId },
          // What the first sighting wrote stays; each sighting moves the last one and the retention on.
          UpdateExpression: `SET ${present.map((_, i) => `#a${i} = if_not_exists(#a${i}, :a${i})`).join(', ')}, lastSeenAt = :now, lastOrigin = :origin, expiresAt = :exp ADD sightings :one`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    ],
    ReturnConsumedCapacity: 'TOTAL',
  });
  return oneAtATime(rejectId, async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await documentClient().send(transaction());
        for (const c of out.ConsumedCapacity ?? []) recordConsumed(c);
        return { rejectId, sighting: 'counted' as const };
      } catch (error) {
        const reasons = cancelReasons(error);
        if (reasons[0] === 'ConditionalCheckFailed') return { rejectId, sighting: 'already counted' as const };
        if (!reasons.includes('TransactionConflict') || attempt >= 5) throw error;
        await new Promise((r) => setTimeout(r, 20 * 2 ** attempt * (0.5 + Math.random())));
      }
    }
  });
}

export async function getReject(rejectId: string): Promise<Reject | undefined> {
  if (rejectId.startsWith(RUN_PREFIX) || rejectId.startsWith(SEEN_PREFIX)) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName('rejects'), Key: { rejectId }, ConsistentRead: true }));
  return out.Item ? rejectFromItem(out.Item) : undefined;
}

const OPEN_CONDITION = 'attribute_exists(rejectId) AND (attribute_not_exists(#st) OR #st = :open)';

/** Who ran a replay: the operator's login on the machine the CLI runs on. */
function operatorLogin(): string {
  try {
    return `${userInfo().username} (rejects replay)`;
  } catch {
    return 'rejects replay';
  }
}

/**
 * A replay sent the reject through ingest again: closed as REPLAYED, kept, so nothing about it is lost. A reject
 * someone closed meanwhile stays as they closed it.
 */
export async function markReplayed(rejectId: string, replayRun: string, correctedRaw?: string, now = new Date(), by = operatorLogin()): Promise<void> {
  const resolution: Resolution = { status: 'REPLAYED', by, at: now.toISOString(), replayRun };
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('rejects'),
        Key: { rejectId },
        UpdateExpression: `SET #st = :st, resolution = :res, replayedAt = :at, replayRun = :run${correctedRaw === undefined ? '' : ', correctedRaw = :raw'}`,
        ConditionExpression: OPEN_CONDITION,
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: { ':st': 'REPLAYED', ':open': 'OPEN', ':res': resolution, ':at': resolution.at, ':run': replayRun, ...(correctedRaw === undefined ? {} : { ':raw': cutUtf8(correctedRaw, REJECT_LIMITS.rawBytes) }) },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** A replay that still fails: the reject keeps its place, with what is wrong now (bounded like the first problems). */
export async function updateProblems(rejectId: string, problems: FieldProblem[], now = new Date()): Promise<void> {
  const bounded = boundRejectTexts({ source: 'x', raw: '', problems, origin: {} }).problems;
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('rejects'),
      Key: { rejectId },
      UpdateExpression: 'SET problems = :p, reasons = :r, lastReplayAt = :at ADD replayAttempts :one',
      ConditionExpression: 'attribute_exists(rejectId)',
      ExpressionAttributeValues: { ':p': bounded, ':r': reasonKeys('INVALID', bounded), ':at': now.toISOString(), ':one': 1 },
    }),
  );
}

const closeUpdate = (rejectId: string, resolution: Resolution) => ({
  TableName: tableName('rejects'),
  Key: { rejectId },
  UpdateExpression: 'SET #st = :st, resolution = :res',
  ConditionExpression: OPEN_CONDITION,
  ExpressionAttributeNames: { '#st': 'status' },
  ExpressionAttributeValues: { ':st': resolution.status, ':res': resolution, ':open': 'OPEN' },
});

/** Closes an open reject as `resolution` says; 'not open' when it is closed already (or gone). */
export async function closeReject(rejectId: string, resolution: Resolution): Promise<Reject | 'not open'> {
  try {
    const out = await documentClient().send(new UpdateCommand({ ...closeUpdate(rejectId, resolution), ReturnValues: 'ALL_NEW' }));
    return rejectFromItem(out.Attributes ?? {});
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'not open';
    throw error;
  }
}

/**
 * Settles a conflict by replacing the stored CDR, in one transaction with closing the reject: `cdrPut` (from the
 * CDR store) writes only if the stored CDR still has the content the conflict recorded.
 */
export async function closeWithReplace(rejectId: string, resolution: Resolution, cdrPut: NonNullable<TransactWriteCommandInput['TransactItems']>[number]): Promise<'replaced' | 'stored changed' | 'not open'> {
  try {
    await documentClient().send(new TransactWriteCommand({ TransactItems: [cdrPut, { Update: closeUpdate(rejectId, resolution) }] }));
    return 'replaced';
  } catch (error) {
    const reasons = cancelReasons(error);
    if (reasons[0] === 'ConditionalCheckFailed') return 'stored changed';
    if (reasons[1] === 'ConditionalCheckFailed') return 'not open';
    throw error;
  }
}

