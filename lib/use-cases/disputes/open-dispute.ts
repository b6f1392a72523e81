// Opening a dispute: what the API and the audit do, without HTTP.
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { type Dispute, type OpenDisputeRequest, offsetOf } from '../../domain/disputes/dispute';
import { type DatedDispute, dueBy } from '../../domain/disputes/due-date';
import { createDispute } from '../../adapters/dispute-store';
import { enqueue } from '../../adapters/queues';
import { setting } from '../../config';

/** Who asks for a change: the token's subject, recorded in the history. */
export interface Actor {
  subject: string;
}

const hashOf = (request: OpenDisputeRequest) => createHash('sha256').update(JSON.stringify(request)).digest('hex');

/**
 * Stores the dispute RECEIVED, due a decision its origin's service level later, and hands it to the investigator; a
 * retry for the same ticket gets the same dispute.
 */
export async function openDispute(request: OpenDisputeRequest, actor: Actor, origin: Dispute['origin'] = 'TICKET', now = new Date()): Promise<{ dispute: DatedDispute; created: boolean }> {
  const openedAt = now.toISOString();
  const dispute: Dispute & { dueBy: string; updatedAt: string } = {
    ...request,
    disputeId: ulid(now.getTime()),
    origin,
    status: 'RECEIVED',
    openedAt,
    dueBy: dueBy(openedAt, origin, setting('SERVICE_LEVEL_HOURS')),
    updatedAt: openedAt,
    displayOffset: offsetOf(request.from),
    history: [{ at: openedAt, by: actor.subject, status: 'RECEIVED', note: `opened (${origin === 'AUDIT' ? 'by the batch audit' : `ticket ${request.ticketId}`})` }],
  };
  const result = await createDispute(dispute, hashOf(request));
  // Enqueue on every call: if a first attempt stored the dispute but failed to enqueue, the retry repairs it;
  // the investigator ignores disputes that are no longer RECEIVED.
  if (result.dispute.status === 'RECEIVED') await enqueue('investigations', { disputeId: result.dispute.disputeId });
  return result;
}
