// The overdue sweep: finds undecided disputes past their due date and marks each overdue once (a conditional write),
// from which the Disputes stream publishes `dispute.overdue`. Running it twice, or two at once, marks nothing twice.
// It also gives disputes stored before due dates their `dueBy`, so they join the queue's due-date order.
import { dueBy } from '../../domain/disputes/due-date';
import { overdueUnmarked, undecidedWithoutDueBy } from '../../adapters/dispute-reads';
import { markOverdue, setDueBy } from '../../adapters/dispute-store';
import { setting } from '../../config';

export interface SweepResult {
  /** Disputes stored before due dates that got theirs now. */
  dated: number;
  /** Disputes marked overdue by this run. */
  marked: string[];
}

export async function sweepOverdue(now = new Date()): Promise<SweepResult> {
  const levels = setting('SERVICE_LEVEL_HOURS');
  const legacy = await undecidedWithoutDueBy();
  const dated = await Promise.all(legacy.map((d) => setDueBy(d.disputeId, dueBy(d.openedAt, d.origin, levels))));
  const due = await overdueUnmarked(now);
  const marked = await Promise.all(due.map((d) => markOverdue(d.disputeId, now)));
  return { dated: dated.filter(Boolean).length, marked: due.filter((_, i) => marked[i]).map((d) => d.disputeId) };
}
