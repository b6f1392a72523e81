// The batch audit (PRODUCT.md §6): findings over a period's CDRs, as pure functions.
import { type Cdr, type Money, isAnswered } from './cdr';

export const FINDING_TYPES = ['BILLED_UNANSWERED'] as const;
export type FindingType = (typeof FINDING_TYPES)[number];

export interface AccountFinding {
  type: FindingType;
  accountId: string;
  total: Money;
  calls: { callId: string; source: string; calledNumber: string; startedAt: string; charge: Money }[];
}

export interface AuditReport {
  auditId: string;
  trigger: 'schedule' | 'api' | 'cli';
  period: { from: string; to: string };
  startedAt: string;
  finishedAt: string;
  cdrsExamined: number;
  findings: AccountFinding[];
  summary: { type: FindingType; accounts: number; calls: number; totals: Money[] }[];
}

/** Rule 1 of the policy applied to everyone: unanswered attempts that were charged, per account and currency. */
export function billedUnanswered(cdrs: Iterable<Cdr>): AccountFinding[] {
  const byAccount = new Map<string, AccountFinding>();
  for (const cdr of cdrs) {
    if (isAnswered(cdr) || cdr.charge.amountMinor === 0) continue;
    const key = `${cdr.accountId}|${cdr.charge.currency}`;
    const finding = byAccount.get(key) ?? { type: 'BILLED_UNANSWERED', accountId: cdr.accountId, total: { amountMinor: 0, currency: cdr.charge.currency }, calls: [] };
    finding.total.amountMinor += cdr.charge.amountMinor;
    finding.calls.push({ callId: cdr.callId, source: cdr.source, calledNumber: cdr.calledNumber, startedAt: cdr.startedAt, charge: cdr.charge });
    byAccount.set(key, finding);
  }
  return [...byAccount.values()]
    .map((f) => ({ ...f, calls: f.calls.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.callId.localeCompare(b.callId)) }))
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.total.currency.localeCompare(b.total.currency));
}

export function summarize(findings: AccountFinding[]): AuditReport['summary'] {
  return FINDING_TYPES.map((type) => {
    const ofType = findings.filter((f) => f.type === type);
    const totals = new Map<string, number>();
    for (const f of ofType) totals.set(f.total.currency, (totals.get(f.total.currency) ?? 0) + f.total.amountMinor);
    return {
      type,
      accounts: new Set(ofType.map((f) => f.accountId)).size,
      calls: ofType.reduce((n, f) => n + f.calls.length, 0),
      totals: [...totals.entries()].map(([currency, amountMinor]) => ({ amountMinor, currency })),
    };
  });
}
