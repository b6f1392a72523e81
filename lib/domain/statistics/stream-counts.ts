// Connect statistics derived from the Cdrs table's change stream, applied exactly once per bucket.
//
// A stream shard delivers its records in order, and a retry (after a failure, with any batch boundaries) delivers a
// suffix of what it delivered before. Each bucket therefore keeps, per shard, the sequence number of the last record
// of that shard it has applied (its watermark): a record at or below it was applied already and is skipped. The
// counters and the watermark change in one conditional write, so no record is applied twice and none is skipped.
import { type Cdr, cdrDifferences } from '../cdr';
import { instantMillis } from '../time';
import { type ConnectCounters, countInto, emptyCounters, utcHour } from './connect-statistics';

/** One change of a stored CDR as its stream record tells it; `before`/`after` are the old and new content. */
export interface CdrChange {
  /** The record's sequence number in its shard: digits, compared as a number. */
  sequence: string;
  before?: Cdr;
  after?: Cdr;
  /** When the change was made: the new image's `ingestedAt` (else the record's creation time), ISO-8601 UTC. */
  changedAt: string;
  /** A modify made by settling a conflict (a reviewer replaced the stored CDR), not by ingest. */
  settlement?: boolean;
}

/**
 * Modifies that no settlement made and that changed the CDR: two ingest deliveries in different processes both read
 * the CDR absent and both wrote it, with different content. The later one is stored; the earlier one must be kept for
 * review, as any conflict is.
 */
export function overwrittenByRace(changes: CdrChange[]): (CdrChange & { before: Cdr; after: Cdr })[] {
  return changes.filter((c): c is CdrChange & { before: Cdr; after: Cdr } => c.before !== undefined && c.after !== undefined && !c.settlement && cdrDifferences(c.after, c.before).length > 0);
}

/** A bucket's state as this shard's consumer needs it. */
export interface BucketState {
  /** This shard's watermark on the bucket, if it has one. */
  watermark?: Watermark;
  /** The audit's repair rewrote the bucket from a recount of every CDR changed up to this instant. */
  repairedThrough?: string;
}

/** A shard's mark on a bucket: the last sequence number applied, and the newest change time among its records. */
export interface Watermark {
  sequence: string;
  changedAt: string;
}

/** A bucket's share of one batch: its key and, in stream order, the signed CDRs of each change. */
export interface BucketChanges {
  calledNumber: string;
  hour: string;
  changes: { sequence: string; changedAt: string; plus: Cdr[]; minus: Cdr[] }[];
}

/** What one conditional write adds to a bucket, and the watermark it leaves. */
export interface BucketDelta {
  counters: ConnectCounters;
  watermark: Watermark;
  /** Changes counted by this write (skipped ones, already applied or already in a repair, are not). */
  applied: number;
}

/** Sequence numbers are decimal strings of up to 40 digits: compared as numbers, never as text. */
export const sequenceAfter = (a: string, b: string): boolean => BigInt(a) > BigInt(b);

export const bucketKey = (calledNumber: string, hour: string) => `${calledNumber}|${hour}`;

/**
 * A batch of changes (one shard, in stream order) split by bucket. An insert adds its CDR, a modify subtracts the old
 * content and adds the new (in their own buckets when it moved), a removal (TTL expiry) changes nothing: statistics
 * outlive the CDRs they were counted from.
 */
export function changesByBucket(changes: CdrChange[]): BucketChanges[] {
  const buckets = new Map<string, BucketChanges>();
  const entry = (cdr: Cdr, change: CdrChange) => {
    const hour = utcHour(cdr.startedAt);
    const key = bucketKey(cdr.calledNumber, hour);
    const bucket = buckets.get(key) ?? buckets.set(key, { calledNumber: cdr.calledNumber, hour, changes: [] }).get(key)!;
    let last = bucket.changes.at(-1);
    if (last?.sequence !== change.sequence) bucket.changes.push((last = { sequence: change.sequence, changedAt: change.changedAt, plus: [], minus: [] }));
    return last;
  };
  for (const change of changes) {
    if (!change.after) continue; // a removal
    if (change.before) entry(change.before, change).minus.push(change.before);
    entry(change.after, change).plus.push(change.after);
  }
  return [...buckets.values()];
}

function add(a: ConnectCounters, b: ConnectCounters, sign: 1 | -1): ConnectCounters {
  return {
    attempts: a.attempts + sign * b.attempts,
    answered: a.answered + sign * b.answered,
    userFailures: a.userFailures + sign * b.userFailures,
    callerAbandons: a.callerAbandons + sign * b.callerAbandons,
    callerErrors: a.callerErrors + sign * b.callerErrors,
    networkFailures: a.networkFailures + sign * b.networkFailures,
    talkMillis: a.talkMillis + sign * b.talkMillis,
    shortCalls: a.shortCalls + sign * b.shortCalls,
    ttaHistogram: a.ttaHistogram.map((n, i) => n + sign * (b.ttaHistogram[i] ?? 0)),
  };
}

/**
 * What this batch still owes a bucket, given its state as read: the changes after the shard's watermark, less those
 * a repair already recounted (changed at or before `repairedThrough`). Undefined when nothing is after the watermark
 * (a retried batch the bucket has seen): then there is nothing to write.
 */
export function pendingDelta(bucket: BucketChanges, state: BucketState): BucketDelta | undefined {
  const after = bucket.changes.filter((c) => !state.watermark || sequenceAfter(c.sequence, state.watermark.sequence));
  if (after.length === 0) return undefined;
  // Added and subtracted apart, in place, then once together: counts are integers, so the order changes nothing.
  const plus = emptyCounters();
  const minus = emptyCounters();
  let applied = 0;
  const repaired = state.repairedThrough ? instantMillis(state.repairedThrough) : undefined;
  for (const change of after) {
    if (repaired !== undefined && instantMillis(change.changedAt) <= repaired) continue;
    for (const cdr of change.plus) countInto(plus, cdr);
    for (const cdr of change.minus) countInto(minus, cdr);
    applied++;
  }
  const newest = [state.watermark?.changedAt, ...after.map((c) => c.changedAt)].filter((t): t is string => t !== undefined).sort((a, b) => instantMillis(a) - instantMillis(b)).at(-1)!;
  return { counters: add(plus, minus, -1), watermark: { sequence: after.at(-1)!.sequence, changedAt: newest }, applied };
}

/** A watermark as stored: `<sequence> <changedAt>`, one string so one attribute holds it. */
export const formatWatermark = (w: Watermark): string => `${w.sequence} ${w.changedAt}`;
export function parseWatermark(text: string): Watermark | undefined {
  const [sequence, changedAt] = text.split(' ');
  return sequence && /^\d+$/.test(sequence) && changedAt ? { sequence, changedAt } : undefined;
}

/**
 * Stream records live 24 hours: a shard's watermark whose newest change is older than this can no longer meet a
 * record at or below it, so it may be dropped to keep the bucket item small (under 1 KB: one write unit).
 */
export const WATERMARK_KEEP_MS = 48 * 3_600_000;

/** The watermarks (by attribute name) that may be dropped at `now`. */
export function staleWatermarks(watermarks: Record<string, Watermark>, now: number): string[] {
  return Object.entries(watermarks)
    .filter(([, w]) => now - Date.parse(w.changedAt) > WATERMARK_KEEP_MS)
    .map(([name]) => name);
}

/** The newest change any shard has applied to a bucket (undefined when no watermark says). */
export function newestChange(watermarks: Iterable<Watermark>): string | undefined {
  let newest: string | undefined;
  for (const w of watermarks) if (!newest || Date.parse(w.changedAt) > Date.parse(newest)) newest = w.changedAt;
  return newest;
}
