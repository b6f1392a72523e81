// Counting stored CDRs into the connect statistics, from the Cdrs table's stream: one batch of one shard at a time.
// The batch's CDRs are first entered in the hour index (CdrHours, the audit's way in); a failure there fails the
// batch from its first record, and the retry's pages overlap the ones written (the reader skips the overlap).
// Each bucket the batch touches is read, given only the changes after this shard's watermark on it, and written in
// one conditional update (counters and watermark together); a bucket another writer changed meanwhile is read again.
// A bucket that cannot be written fails the batch from its first change, which the mapping delivers again: the
// buckets already written skip what they have (their watermark), so nothing is counted twice or left out.
import pLimit from 'p-limit';
import { cdrDifferences } from '../../domain/cdr';
import { type CdrChange, bucketKey, changesByBucket, overwrittenByRace, pendingDelta } from '../../domain/statistics/stream-counts';
import { hourPages, writeHourPages } from '../../adapters/cdr-hours';
import { keepReject } from '../../adapters/reject-store';
import { type StoredBucket, applyStreamDelta, readBucket, readBuckets, watermarkAttribute } from '../../adapters/stats-store';

/** Conditional writes a bucket may lose to other writers in one batch before the batch fails (and is retried). */
const WRITE_ATTEMPTS = 6;

export interface CountResult {
  /** Buckets the batch touched, and written by it. */
  buckets: number;
  written: number;
  /** Changes counted now; changes a bucket had counted already (a retried batch) or a repair had recounted. */
  counted: number;
  /** The sequence number to deliver again from, when a bucket could not be written. */
  failedFrom?: string;
  error?: unknown;
}

/**
 * Keeps, as a CONFLICT reject, the content that another ingest delivery overwrote in a race (overwrittenByRace): the
 * stored CDR is the later write, the reject holds the earlier one, and settling it can put that one back. Its origin
 * is the stream record, so a batch delivered again finds the same reject and adds no sighting.
 */
async function keepOverwritten(shardId: string, changes: CdrChange[]): Promise<{ failedFrom?: string; error?: unknown }> {
  for (const change of overwrittenByRace(changes)) {
    const { before, after } = change;
    try {
      await keepReject(
        {
          kind: 'CONFLICT',
          source: after.source,
          raw: JSON.stringify(before),
          origin: { stream: 'cdrs', shardId, sequence: change.sequence },
          format: 'jsonl',
          options: {},
          problems: [{ field: 'callId', reason: `two deliveries of ${after.source}/${after.callId} with different content were stored at the same moment: the later is stored, this one is kept for review` }, ...cdrDifferences(after, before)],
          storedCdr: after,
          incomingCdr: before,
        },
        { position: 0 },
      );
    } catch (error) {
      return { failedFrom: change.sequence, error };
    }
  }
  return {};
}

export async function countCdrChanges(shardId: string, changes: CdrChange[], now = () => Date.now()): Promise<CountResult> {
  const buckets = changesByBucket(changes);
  const result: CountResult = { buckets: buckets.length, written: 0, counted: 0 };
  // First, so a failure here retries the batch from that record before any bucket moves past it (they skip anyway).
  const kept = await keepOverwritten(shardId, changes);
  if (kept.failedFrom) return { ...result, ...kept };
  try {
    await writeHourPages(hourPages(shardId, changes));
  } catch (error) {
    return { ...result, failedFrom: changes[0]!.sequence, error };
  }
  if (buckets.length === 0) return result;
  const failed: string[] = [];
  let read: Map<string, StoredBucket>;
  try {
    read = await readBuckets(buckets);
  } catch (error) {
    return { ...result, failedFrom: changes[0]!.sequence, error };
  }
  const limit = pLimit(16);
  await Promise.all(
    buckets.map((bucket) =>
      limit(async () => {
        let state = read.get(bucketKey(bucket.calledNumber, bucket.hour));
        try {
          for (let attempt = 1; ; attempt++) {
            const delta = pendingDelta(bucket, { watermark: state?.watermarks[watermarkAttribute(shardId)], repairedThrough: state?.repairedThrough });
            if (!delta) return;
            if (await applyStreamDelta(bucket, shardId, delta, state, now())) {
              result.written++;
              result.counted += delta.applied;
              return;
            }
            if (attempt >= WRITE_ATTEMPTS) throw new Error(`bucket ${bucket.calledNumber} ${bucket.hour} changed under ${WRITE_ATTEMPTS} attempts in a row`);
            state = await readBucket(bucket);
          }
        } catch (error) {
          result.error ??= error;
          failed.push(bucket.changes[0]!.sequence);
        }
      }),
    ),
  );
  if (failed.length > 0) result.failedFrom = failed.reduce((a, b) => (BigInt(b) < BigInt(a) ? b : a));
  return result;
}
