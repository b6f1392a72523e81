// The end of an ingest run as the operator reads it: what the stack counted, and the exit status it means.
import type { RunSummary } from '../use-cases/ingest/import-file';

/** Prints the run's counters and rejects by reason; 0 when all passed, 2 when anything was rejected or conflicted, 3 when the stack stopped counting. */
export function printRun(summary: RunSummary, what: string): number {
  console.log(`${what}`);
  console.log(`  accepted    ${summary.accepted}`);
  console.log(`  duplicates  ${summary.duplicates}   (already stored with the same content, counted once)`);
  console.log(`  conflicts   ${summary.conflicts}${summary.conflicts > 0 ? '   (same source and call id, other content: kept for review, see `disputes rejects list --reason CONFLICT`)' : ''}`);
  console.log(`  rejected    ${summary.rejected}${summary.rejected > 0 ? '   (kept with line and reasons, see `disputes rejects list`)' : ''}`);
  const reasons = Object.entries(summary.byReason).sort(([, a], [, b]) => b - a);
  for (const [reason, n] of reasons) console.log(`    ${String(n).padStart(7)}  ${reason}`);
  if (!summary.complete) {
    console.log(`  the stack counted ${summary.total} records and then stopped making progress: is it running (npm start)?`);
    return 3;
  }
  return summary.rejected + summary.conflicts > 0 ? 2 : 0;
}
