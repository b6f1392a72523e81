// The investigator: gathers the disputed calls, the destinations' stored statistics and the account's history,
// runs the pure policy, and stores the recommendation.
import type { Cdr } from './domain/cdr';
import { type Dispute, summarizeRecommendation } from './domain/dispute';
import { type PriorDispute, destinationRanges, investigate } from './domain/investigate';
import { accountCallsById, accountCallsInWindow } from './adapters/cdr-store';
import { getDispute, listByAccount, transition } from './adapters/dispute-store';
import { readStats } from './adapters/stats-store';
import { loadPolicy } from './policy-source';

const INVESTIGATOR = 'investigator';

function disputedCalls(dispute: Dispute): Promise<Cdr[]> {
  if (dispute.callIds) return accountCallsById(dispute.accountId, dispute.callIds);
  return accountCallsInWindow(dispute.accountId, dispute.calledNumber!, dispute.from!, dispute.to!);
}

const asPrior = (d: Dispute): PriorDispute => ({ disputeId: d.disputeId, openedAt: d.openedAt, decidedOutcome: d.decision?.outcome, creditedMinor: d.decision?.creditAmount.amountMinor });

export type InvestigationResult = 'RECOMMENDED' | 'SKIPPED';

/** Investigates one dispute; a redelivered message for a dispute already past investigation changes nothing. */
export async function investigateDispute(disputeId: string, now = () => new Date()): Promise<InvestigationResult> {
  const dispute = await getDispute(disputeId);
  if (!dispute || (dispute.status !== 'RECEIVED' && dispute.status !== 'INVESTIGATING')) return 'SKIPPED';
  if (dispute.status === 'RECEIVED') {
    await transition(disputeId, ['RECEIVED'], { at: now().toISOString(), by: INVESTIGATOR, status: 'INVESTIGATING', note: 'investigation started' });
  }
  const policy = await loadPolicy();
  const calls = await disputedCalls(dispute);
  const destinations = await Promise.all(
    destinationRanges(dispute, calls, policy).map(async (range) => ({
      ...range,
      buckets: await readStats(range.calledNumber, range.baseline.from, range.window.to),
    })),
  );
  const priorDisputes = (await listByAccount(dispute.accountId)).filter((d) => d.disputeId !== disputeId).map(asPrior);
  const recommendation = investigate({ dispute, calls, destinations, priorDisputes, policy, generatedAt: now().toISOString() });
  await transition(
    disputeId,
    ['INVESTIGATING'],
    { at: recommendation.generatedAt, by: INVESTIGATOR, status: 'RECOMMENDED', note: `recommended ${recommendation.outcome} (policy ${policy.version})`, recommendation: summarizeRecommendation(recommendation) },
    { recommendation },
  );
  return 'RECOMMENDED';
}
