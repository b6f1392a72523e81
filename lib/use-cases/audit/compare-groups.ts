// Phase 2, destination groups: the hours' per-destination rows are split into groups by a hash of the number; each
// group is compared with the stored connect statistics one destination at a time (drift, rule 3 per hour, rule 4
// over the period), and its drifted buckets repaired when asked. Memory holds one group, not the period.
import pLimit from 'p-limit';
import { baselineReadRange, examineDestination } from '../../domain/audit/destination';
import { type DegradationFinding, type DriftFinding, type FalseAnswerFinding, REPAIR_SETTLE_MS } from '../../domain/audit/findings';
import type { DestinationHour } from '../../domain/audit/hour-scan';
import { getBlob, putBlobs, recordGroup, updateProgress } from '../../adapters/audit-store';
import { readStats, repairBucket } from '../../adapters/stats-store';
import { retentionHorizon } from '../../domain/retention';
import { setting } from '../../config';
import { OutOfTime, type Run, bounded, outOfTime } from './invocation';
import { groupBlob, newToken, rowsBlob } from './work-items';

/** A destination group's findings, stored as a work item until the audit finishes. */
export interface GroupResult {
  drift: DriftFinding[];
  degradation: DegradationFinding[];
  falseAnswer: FalseAnswerFinding[];
  /** Each drifted bucket's version when compared (`number|hour`): a repair rewrites only that version. */
  versions: Record<string, number>;
  /** Destination-hours that differed but had not settled: left for a later audit. */
  unsettled: number;
}

/** The audit compares what had settled by its start less the settle time (REPAIR_SETTLE_MS). */
const cutoffOf = (run: Run) => new Date(Date.parse(run.header.startedAt) - (run.options.repairSettleMs ?? REPAIR_SETTLE_MS)).toISOString();

/** Examines (and repairs) every group the checkpoint does not have as done; false when time ran short first. */
export async function compareGroups(run: Run): Promise<boolean> {
  const groups = Array.from({ length: run.checkpoint.groups }, (_, g) => g).filter((g) => run.checkpoint.groupResults[g]?.state !== 'DONE');
  return bounded(groups, 1, async (g) => {
    if (outOfTime(run)) return 'stopped';
    let entry = run.checkpoint.groupResults[g];
    let result: GroupResult;
    if (!entry) {
      result = await examineGroup(run, g);
      const token = newToken();
      const [chunks] = await putBlobs(run.header.auditId, [{ name: groupBlob(g, token), value: result }]);
      entry = { token, chunks: chunks!, state: run.header.repair && result.drift.length > 0 ? 'DETECTED' : 'DONE' };
      await recordGroup(run.header.auditId, g, entry);
    } else {
      result = await getBlob<GroupResult>(run.header.auditId, groupBlob(g, entry.token), entry.chunks);
    }
    if (entry.state === 'DETECTED') {
      // Detected drift is stored before any repair: a crash mid-repair repeats the repairs, and still reports them.
      await repairDrift(run, result);
      const [chunks] = await putBlobs(run.header.auditId, [{ name: groupBlob(g, entry.token), value: result }]);
      entry = { token: entry.token, chunks: chunks!, state: 'DONE' };
      await recordGroup(run.header.auditId, g, entry);
    }
    run.checkpoint.groupResults[g] = entry;
    await updateProgress(run.header.auditId, 'groupsDone', Object.values(run.checkpoint.groupResults).filter((e) => e.state === 'DONE').length);
    return 'done';
  });
}

async function examineGroup(run: Run, group: number): Promise<GroupResult> {
  const { auditId, period } = run.header;
  const byDestination = new Map<string, Map<string, DestinationHour>>();
  const read = pLimit(8);
  await Promise.all(
    run.hours.map((hour) =>
      read(async () => {
        const entry = run.checkpoint.hours[hour]!;
        const rows = await getBlob<DestinationHour[]>(auditId, rowsBlob(hour, group, entry.token), entry.rowChunks[group]!);
        for (const row of rows) (byDestination.get(row.calledNumber) ?? byDestination.set(row.calledNumber, new Map()).get(row.calledNumber)!).set(hour, row);
      }),
    ),
  );
  const result: GroupResult = { drift: [], degradation: [], falseAnswer: [], versions: {}, unsettled: 0 };
  const limit = pLimit(run.options.destinationConcurrency ?? 16);
  // Only destinations with CDRs in the period are compared: the statistics table is keyed by number, and listing
  // every stored bucket of the period would take a Scan of the whole table (every number, every hour kept). A
  // number's stored hours in the period are one Query, so a bucket without CDRs is found (STATS_DRIFT against a
  // recount of zero) whenever its number had a CDR in some hour of the period. A bucket of a number that had no
  // CDR at all in the period is not found; an index on `hour` would be needed for that.
  await Promise.all(
    [...byDestination.entries()].map(([calledNumber, hours]) =>
      limit(async () => {
        if (outOfTime(run, 0.5)) throw new OutOfTime();
        const stored = await readStats(calledNumber, period.from, period.to);
        const range = baselineReadRange(hours, period, run.policy);
        const before = range ? await readStats(calledNumber, range.from, range.to) : [];
        const found = examineDestination({ calledNumber, period, hours, stored, before, policy: run.policy, cutoff: cutoffOf(run), keptSince: new Date(retentionHorizon(Date.parse(run.header.startedAt), setting('CDR_RETENTION_DAYS'))).toISOString() });
        // What the repair's condition needs: the version of each drifted bucket as it was compared.
        for (const d of found.drift) {
          const read = stored.find((b) => b.hour === d.hour);
          if (read) result.versions[`${d.calledNumber}|${d.hour}`] = read.version;
        }
        result.unsettled += found.unsettled;
        result.drift.push(...found.drift);
        result.degradation.push(...found.degradation);
        if (found.falseAnswer) result.falseAnswer.push(found.falseAnswer);
      }),
    ),
  );
  const byNumberHour = (a: { calledNumber: string; hour: string }, b: { calledNumber: string; hour: string }) => a.calledNumber.localeCompare(b.calledNumber) || a.hour.localeCompare(b.hour);
  result.drift.sort(byNumberHour);
  result.degradation.sort(byNumberHour);
  result.falseAnswer.sort((a, b) => a.calledNumber.localeCompare(b.calledNumber));
  return result;
}

/**
 * Rewrites each drifted bucket from its recount, only while it is the version the audit compared; the recount covers
 * every change up to the cutoff, which the bucket records so the stream skips such a change should it come late.
 */
async function repairDrift(run: Run, result: GroupResult): Promise<void> {
  const limit = pLimit(8);
  const cutoff = cutoffOf(run);
  await Promise.all(
    result.drift.map((d) =>
      limit(async () => {
        if (d.repair === 'REPAIRED') return;
        const version = (result.versions ?? {})[`${d.calledNumber}|${d.hour}`];
        const read = d.stored ? { counters: d.stored, version: version ?? 0 } : undefined;
        d.repair = await repairBucket({ calledNumber: d.calledNumber, hour: d.hour, counters: d.recounted }, read, cutoff);
      }),
    ),
  );
}
