// Phase 1, hours: each UTC hour of the period is read from its HOUR_PARTS CdrHours partitions in parallel, page by
// page, and folded into an HourScan (per destination counters, billing-rule calls, per-account charges). Several
// hours run at once. A finished hour's results are stored before the checkpoint marks it done, so an invocation
// that runs out of time, or crashes, loses at most the hours in flight, and a redelivered message redoes an hour by
// overwriting, never by adding: nothing is counted twice.
import { HourScan, type HourResult } from '../../domain/audit/hour-scan';
import { putBlobs, recordHour, updateProgress } from '../../adapters/audit-store';
import { cdrPagesInHourPart } from '../../adapters/cdr-hours';
import { HOUR_PARTS } from '../../adapters/resources';
import { OutOfTime, type Run, bounded, outOfTime } from './invocation';
import { billingBlob, newToken, rowsBlob } from './work-items';

/** Reads and records every hour the checkpoint does not have yet; false when time ran short first. */
export async function readHours(run: Run): Promise<boolean> {
  const pending = run.hours.filter((hour) => !run.checkpoint.hours[hour]);
  return bounded(pending, run.options.hourConcurrency ?? 4, async (hour) => {
    if (outOfTime(run)) return 'stopped';
    const result = await scanHour(run, hour);
    const token = newToken();
    const [billingChunks, ...rowChunks] = await putBlobs(run.header.auditId, [
      { name: billingBlob(hour, token), value: result.billing },
      ...result.groups.map((rows, g) => ({ name: rowsBlob(hour, g, token), value: rows })),
    ]);
    const entry = { token, cdrs: result.cdrs, billingChunks: billingChunks!, rowChunks };
    await recordHour(run.header.auditId, hour, entry);
    run.checkpoint.hours[hour] = entry;
    await updateProgress(run.header.auditId, 'hoursDone', Object.keys(run.checkpoint.hours).length);
    return 'done';
  });
}

async function scanHour(run: Run, hour: string): Promise<HourResult> {
  const scan = new HourScan(hour, run.policy);
  await Promise.all(
    Array.from({ length: HOUR_PARTS }, async (_, part) => {
      for await (const page of cdrPagesInHourPart(hour, part, run.options.pageSize)) {
        // Half the margin is left for what is under way: an hour that cannot finish is dropped and read again later.
        if (outOfTime(run, 0.5)) throw new OutOfTime();
        scan.add(page.cdrs, page.ingestedAt);
      }
    }),
  );
  return scan.finish(run.checkpoint.groups);
}
