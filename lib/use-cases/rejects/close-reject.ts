// Closing a reject, once, recorded with who and when: resolve it, dismiss it with a reason, or settle a conflict by
// keeping the stored CDR or replacing it with the conflicting one. Replacing writes the Cdrs item only (connect
// statistics follow from the Cdrs stream: the change of content is subtracted and added there), in one transaction
// with closing the reject, and only while the stored CDR still has the content the conflict recorded.
import { cdrFlags, cdrKey } from '../../domain/cdr';
import { ConflictError, NotFoundError } from '../../domain/errors';
import { type RejectAction, close } from '../../domain/rejects/lifecycle';
import type { Reject } from '../../domain/rejects/reject';
import { replaceCdrPut } from '../../adapters/cdr-store';
import { closeReject, closeWithReplace, getReject } from '../../adapters/reject-store';

export interface Actor {
  subject: string;
}

export async function readReject(rejectId: string): Promise<Reject> {
  const reject = await getReject(rejectId);
  if (!reject) throw new NotFoundError(`reject ${rejectId} does not exist`);
  return reject;
}

/** Another caller closed it between our read and our write: their resolution is the answer. */
async function closedMeanwhile(rejectId: string, action: RejectAction, actor: Actor, now: Date, reason?: string): Promise<never> {
  const current = await readReject(rejectId);
  close(current, action, { by: actor.subject, at: now.toISOString(), reason });
  throw new ConflictError('status-conflict', `reject ${rejectId} changed meanwhile: read it again`);
}

/** Resolve, dismiss (with `reason`), or keep the stored CDR of a conflict. Returns the closed reject. */
export async function closeRejectAs(rejectId: string, action: 'resolve' | 'dismiss' | 'keep', actor: Actor, input: { reason?: string } = {}, now = new Date()): Promise<Reject> {
  const reject = await readReject(rejectId);
  const resolution = close(reject, action, { by: actor.subject, at: now.toISOString(), reason: input.reason });
  const closed = await closeReject(rejectId, resolution);
  return closed === 'not open' ? closedMeanwhile(rejectId, action, actor, now, input.reason) : closed;
}

/**
 * Replaces the stored CDR of a conflict with the conflicting one and closes the conflict as REPLACED. ConflictError
 * when the stored CDR changed (or expired) since the conflict was recorded, or the reject is not open.
 */
export async function replaceStoredCdr(rejectId: string, actor: Actor, input: { reason?: string } = {}, now = new Date()): Promise<Reject> {
  const reject = await readReject(rejectId);
  const resolution = close(reject, 'replace', { by: actor.subject, at: now.toISOString(), reason: input.reason });
  const { storedCdr, incomingCdr } = reject;
  if (!storedCdr || !incomingCdr) {
    throw new ConflictError('status-conflict', `conflict ${rejectId} was recorded before conflicts kept both CDRs: keep or dismiss it, or import the record again to record the conflict anew`, {
      field: 'storedCdr',
      reason: 'not recorded with this conflict',
    });
  }
  const outcome = await closeWithReplace(rejectId, resolution, replaceCdrPut(storedCdr, incomingCdr, cdrFlags(incomingCdr), rejectId, now));
  if (outcome === 'not open') return closedMeanwhile(rejectId, 'replace', actor, now, input.reason);
  if (outcome === 'stored changed') {
    throw new ConflictError('status-conflict', `the stored CDR ${cdrKey(storedCdr)} changed (or expired) since conflict ${rejectId} was recorded: nothing was replaced; read the stored CDR again, then keep or dismiss this conflict`, {
      field: 'storedCdr',
      reason: 'changed since the conflict was recorded',
    });
  }
  return readReject(rejectId);
}
