// The investigator: gathers the disputed calls, the destinations' stored statistics and the account's history,
// runs the pure policy, and stores the recommendation.
import type { Cdr } from '../../domain/cdr';
import { type Dispute, summarizeRecommendation } from '../../domain/disputes/dispute';
import { type PriorDispute, destinationRanges, historyHorizon, investigate } from '../../domain/investigation/investigate';
import { accountCallsById, accountCallsInWindow } from '../../adapters/cdr-store';
import { priorDisputesOf } from '../../adapters/dispute-reads';
import { getDispute, transition } from '../../adapters/dispute-store';
import { readStats } from '../../adapters/stats-store';
import { loadPolicy } from '../../adapters/policy-source';
import { METRICS, countMetricBy } from '../../adapters/metrics';

const INVESTIGATOR = 'investigator';

function disputedCalls(dispute: Dispute): Promise<Cdr[]> {
  if (dispute.callIds) return accountCallsById(dispute.accountId, dispute.callIds);
  return accountCallsInWindow(dispute.accountId, dispute.calledNumber!, dispute.from!, dispute.to!);
}

const asPrior = (d: Pick<Dispute, 'disputeId' | 'openedAt' | 'decision'>): PriorDispute => ({ disputeId: d.disputeId, openedAt: d.openedAt, decidedOutcome: d.decision?.outcome, creditedMinor: d.decision?.creditAmount.amountMinor });

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
  const priorDisputes = (await priorDisputesOf(dispute.accountId, historyHorizon(dispute.openedAt, policy), dispute.openedAt)).filter((d) => d.disputeId !== disputeId).map(asPrior);
  const recommendation = investigate({ dispute, calls, destinations, priorDisputes, policy, generatedAt: now().toISOString() });
  await transition(
    disputeId,
    ['INVESTIGATING'],
    { at: recommendation.generatedAt, by: INVESTIGATOR, status: 'RECOMMENDED', note: `recommended ${recommendation.outcome} (policy ${policy.version})`, recommendation: summarizeRecommendation(recommendation) },
    { recommendation },
  );
  countMetricBy(METRICS.disputesRecommended, { [recommendation.outcome]: 1 });
  return 'RECOMMENDED';
}
