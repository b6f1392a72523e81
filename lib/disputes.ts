// Opening and reading disputes: what the API does, without HTTP.
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { type Dispute, type OpenDisputeRequest, offsetOf } from './domain/dispute';
import { createDispute } from './adapters/dispute-store';
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
