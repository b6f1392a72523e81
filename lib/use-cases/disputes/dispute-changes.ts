// What a stored change of a dispute or an adjustment sets off (the Disputes and Adjustments streams): the events of
// the pipeline's flow, and the adjustment of a crediting decision. Derived from the change's old and new images, so a
// redelivered change publishes the same event ids and creates nothing twice.
import type { Adjustment } from '../../domain/adjustments/adjustment';
import { type PipelineEvent, adjustmentEvents, overdueEvents } from '../../domain/adjustments/pipeline-events';
import type { Dispute } from '../../domain/disputes/dispute';
import { transitionEvents } from '../../domain/disputes/events';
import { recordAdjustments } from '../adjustments/adjustments';

export type StoredImage = Record<string, unknown>;

/** Items of the Adjustments table carry an `adjustmentId`; the Disputes table's a `history` (ticket guards neither). */
export const isAdjustment = (image: StoredImage | undefined): image is StoredImage & Adjustment => typeof image?.adjustmentId === 'string';

/**
 * A Disputes change: creates the adjustments of the crediting decisions it appended, then returns the events to
 * publish (RECOMMENDED / DECIDED transitions, the overdue mark).
 */
export async function onDisputeChange(before: StoredImage | undefined, after: StoredImage | undefined): Promise<PipelineEvent[]> {
  if (!after?.history) return [];
  const old = before as Dispute | undefined;
  const now = after as unknown as Dispute;
  await recordAdjustments(old, now);
  return [...transitionEvents(old, now), ...overdueEvents(old, now)];
}

/** An Adjustments change: `adjustment.approved` / `adjustment.posted` when it reached that status. */
export function onAdjustmentChange(before: StoredImage | undefined, after: StoredImage | undefined): PipelineEvent[] {
  if (!isAdjustment(after)) return [];
  // The index key is storage, not the adjustment: it stays out of the event.
  const { statusAtId: _key, ...adjustment } = after;
  return adjustmentEvents(before as Adjustment | undefined, adjustment);
}
