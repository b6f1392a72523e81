// Rules 1 and 2 (PRODUCT.md §4.4) over the audited CDRs: the calls they credit, and those calls as findings per account.
import type { Cdr } from '../cdr';
import { billedUnansweredCredit, overbilledCredit } from '../policy/rules';
import { type BilledCall, type BillingFinding, FINDING_TYPES, type FindingType } from './findings';
import { cmp, compareCalls } from './order';

/** A call rule 1 or 2 credits, with the credit. */
export interface BillingCredit {
  cdr: Cdr;
  type: BillingFinding['type'];
  creditMinor: number;
}

/**
 * The calls rules 1 and 2 credit, in the order given, with the credit of the first of the two that applies: what the
 * proactive dispute (a claim on which rules 1 and 2 run first) recommends for each call.
 */
export function billingCredits(cdrs: Iterable<Cdr>): BillingCredit[] {
  const out: BillingCredit[] = [];
  for (const cdr of cdrs) {
    const unanswered = billedUnansweredCredit(cdr);
    if (unanswered !== null) {
      out.push({ cdr, type: 'BILLED_UNANSWERED', creditMinor: unanswered });
      continue;
    }
    const excess = overbilledCredit(cdr);
    if (excess !== null) out.push({ cdr, type: 'OVERBILLED_DURATION', creditMinor: excess });
  }
  return out;
}

/** A billed call with the finding type and account it belongs to. */
export interface BilledCallOf extends BilledCall {
  type: BillingFinding['type'];
  accountId: string;
}

/** Rule 1 and rule 2 calls of the whole period, per account and currency, with totals. */
export function billingFindings(calls: Iterable<BilledCallOf>): BillingFinding[] {
  const byKey = new Map<string, BillingFinding>();
  for (const { type, accountId, ...call } of calls) {
    const key = `${type}\u0000${accountId}\u0000${call.charge.currency}`;
    const finding: BillingFinding = byKey.get(key) ?? { type, accountId, credit: { amountMinor: 0, currency: call.charge.currency }, charged: { amountMinor: 0, currency: call.charge.currency }, calls: [], disputes: [], alreadyDisputed: 0 };
    finding.credit.amountMinor += call.creditMinor;
    finding.charged.amountMinor += call.charge.amountMinor;
    finding.calls.push(call);
    byKey.set(key, finding);
  }
  const order = (t: FindingType) => FINDING_TYPES.indexOf(t);
  return [...byKey.values()]
    .map((f) => ({ ...f, calls: f.calls.sort(compareCalls) }))
    .sort((a, b) => order(a.type) - order(b.type) || cmp(a.accountId, b.accountId) || cmp(a.credit.currency, b.credit.currency));
}
