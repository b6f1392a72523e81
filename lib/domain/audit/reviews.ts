// Reviews in the audit: recommendations waiting too long, and each reviewer's decisions in the period.
import type { Dispute, Outcome } from '../disputes/dispute';
import { ratio } from '../statistics/connect-statistics';
import { type OverdueFinding, REVIEW_OVERDUE_HOURS, type ReviewerFinding } from './findings';
import { cmp, moneyTotals } from './order';

const HOUR_MS = 3_600_000;

/** When a dispute was last recommended: its latest RECOMMENDED history entry. */
export function recommendedAt(dispute: Pick<Dispute, 'history' | 'recommendation'>): string | undefined {
  const entries = dispute.history.filter((h) => h.status === 'RECOMMENDED');
  return entries[entries.length - 1]?.at ?? dispute.recommendation?.generatedAt;
}

/** RECOMMENDED disputes waiting for a reviewer longer than REVIEW_OVERDUE_HOURS at `asOf`, oldest first. */
export function overdueFindings(disputes: Dispute[], asOf: string): OverdueFinding[] {
  const now = Date.parse(asOf);
  const out: OverdueFinding[] = [];
  for (const d of disputes) {
    const at = recommendedAt(d);
    if (d.status !== 'RECOMMENDED' || !at || now - Date.parse(at) <= REVIEW_OVERDUE_HOURS * HOUR_MS) continue;
    out.push({
      type: 'REVIEW_OVERDUE',
      disputeId: d.disputeId,
      accountId: d.accountId,
      claim: d.claim,
      origin: d.origin,
      openedAt: d.openedAt,
      recommendedAt: at,
      hoursWaiting: Math.floor((now - Date.parse(at)) / HOUR_MS),
      outcome: d.recommendation?.outcome,
      creditAmount: d.recommendation?.creditAmount,
    });
  }
  return out.sort((a, b) => Date.parse(a.recommendedAt) - Date.parse(b.recommendedAt) || cmp(a.disputeId, b.disputeId));
}

/** Decisions taken in the period, per reviewer: how many, how often overridden, what was credited. */
export function reviewerFindings(disputes: Pick<Dispute, 'decision' | 'recommendation'>[], period: { from: string; to: string }): ReviewerFinding[] {
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  const decided = disputes.filter((d) => d.decision && Date.parse(d.decision.decidedAt) >= from && Date.parse(d.decision.decidedAt) < to);
  const overriddenTotal = decided.filter((d) => d.decision!.action === 'OVERRIDE').length;
  const team = ratio(overriddenTotal, decided.length);
  const byReviewer = new Map<string, typeof decided>();
  for (const d of decided) byReviewer.set(d.decision!.reviewer, [...(byReviewer.get(d.decision!.reviewer) ?? []), d]);
  return [...byReviewer.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([reviewer, list]) => {
      const decisions = list.map((d) => d.decision!);
      const overridden = decisions.filter((d) => d.action === 'OVERRIDE').length;
      const outcomes: Partial<Record<Outcome, number>> = {};
      for (const d of decisions) outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
      return {
        type: 'REVIEWER_CONSISTENCY',
        reviewer,
        decisions: decisions.length,
        accepted: decisions.length - overridden,
        overridden,
        overrideRate: ratio(overridden, decisions.length),
        teamOverrideRate: team,
        outcomeChanged: decisions.filter((d) => d.difference.outcomeChanged).length,
        outcomes,
        credited: moneyTotals(decisions.map((d) => d.creditAmount)),
        creditDelta: moneyTotals(decisions.map((d) => ({ amountMinor: d.difference.creditDeltaMinor, currency: d.creditAmount.currency }))),
      };
    });
}
