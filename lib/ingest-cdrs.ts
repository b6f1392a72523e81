// Ingest: validate each CDR of a message, keep the bad ones with their reasons, store the good ones once, and
// update connect statistics from the CDRs that were new, aggregated over the whole batch.
// A message is one canonical CDR, an array of them, or a file run's envelope (lib/formats/envelope.ts), whose
// outcome is also added to the run's counters.
import pLimit from 'p-limit';
import { type Cdr, type CdrFlag, type FieldProblem, type ParsedCdr, cdrKey, parseCdr, parseCdrAllowingExtensions } from './domain/cdr';
import { bucketize } from './domain/stats';
import { type StoreResult, storeCdrs } from './adapters/cdr-store';
import { type NewReject, type RunCounts, countRunMessage, putReject, reasonKeys, stableRejectId } from './adapters/reject-store';
import { addToStats } from './adapters/stats-store';
import { IngestEnvelope, isEnvelope } from './formats/envelope';
import type { FormatName } from './formats/types';

export interface IngestCounts {
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
}

type Origin = Record<string, string | number>;

/** One record of a message, with what is needed to keep it as a reject. */
interface Entry {
  raw: string;
  rawBase64?: string;
  source: string;
  origin: Origin;
  /** The record to validate, or the problems the edge already found. */
  record?: unknown;
  problems?: FieldProblem[];
}

interface Decoded {
  entries: Entry[];
  run?: { id: string; seq: number };
  format: FormatName;
  options: Record<string, unknown>;
  validate: (raw: unknown) => ParsedCdr;
}

const sourceOf = (raw: unknown) => (raw && typeof raw === 'object' && typeof (raw as { source?: unknown }).source === 'string' ? (raw as { source: string }).source : 'default');

function decode(body: string, origin: Origin): Decoded {
  const plain = { format: 'jsonl' as const, options: {}, validate: parseCdr };
  const whole = (reason: string): Decoded => ({ ...plain, entries: [{ raw: body, source: 'default', origin, problems: [{ field: '(message)', reason }] }] });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return whole(`not valid JSON: ${(error as Error).message}`);
  }
  if (!isEnvelope(parsed)) {
    const records = Array.isArray(parsed) ? parsed : [parsed];
    return { ...plain, entries: records.map((record, index) => ({ raw: JSON.stringify(record), source: sourceOf(record), origin: { ...origin, index }, record })) };
  }
  const envelope = IngestEnvelope.safeParse(parsed);
  if (!envelope.success) return whole(`not a valid ingest envelope: ${envelope.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const { ingestRun, seq, file, format, options, records } = envelope.data;
  return {
    run: { id: ingestRun, seq },
    format,
    options,
    validate: options.allowExtensions ? parseCdrAllowingExtensions : parseCdr,
    entries: records.map((r) => ({
      raw: r.raw,
      rawBase64: r.rawBase64,
      source: 'cdr' in r ? sourceOf(r.cdr) : r.source,
      origin: { ...origin, file, line: r.line, ...(r.index === undefined ? {} : { index: r.index }), ingestRun, seq },
      ...('cdr' in r ? { record: r.cdr } : { problems: r.problems }),
    })),
  };
}

const canonicalJson = (v: unknown): string =>
  JSON.stringify(v, (_, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x)) ?? 'absent';

/** What a reviewer of a conflict needs first: each field that differs, stored value against this one. */
function differences(stored: Cdr, incoming: Cdr): FieldProblem[] {
  const fields = [...new Set([...Object.keys(stored), ...Object.keys(incoming)])] as (keyof Cdr)[];
  return fields
    .filter((f) => canonicalJson(stored[f]) !== canonicalJson(incoming[f]))
    .map((f) => ({ field: f, reason: `stored ${canonicalJson(stored[f])}, this one ${canonicalJson(incoming[f])}` }));
}

/** Stores CDRs concurrently, except that repeats of a key wait for the one before: the later one is the conflict. */
async function storeInOrder(valid: { cdr: Cdr; flags: CdrFlag[]; position: number }[]) {
  const rounds: (typeof valid)[] = [];
  const seen = new Map<string, number>();
  for (const v of valid) {
    const round = seen.get(cdrKey(v.cdr)) ?? 0;
    seen.set(cdrKey(v.cdr), round + 1);
    (rounds[round] ??= []).push(v);
  }
  const settled: { outcome: PromiseSettledResult<StoreResult>; position: number }[] = [];
  for (const round of rounds) {
    const outcomes = await storeCdrs(round);
    settled.push(...outcomes.map((outcome, i) => ({ outcome, position: round[i]!.position })));
  }
  return settled;
}

/**
 * One batch of messages. `ingestMessage` may be called for each message (a failure there fails only that message,
 * which SQS redelivers); `flushStats` then writes one statistics update per destination-hour for the whole batch.
 */
export function createIngestBatch() {
  const fresh: Cdr[] = [];
  const counts: IngestCounts = { accepted: 0, duplicates: 0, conflicts: 0, rejected: 0 };

  /** `sentAt` (the message's SQS SentTimestamp) and the message id make reject ids stable across redeliveries. */
  async function ingestMessage(body: string, origin: Origin, sentAt = Date.now()): Promise<IngestCounts> {
    const message = decode(body, origin);
    const mine: RunCounts = { accepted: 0, duplicates: 0, conflicts: 0, rejected: 0, byReason: {} };
    const messageId = String(origin.messageId ?? `${sentAt}`);
    const limit = pLimit(16);
    const keep = (entry: Entry, position: number, reject: Pick<NewReject, 'kind' | 'source' | 'problems'>) =>
      limit(() =>
        putReject(
          { ...reject, raw: entry.raw, ...(entry.rawBase64 ? { rawBase64: entry.rawBase64 } : {}), origin: entry.origin, format: message.format, options: message.options },
          { rejectId: stableRejectId(sentAt, messageId, position) },
        ),
      );

    const valid: { cdr: Cdr; flags: CdrFlag[]; position: number }[] = [];
    const writes: Promise<unknown>[] = [];
    for (const [position, entry] of message.entries.entries()) {
      const parsed: ParsedCdr = entry.problems ? { ok: false, problems: entry.problems } : message.validate(entry.record);
      if (parsed.ok) {
        valid.push({ cdr: parsed.cdr, flags: parsed.flags, position });
        continue;
      }
      writes.push(keep(entry, position, { kind: 'INVALID', source: entry.source, problems: parsed.problems }));
      mine.rejected++;
      for (const reason of reasonKeys('INVALID', parsed.problems)) mine.byReason[reason] = (mine.byReason[reason] ?? 0) + 1;
    }
    await Promise.all(writes);

    const settled = await storeInOrder(valid);
    // CDRs stored before a failure still count towards statistics: a redelivery will see them as duplicates.
    fresh.push(...settled.flatMap(({ outcome }) => (outcome.status === 'fulfilled' && outcome.value.status === 'new' ? [outcome.value.cdr] : [])));
    const failure = settled.find(({ outcome }) => outcome.status === 'rejected');
    if (failure) throw (failure.outcome as PromiseRejectedResult).reason;
    const conflicts: Promise<unknown>[] = [];
    for (const { outcome, position } of settled) {
      const result = (outcome as PromiseFulfilledResult<StoreResult>).value;
      if (result.status === 'new') {
        mine.accepted++;
      } else if (result.status === 'duplicate') {
        mine.duplicates++;
      } else {
        // Same key, different content: the later record is kept for review, never merged (PRODUCT.md §3).
        const entry = message.entries[position]!;
        const problems = [{ field: 'callId', reason: `conflicts with the stored CDR ${result.cdr.source}/${result.cdr.callId} of different content` }, ...differences(result.existing, result.cdr)];
        conflicts.push(keep(entry, position, { kind: 'CONFLICT', source: result.cdr.source, problems }));
        mine.conflicts++;
      }
    }
    await Promise.all(conflicts);
    if (message.run) await countRunMessage(message.run.id, message.run.seq, mine);
    return add(mine);
  }

  function add(mine: IngestCounts): IngestCounts {
    counts.accepted += mine.accepted;
    counts.duplicates += mine.duplicates;
    counts.conflicts += mine.conflicts;
    counts.rejected += mine.rejected;
    return { accepted: mine.accepted, duplicates: mine.duplicates, conflicts: mine.conflicts, rejected: mine.rejected };
  }

  async function flushStats(): Promise<{ buckets: number }> {
    const buckets = bucketize(fresh.splice(0));
    await addToStats(buckets);
    return { buckets: buckets.length };
  }

  return { ingestMessage, flushStats, counts };
}
