// Ingest: validate each CDR of a message, keep the bad ones with their reasons, store the good ones once, and
// update connect statistics from the CDRs that were new, aggregated over the whole batch.
import { type Cdr, type CdrFlag, parseCdr } from './domain/cdr';
import { bucketize } from './domain/stats';
import { type StoreResult, storeCdrs } from './adapters/cdr-store';
import { putReject } from './adapters/reject-store';
import { addToStats } from './adapters/stats-store';

export interface IngestCounts {
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
}

const sourceOf = (raw: unknown) => (raw && typeof raw === 'object' && typeof (raw as { source?: unknown }).source === 'string' ? (raw as { source: string }).source : 'default');

/**
 * One batch of messages. `ingestMessage` may be called for each message (a failure there fails only that message,
 * which SQS redelivers); `flushStats` then writes one statistics update per destination-hour for the whole batch.
 */
export function createIngestBatch() {
  const fresh: Cdr[] = [];
  const counts: IngestCounts = { accepted: 0, duplicates: 0, conflicts: 0, rejected: 0 };

  async function ingestMessage(body: string, origin: Record<string, string | number>): Promise<IngestCounts> {
    const mine: IngestCounts = { accepted: 0, duplicates: 0, conflicts: 0, rejected: 0 };
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(body);
    } catch (error) {
      await putReject({ kind: 'INVALID', source: 'default', raw: body, problems: [{ field: '(message)', reason: `not valid JSON: ${(error as Error).message}` }], origin });
      mine.rejected++;
      return add(mine);
    }
    const records = Array.isArray(parsedBody) ? parsedBody : [parsedBody];
    const valid: { cdr: Cdr; flags: CdrFlag[] }[] = [];
    for (const [index, raw] of records.entries()) {
      const parsed = parseCdr(raw);
      if (parsed.ok) {
        valid.push(parsed);
      } else {
        await putReject({ kind: 'INVALID', source: sourceOf(raw), raw: JSON.stringify(raw), problems: parsed.problems, origin: { ...origin, index } });
        mine.rejected++;
      }
    }
    const settled = await storeCdrs(valid);
    // CDRs stored before a failure still count towards statistics: a redelivery will see them as duplicates.
    fresh.push(...settled.flatMap((s) => (s.status === 'fulfilled' && s.value.status === 'new' ? [s.value.cdr] : [])));
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) throw failure.reason;
    for (const result of settled.map((s) => (s as PromiseFulfilledResult<StoreResult>).value)) {
      if (result.status === 'new') {
        mine.accepted++;
      } else if (result.status === 'duplicate') {
        mine.duplicates++;
      } else {
        // Same key, different content: the later record is kept for review, never merged (PRODUCT.md §3).
        await putReject({
          kind: 'CONFLICT',
          source: result.cdr.source,
          raw: JSON.stringify(result.cdr),
          problems: [{ field: 'callId', reason: `conflicts with the stored CDR ${result.cdr.source}/${result.cdr.callId} of different content` }],
          origin,
        });
        mine.conflicts++;
      }
    }
    return add(mine);
  }

  function add(mine: IngestCounts): IngestCounts {
    counts.accepted += mine.accepted;
    counts.duplicates += mine.duplicates;
    counts.conflicts += mine.conflicts;
    counts.rejected += mine.rejected;
    return mine;
  }

  async function flushStats(): Promise<{ buckets: number }> {
    const buckets = bucketize(fresh.splice(0));
    await addToStats(buckets);
    return { buckets: buckets.length };
  }

  return { ingestMessage, flushStats, counts };
}
