// The audit's billing findings become disputes (origin AUDIT), so the credit goes through the same investigation
// and review as a customer's.
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { BillingFinding, OpenedDispute } from '../../domain/audit/findings';
import { planDisputes } from '../../domain/audit/dispute-plan';
import type { Dispute } from '../../domain/disputes/dispute';
import { listByAccount } from '../../adapters/dispute-reads';
import { openDispute } from '../disputes/open-dispute';

const STATEMENTS: Record<BillingFinding['type'], string> = {
  BILLED_UNANSWERED: 'charged but never answered',
  OVERBILLED_DURATION: 'billed for longer than their talk time and billing increment allow',
};

/**
 * Opens a dispute (origin AUDIT) for each account's billing findings and returns the findings with their
 * disputes. The ticketId comes from the account, the claim and the calls, and the request names nothing else that
 * varies, so running the audit again, or resuming it, reopens nothing; calls an existing dispute of the account
 * already covers (an earlier audit's, or the customer's own) are left out.
 */
export async function openProactiveDisputes(auditId: string, findings: BillingFinding[]): Promise<BillingFinding[]> {
  const actor = { subject: `audit:${auditId}` };
  const isOwn = (d: Dispute) => d.origin === 'AUDIT' && d.history[0]?.by === actor.subject;
  const limit = pLimit(8);
  const accounts = [...new Set(findings.map((f) => f.accountId))];
  const accountDisputes = new Map(await Promise.all(accounts.map((a) => limit(async () => [a, await listByAccount(a)] as const))));
  const plans = planDisputes(findings, accountDisputes, isOwn);
  return Promise.all(
    findings.map(async (finding, i) => {
      const plan = plans[i]!;
      const opened = await Promise.all(
        plan.chunks.map((callIds) =>
          limit(async (): Promise<OpenedDispute & { callIds: string[] }> => {
            const digest = createHash('sha256').update(callIds.join('\n')).digest('hex').slice(0, 20);
            const ticketId = `audit:${plan.accountId}:${plan.claim}:${digest}`;
            const request = { accountId: plan.accountId, claim: plan.claim, ticketId, callIds, customerStatement: `Found by the batch audit: ${callIds.length} ${callIds.length === 1 ? 'call' : 'calls'} ${STATEMENTS[finding.type]}.` };
            const { dispute, created } = await openDispute(request, actor, 'AUDIT');
            return { disputeId: dispute.disputeId, ticketId, calls: callIds.length, created: created || isOwn(dispute), callIds };
          }),
        ),
      );
      const disputeOf = new Map(opened.flatMap((o) => o.callIds.map((callId) => [callId, o.disputeId] as const)));
      return {
        ...finding,
        calls: finding.calls.map((c) => (disputeOf.has(c.callId) ? { ...c, disputeId: disputeOf.get(c.callId) } : c)),
        disputes: opened.map(({ callIds: _ids, ...o }) => o),
        alreadyDisputed: plan.alreadyDisputed,
      };
    }),
  );
}
