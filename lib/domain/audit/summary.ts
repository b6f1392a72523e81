// A report's summary: counts and money per finding type, and the proactive disputes counted.
import type { Money } from '../cdr';
import { type BillingFinding, type DisputesSummary, FINDING_TYPES, type Finding, type FindingSummary, type FindingType } from './findings';
import { moneyTotals } from './order';

const UNITS: Record<FindingType, FindingSummary['unit']> = {
  BILLED_UNANSWERED: 'calls',
  OVERBILLED_DURATION: 'calls',
  NETWORK_DEGRADATION: 'calls',
  FALSE_ANSWER_SUSPECTED: 'calls',
  STATS_DRIFT: 'buckets',
  REVIEW_OVERDUE: 'disputes',
  REVIEWER_CONSISTENCY: 'decisions',
  REJECTED_INPUT: 'rejects',
};

function measure(f: Finding): { count: number; accounts: string[]; money: Money[] } {
  switch (f.type) {
    case 'BILLED_UNANSWERED':
    case 'OVERBILLED_DURATION':
      return { count: f.calls.length, accounts: [f.accountId], money: [f.credit] };
    case 'NETWORK_DEGRADATION':
    case 'FALSE_ANSWER_SUSPECTED':
      return { count: f.accounts.reduce((n, a) => n + a.calls, 0), accounts: f.accounts.map((a) => a.accountId), money: f.charged };
    case 'STATS_DRIFT':
      return { count: 1, accounts: [], money: [] };
    case 'REVIEW_OVERDUE':
      return { count: 1, accounts: [f.accountId], money: f.creditAmount ? [f.creditAmount] : [] };
    case 'REVIEWER_CONSISTENCY':
      return { count: f.decisions, accounts: [], money: f.credited };
    case 'REJECTED_INPUT':
      return { count: f.rejects, accounts: [], money: [] };
  }
}

/** The proactive disputes the billing findings opened, counted. */
export function summarizeDisputes(findings: Finding[]): DisputesSummary {
  const billing = findings.filter((f): f is BillingFinding => f.type === 'BILLED_UNANSWERED' || f.type === 'OVERBILLED_DURATION');
  return {
    opened: billing.reduce((n, f) => n + f.disputes.length, 0),
    accounts: new Set(billing.filter((f) => f.disputes.length > 0).map((f) => f.accountId)).size,
    calls: billing.reduce((n, f) => n + f.disputes.reduce((m, d) => m + d.calls, 0), 0),
    alreadyDisputed: billing.reduce((n, f) => n + f.alreadyDisputed, 0),
  };
}
/**
 * Counts and money per finding type, every type listed (zeros included). `distinctRejects` replaces the sum of
 * REJECTED_INPUT counts, which counts a record with several failing fields once per reason.
 */
export function summarize(findings: Finding[], distinctRejects?: number): FindingSummary[] {
  return FINDING_TYPES.map((type) => {
    const ofType = findings.filter((f) => f.type === type);
    const measured = ofType.map(measure);
    const accounts = new Set(measured.flatMap((m) => m.accounts));
    const withAccounts = ['BILLED_UNANSWERED', 'OVERBILLED_DURATION', 'NETWORK_DEGRADATION', 'FALSE_ANSWER_SUSPECTED', 'REVIEW_OVERDUE'].includes(type);
    return {
      type,
      findings: ofType.length,
      count: type === 'REJECTED_INPUT' && distinctRejects !== undefined ? distinctRejects : measured.reduce((n, m) => n + m.count, 0),
      unit: UNITS[type],
      ...(withAccounts ? { accounts: accounts.size } : {}),
      totals: moneyTotals(measured.flatMap((m) => m.money)),
    };
  });
}
