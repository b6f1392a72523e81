// Ingest: validate each CDR of a message, keep the bad ones with their reasons, store the good ones once. Connect
// statistics are not written here: they are counted from the Cdrs table's stream (lib/use-cases/statistics/), so a
// CDR stored is a CDR counted, exactly once, whatever fails after the store.
// A message is one canonical CDR, an array of them, or a file run's envelope (lib/formats/envelope.ts), whose
// outcome is also added to the run's counters.
import pLimit from 'p-limit';
import { z } from 'zod';
import { type Cdr, type CdrFlag, type FieldProblem, type ParsedCdr, cdrDifferences, parseCdr, parseCdrAllowingExtensions } from '../../domain/cdr';
import { outsideRetention } from '../../domain/retention';
import { setting } from '../../config';
import { type StoreResult, storeCdrs, storedIdentity } from '../../adapters/cdr-store';
import { type NewReject, type RunCounts, countRunMessage, keepReject, rawDigest, reasonKeys } from '../../adapters/reject-store';
import { logger } from '../../adapters/logger';
import { errorHandling } from '../../domain/errors';
import { EnvelopeRecord, IngestEnvelope, isEnvelope } from '../../adapters/switch-files/envelope';
import type { FormatName } from '../../adapters/switch-files/types';

export interface IngestCounts {
  /** Stored by this ingest (new): each is counted in the statistics once, by the Cdrs stream's consumer. */
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

/** An envelope's header as it must be; its records are read one by one, so one malformed record stays alone. */
const EnvelopeHeader = IngestEnvelope.extend({ records: z.array(z.unknown()) });

const issuesText = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');

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
    const records: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
    return { ...plain, entries: records.map((record, index) => ({ raw: JSON.stringify(record), source: sourceOf(record), origin: { ...origin, index }, record })) };
  }
  const envelope = EnvelopeHeader.safeParse(parsed);
  if (!envelope.success) return whole(`not a valid ingest envelope: ${issuesText(envelope.error)}`);
  const { ingestRun, seq, file, format, options, records } = envelope.data;
  const at = { ...origin, file, ingestRun, seq };
  return {
    run: { id: ingestRun, seq },
    format,
    options,
    validate: options.allowExtensions ? parseCdrAllowingExtensions : parseCdr,
    entries: records.map((record, index): Entry => {
      const r = EnvelopeRecord.safeParse(record);
      if (!r.success) {
        const line = (record as { line?: unknown } | null)?.line;
        const where = { ...at, ...(typeof line === 'number' ? { line } : {}), index };
        return { raw: JSON.stringify(record) ?? String(record), source: options.source ?? 'default', origin: where, problems: [{ field: '(envelope record)', reason: `not a valid envelope record: ${issuesText(r.error)}` }] };
      }
      const d = r.data;
      return {
        raw: d.raw,
        rawBase64: d.rawBase64,
        source: 'cdr' in d ? sourceOf(d.cdr) : d.source,
        origin: { ...origin, file, line: d.line, ...(d.index === undefined ? {} : { index: d.index }), ingestRun, seq },
        ...('cdr' in d ? { record: d.cdr } : { problems: d.problems }),
      };
    }),
  };
}

// Keys being stored by this process: a message waits for any earlier one storing the same CDRs, so the second reads
// what the first wrote (a duplicate or a conflict) instead of both reading "absent" and both writing.
const storing = new Map<string, Promise<void>>();

async function exclusively<T>(keys: string[], store: () => Promise<T>): Promise<T> {
  const earlier = [...new Set(keys.map((k) => storing.get(k)).filter((p): p is Promise<void> => p !== undefined))];
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  for (const key of keys) storing.set(key, mine);
  try {
    await Promise.all(earlier);
    return await store();
  } finally {
    done();
    for (const key of keys) if (storing.get(key) === mine) storing.delete(key);
  }
}

/** Stores CDRs together, except that repeats of a key wait for the one before: the later one is the conflict. */
async function storeInOrder(valid: { cdr: Cdr; flags: CdrFlag[]; position: number }[]) {
  const rounds: (typeof valid)[] = [];
  const seen = new Map<string, number>();
  for (const v of valid) {
    const round = seen.get(storedIdentity(v.cdr)) ?? 0;
    seen.set(storedIdentity(v.cdr), round + 1);
    (rounds[round] ??= []).push(v);
  }
  return exclusively([...seen.keys()], async () => {
    const settled: { outcome: PromiseSettledResult<StoreResult>; position: number }[] = [];
    for (const round of rounds) {
      const outcomes = await storeCdrs(round);
      settled.push(...outcomes.map((outcome, i) => ({ outcome, position: round[i]!.position })));
    }
    return settled;
  });
}

/**
 * One batch of messages. `ingestMessage` may be called for each message (a failure there fails only that message,
 * which SQS redelivers); `counts` are those of the messages that were done with.
 */
export function createIngestBatch() {
  const counts: IngestCounts = { accepted: 0, duplicates: 0, conflicts: 0, rejected: 0 };
  /** Rejected records by failing field (a record once under each field it fails): the metrics' breakdown. */
  const rejectedFields: Record<string, number> = {};

  /** `sentAt` (the message's SQS SentTimestamp) stands for the message id where a caller gives none. */
  async function ingestMessage(body: string, origin: Origin, sentAt = Date.now()): Promise<IngestCounts> {
    // The message id places a sighting of a reject: a redelivery is the same sighting, another message a new one.
    const message = decode(body, { ...origin, messageId: origin.messageId ?? `sent ${sentAt}` });
    const mine: RunCounts = { accepted: 0, duplicates: 0, conflicts: 0, rejected: 0, byReason: {} };
    const fields: Record<string, number> = {};
    const limit = pLimit(16);
    // One time for the message's rejects: they list in the order of their place in it.
    const now = new Date();
    const keep = (entry: Entry, position: number, reject: Pick<NewReject, 'kind' | 'source' | 'problems' | 'storedCdr' | 'incomingCdr'>) =>
      limit(async () => {
        try {
          await keepReject({ ...reject, raw: entry.raw, ...(entry.rawBase64 ? { rawBase64: entry.rawBase64 } : {}), origin: entry.origin, format: message.format, options: message.options }, { position, now });
        } catch (error) {
          // Refused the same way on every delivery: logged with its hash and place, so its neighbours still go through.
          if (errorHandling(error).retryable) throw error;
          const { sha256, bytes } = rawDigest(entry.raw, entry.rawBase64);
          logger.error('a rejected record could not be kept', { kind: reject.kind, position, messageId: origin.messageId, ingestRun: message.run?.id, seq: message.run?.seq, line: entry.origin.line, rawSha256: sha256, rawBytes: bytes, error: error as Error });
        }
      });

    const valid: { cdr: Cdr; flags: CdrFlag[]; position: number }[] = [];
    const writes: Promise<unknown>[] = [];
    const retentionDays = setting('CDR_RETENTION_DAYS');
    for (const [position, entry] of message.entries.entries()) {
      const parsed: ParsedCdr = entry.problems ? { ok: false, problems: entry.problems } : message.validate(entry.record);
      // Older than what is kept: never stored, so an expired copy cannot come back as new (lib/domain/retention.ts).
      const tooOld = parsed.ok ? outsideRetention(parsed.cdr.startedAt, now.getTime(), retentionDays) : undefined;
      if (parsed.ok && !tooOld) {
        valid.push({ cdr: parsed.cdr, flags: parsed.flags, position });
        continue;
      }
      const problems = parsed.ok ? [tooOld!] : parsed.problems;
      writes.push(keep(entry, position, { kind: 'INVALID', source: entry.source, problems }));
      mine.rejected++;
      for (const reason of reasonKeys('INVALID', problems)) mine.byReason[reason] = (mine.byReason[reason] ?? 0) + 1;
      for (const field of new Set(problems.map((p) => p.field))) fields[field] = (fields[field] ?? 0) + 1;
    }
    await Promise.all(writes);

    const settled = await storeInOrder(valid);
    // CDRs stored before a failure are counted all the same (from the stream); the redelivery finds them duplicates.
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
        const problems = [{ field: 'callId', reason: `conflicts with the stored CDR ${result.cdr.source}/${result.cdr.callId} of different content` }, ...cdrDifferences(result.existing, result.cdr)];
        conflicts.push(keep(entry, position, { kind: 'CONFLICT', source: result.cdr.source, problems, storedCdr: result.existing, incomingCdr: result.cdr }));
        mine.conflicts++;
      }
    }
    await Promise.all(conflicts);
    if (message.run) await countRunMessage(message.run.id, message.run.seq, mine);
    return add(mine, fields);
  }

  /** A message's counts into the batch's, once it is done (a message that failed is redelivered and counted then). */
  function add(mine: IngestCounts, fields: Record<string, number>): IngestCounts {
    for (const [field, n] of Object.entries(fields)) rejectedFields[field] = (rejectedFields[field] ?? 0) + n;
    counts.accepted += mine.accepted;
    counts.duplicates += mine.duplicates;
    counts.conflicts += mine.conflicts;
    counts.rejected += mine.rejected;
    return { accepted: mine.accepted, duplicates: mine.duplicates, conflicts: mine.conflicts, rejected: mine.rejected };
  }

  return { ingestMessage, counts, rejectedFields };
}
