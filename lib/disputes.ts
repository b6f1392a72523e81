// Opening and reading disputes: what the API does, without HTTP.
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { type Dispute, type DecisionRequest, type OpenDisputeRequest, decide, offsetOf } from './domain/dispute';
import { formatMoney } from './domain/explain';
import { StatusConflictError, createDispute, getDispute, transition } from './adapters/dispute-store';
import { enqueue } from './adapters/queues';

export interface Actor {
  subject: string;
}

const hashOf = (request: OpenDisputeRequest) => createHash('sha256').update(JSON.stringify(request)).digest('hex');

/** Stores the dispute RECEIVED and hands it to the investigator; a retry for the same ticket gets the same dispute. */
export async function openDispute(request: OpenDisputeRequest, actor: Actor, origin: Dispute['origin'] = 'TICKET', now = new Date()): Promise<{ dispute: Dispute; created: boolean }> {
  const openedAt = now.toISOString();
  const dispute: Dispute = {
    ...request,
    disputeId: ulid(now.getTime()),
    origin,
    status: 'RECEIVED',
    openedAt,
    displayOffset: offsetOf(request.from),
    history: [{ at: openedAt, by: actor.subject, status: 'RECEIVED', note: `opened (${origin === 'AUDIT' ? 'by the batch audit' : `ticket ${request.ticketId}`})` }],
  };
  const result = await createDispute(dispute, hashOf(request));
  // Enqueue on every call: if a first attempt stored the dispute but failed to enqueue, the retry repairs it;
  // the investigator ignores disputes that are no longer RECEIVED.
  if (result.dispute.status === 'RECEIVED') await enqueue('investigations', { disputeId: result.dispute.disputeId });
  return result;
}

export class NotFoundError extends Error {}

async function existing(disputeId: string): Promise<Dispute> {
  const dispute = await getDispute(disputeId);
  if (!dispute) throw new NotFoundError(`dispute ${disputeId} does not exist`);
  return dispute;
}

/** Records a reviewer's decision on a RECOMMENDED dispute; a decided dispute is never decided again. */
export async function decideDispute(disputeId: string, request: DecisionRequest, actor: Actor, now = new Date()): Promise<Dispute> {
  const dispute = await existing(disputeId);
  if (dispute.status !== 'RECOMMENDED' || !dispute.recommendation) throw new StatusConflictError(disputeId, ['RECOMMENDED']);
  const decision = decide(dispute.recommendation, request, actor.subject, now.toISOString());
  const amount = formatMoney(decision.creditAmount.amountMinor, decision.creditAmount.currency);
  const note = `${decision.action === 'ACCEPT' ? 'accepted' : 'overrode with'} ${decision.outcome} ${amount}${decision.reason ? `: ${decision.reason}` : ''}`;
  // The condition on RECOMMENDED makes a concurrent second decision fail with a conflict.
  await transition(disputeId, ['RECOMMENDED'], { at: decision.decidedAt, by: actor.subject, status: 'DECIDED', note, decision }, { decision });
  return existing(disputeId);
}

/** Sends an open (RECOMMENDED) dispute back to the investigator, e.g. after late CDRs arrived. */
export async function reinvestigateDispute(disputeId: string, actor: Actor, now = new Date()): Promise<Dispute> {
  await existing(disputeId);
  await transition(disputeId, ['RECOMMENDED'], { at: now.toISOString(), by: actor.subject, status: 'INVESTIGATING', note: 're-investigation requested' });
  await enqueue('investigations', { disputeId });
  return existing(disputeId);
}
