// A reviewer's work on a recommendation: hold it while reviewing (the lease), decide it, or send it back to the
// investigator. Every change records the caller's subject: the lease holder, the decision's reviewer and the history
// entry's `by` are the same identity.
import { type DecisionRequest, type Dispute, decide } from '../../domain/disputes/dispute';
import { type Lease, blockingLease, leaseFor, leaseHeld } from '../../domain/disputes/lease';
import { NotFoundError } from '../../domain/errors';
import { formatMoney } from '../../domain/investigation/explain';
import { getDispute, releaseLease, statusConflict, takeLease, transition } from '../../adapters/dispute-store';
import { enqueue } from '../../adapters/queues';
import type { Actor } from '../disputes/open-dispute';

async function existing(disputeId: string): Promise<Dispute> {
  const dispute = await getDispute(disputeId);
  if (!dispute) throw new NotFoundError(`dispute ${disputeId} does not exist`);
  return dispute;
}

const VERBS = { ACCEPT: 'accepted', OVERRIDE: 'overrode with', GOODWILL: 'granted goodwill' } as const;

/**
 * Records a reviewer's decision on a RECOMMENDED dispute; a decided dispute is never decided again. Refused while
 * another reviewer holds an unexpired lease on it; the decision ends the lease (the same conditional write).
 */
export async function decideDispute(disputeId: string, request: DecisionRequest, actor: Actor, now = new Date()): Promise<Dispute> {
  const dispute = await existing(disputeId);
  if (dispute.status !== 'RECOMMENDED' || !dispute.recommendation) throw statusConflict(['RECOMMENDED']);
  const blocking = blockingLease(dispute.lease, actor.subject, now);
  if (blocking) throw leaseHeld(blocking);
  const decision = decide(dispute.recommendation, request, actor.subject, now.toISOString());
  const amount = formatMoney(decision.creditAmount.amountMinor, decision.creditAmount.currency);
  // "granted goodwill $2.20 (DENY stands): …"; "accepted DENY $0.00"; "overrode with CREDIT $2.20: …".
  const what = decision.action === 'GOODWILL' ? `${VERBS.GOODWILL} ${amount} (${decision.outcome} stands)` : `${VERBS[decision.action]} ${decision.outcome} ${amount}`;
  const note = `${what}${decision.reason ? `: ${decision.reason}` : ''}`;
  // The condition on RECOMMENDED makes a concurrent second decision fail with a conflict, the lease condition one
  // by a reviewer who does not hold the dispute.
  await transition(disputeId, ['RECOMMENDED'], { at: decision.decidedAt, by: actor.subject, status: 'DECIDED', note, decision }, { decision }, { caller: actor.subject, now });
  return existing(disputeId);
}

/**
 * Sends an open (RECOMMENDED) dispute back to the investigator, e.g. after late CDRs arrived. Refused while another
 * reviewer holds the dispute; it ends the lease, as the dispute leaves the review queue.
 */
export async function reinvestigateDispute(disputeId: string, actor: Actor, now = new Date(), reason?: string): Promise<Dispute> {
  await existing(disputeId);
  const note = reason ? `re-investigation requested: ${reason}` : 're-investigation requested';
  await transition(disputeId, ['RECOMMENDED'], { at: now.toISOString(), by: actor.subject, status: 'INVESTIGATING', note }, {}, { caller: actor.subject, now });
  await enqueue('investigations', { disputeId });
  return existing(disputeId);
}

/** Takes the review lease for the caller, or renews the caller's own: LEASE_DURATION_MS from now. */
export async function leaseDispute(disputeId: string, actor: Actor, now = new Date()): Promise<Lease> {
  return takeLease(disputeId, leaseFor(actor.subject, now), now);
}

/** Ends the caller's lease; nothing to do when the caller holds none. */
export async function releaseDispute(disputeId: string, actor: Actor, now = new Date()): Promise<void> {
  await releaseLease(disputeId, actor.subject, now);
}
