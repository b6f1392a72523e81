// Adjustments to billing (PRODUCT.md §4.7): made from the decisions the Disputes stream carries, approved by a second
// reviewer above the limit, listed for the billing system and acknowledged by it once posted. Every change is one
// conditional write, so whatever is retried nothing is created, approved or posted twice.
import { type Adjustment, adjustmentsFromChange, approve, markPosted } from '../../domain/adjustments/adjustment';
import type { Dispute } from '../../domain/disputes/dispute';
import { ConflictError, NotFoundError } from '../../domain/errors';
import { getAdjustment, putAdjustment, replaceAdjustment } from '../../adapters/adjustment-store';
import { setting } from '../../config';
import type { Actor } from '../disputes/open-dispute';

/**
 * Stores the adjustment of every crediting decision a dispute change appended; one already stored (the same change
 * delivered again) is left as it is. Returns the ones created now.
 */
export async function recordAdjustments(before: Dispute | undefined, after: Dispute | undefined): Promise<Adjustment[]> {
  const adjustments = adjustmentsFromChange(before, after, setting('ADJUSTMENT_APPROVAL_LIMITS'));
  const created = await Promise.all(adjustments.map(putAdjustment));
  return adjustments.filter((_, i) => created[i]);
}

export async function readAdjustment(adjustmentId: string): Promise<Adjustment> {
  const adjustment = await getAdjustment(adjustmentId);
  if (!adjustment) throw new NotFoundError(`adjustment ${adjustmentId} does not exist`);
  return adjustment;
}

/** A second reviewer approves a credit above the limit; the reviewer who decided it cannot (409 same-reviewer). */
export async function approveAdjustment(adjustmentId: string, actor: Actor, now = new Date()): Promise<Adjustment> {
  const current = await readAdjustment(adjustmentId);
  const next = approve(current, actor.subject, now.toISOString());
  if (await replaceAdjustment(next, 'PENDING_APPROVAL')) return next;
  // Someone approved it between the read and the write: the domain says why this approval is refused now.
  approve(await readAdjustment(adjustmentId), actor.subject, now.toISOString());
  throw new ConflictError('adjustment-status', `adjustment ${adjustmentId} changed while being approved: read it again`);
}

/**
 * The billing system acknowledges an approved adjustment as posted. Idempotent: acknowledging a posted adjustment
 * again answers it unchanged, so a billing client can retry after a timeout without posting twice.
 */
export async function postAdjustment(adjustmentId: string, actor: Actor, now = new Date()): Promise<{ adjustment: Adjustment; changed: boolean }> {
  const current = await readAdjustment(adjustmentId);
  const result = markPosted(current, actor.subject, now.toISOString());
  if (!result.changed) return result;
  if (await replaceAdjustment(result.adjustment, 'APPROVED')) return result;
  // A concurrent acknowledgment won: that one is the posting; this one changes nothing.
  return markPosted(await readAdjustment(adjustmentId), actor.subject, now.toISOString());
}
