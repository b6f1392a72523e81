// The proactive disputes (PRODUCT.md §6): which billing-finding calls get a dispute of origin AUDIT, in which chunks.
import type { Claim, Dispute } from '../disputes/dispute';
import { type BilledCall, type BillingFinding, MAX_CALLS_PER_DISPUTE } from './findings';

/** The disputes to open for one billing finding. */
export interface DisputePlan {
  accountId: string;
  claim: Claim;
  currency: string;
  /** Sorted call ids, at most MAX_CALLS_PER_DISPUTE per dispute. */
  chunks: string[][];
  alreadyDisputed: number;
}
/** The claim a proactive dispute makes for each billing finding type. */
export const CLAIM_OF: Record<BillingFinding['type'], Claim> = { BILLED_UNANSWERED: 'NEVER_CONNECTED', OVERBILLED_DURATION: 'WRONG_DURATION' };

/** Does one of the account's disputes already cover this call (by call id, or by number and window)? */
function coveredBy(disputes: Pick<Dispute, 'callIds' | 'calledNumber' | 'from' | 'to'>[], call: BilledCall): boolean {
  const t = Date.parse(call.startedAt);
  return disputes.some((d) => d.callIds?.includes(call.callId) || (d.calledNumber === call.calledNumber && d.from !== undefined && d.to !== undefined && t >= Date.parse(d.from) && t < Date.parse(d.to)));
}

/**
 * The disputes to open for billing findings: per account, claim and currency, the finding calls no dispute of the
 * account covers yet (disputes opened by this same audit, `ownDisputeIds`, do not count: a resumed audit reopens
 * the same ones), in sorted chunks of at most 500, so the same calls always give the same chunks.
 */
export function planDisputes(findings: BillingFinding[], accountDisputes: Map<string, Dispute[]>, isOwn: (d: Dispute) => boolean): DisputePlan[] {
  // A billing finding holds one account's calls under one claim in one currency: one plan each, in the same order.
  return findings.map((f) => {
    const others = (accountDisputes.get(f.accountId) ?? []).filter((d) => !isOwn(d));
    const open = f.calls.filter((c) => !coveredBy(others, c));
    const ids = [...new Set(open.map((c) => c.callId))].sort();
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += MAX_CALLS_PER_DISPUTE) chunks.push(ids.slice(i, i + MAX_CALLS_PER_DISPUTE));
    return { accountId: f.accountId, claim: CLAIM_OF[f.type], currency: f.credit.currency, chunks, alreadyDisputed: f.calls.length - open.length };
  });
}
