// Disputes (PRODUCT.md §4): what a ticket tool opens, its lifecycle, and the recommendation the investigator stores.
import { z } from 'zod';
import { CalledNumber, Instant, Money } from '../cdr';
import type { Ratio } from '../statistics/connect-statistics';
import { ValidationError } from '../errors';
import { formatMoney } from '../money';
import type { Lease } from './lease';

export const CLAIMS = ['NEVER_CONNECTED', 'WRONG_DURATION'] as const;
export type Claim = (typeof CLAIMS)[number];

export const DISPUTE_STATUSES = ['RECEIVED', 'INVESTIGATING', 'RECOMMENDED', 'DECIDED'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

export const OUTCOMES = ['CREDIT', 'PARTIAL_CREDIT', 'DENY', 'ESCALATE'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const REASON_CODES = [
  'BILLED_UNANSWERED',
  'OVERBILLED_DURATION',
  'NETWORK_DEGRADATION',
  'FALSE_ANSWER_SUSPECTED',
  'CALL_CONNECTED',
  'UNANSWERED_NOT_CHARGED',
  'DESTINATION_HEALTHY',
  'AUTO_ATTENDANT_DETECTED',
  'LOW_SAMPLE',
  'INSUFFICIENT_DATA',
  'REPEAT_DISPUTER',
  'GOODWILL_ELIGIBLE',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

const MAX_WINDOW_DAYS = 93;

/** The body of `POST /v1/disputes`: an account, a claim and exactly one scope (PRODUCT.md §4.1). */
export const OpenDisputeRequest = z
  .object({
    accountId: z.string().min(1).max(64),
    claim: z.enum(CLAIMS),
    ticketId: z.string().min(1).max(128),
    customerStatement: z.string().max(4000).optional(),
    callIds: z.array(z.string().min(1).max(128)).min(1).max(500).optional(),
    calledNumber: CalledNumber.optional(),
    from: Instant.optional(),
    to: Instant.optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    const numberScope = body.calledNumber !== undefined || body.from !== undefined || body.to !== undefined;
    if (body.callIds !== undefined && numberScope) {
      ctx.addIssue({ code: 'custom', path: ['callIds'], message: 'give either callIds or calledNumber with from/to, not both' });
      return;
    }
    if (body.callIds !== undefined) return;
    for (const field of ['calledNumber', 'from', 'to'] as const) {
      if (body[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'required for a number scope (or give callIds)' });
    }
    if (body.from !== undefined && body.to !== undefined) {
      const span = Date.parse(body.to) - Date.parse(body.from);
      if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
      if (span > MAX_WINDOW_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `window must not exceed ${MAX_WINDOW_DAYS} days` });
    }
  });
export type OpenDisputeRequest = z.infer<typeof OpenDisputeRequest>;

export type DisputeOrigin = 'TICKET' | 'AUDIT';

export interface HistoryEntry {
  at: string;
  by: string;
  status: DisputeStatus;
  note: string;
  /** On RECOMMENDED entries: what was recommended then, so re-investigations show every recommendation. */
  recommendation?: RecommendationSummary;
  /** On DECIDED entries. */
  decision?: Decision;
}

export interface RecommendationSummary {
  outcome: Outcome;
  creditAmount: Money;
  reasons: ReasonCode[];
  policyVersion: string;
  generatedAt: string;
}

export const summarizeRecommendation = (r: Recommendation): RecommendationSummary => ({
  outcome: r.outcome,
  creditAmount: r.creditAmount,
  reasons: r.reasons.map((x) => x.code),
  policyVersion: r.policyVersion,
  generatedAt: r.generatedAt,
});

export const DECISION_ACTIONS = ['ACCEPT', 'OVERRIDE', 'GOODWILL'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/**
 * A reviewer's decision (PRODUCT.md §4.6), with its difference from the recommendation. GOODWILL is its own action,
 * never an override: it keeps the recommended outcome (DENY) and credits the goodwill amount, so its difference is
 * `outcomeChanged: false` and `creditDeltaMinor` = the goodwill credit.
 */
export interface Decision {
  action: DecisionAction;
  outcome: Outcome;
  creditAmount: Money;
  reason?: string;
  reviewer: string;
  decidedAt: string;
  difference: { outcomeChanged: boolean; creditDeltaMinor: number };
}

export interface Dispute extends OpenDisputeRequest {
  disputeId: string;
  origin: DisputeOrigin;
  status: DisputeStatus;
  /** When the dispute was opened, UTC. */
  openedAt: string;
  /** The offset the dispute was opened with (from its window), used to show times back to the customer. */
  displayOffset: string;
  recommendation?: Recommendation;
  decision?: Decision;
  /** The review lease, while a reviewer holds (or last held) the dispute; not history. An expired lease holds nothing. */
  lease?: Lease;
  history: HistoryEntry[];
}

export type Verdict = 'CREDIT' | 'DENY' | 'ESCALATE';

export interface CallAssessment {
  callId: string;
  calledNumber: string;
  /** In the dispute's display offset. */
  startedAt: string;
  /** The destination's connect statistics in this call's UTC hour (rule 3 reads these). */
  hour: { hour: string; attempts: number; ner: Ratio };
  answered: boolean;
  ttaSeconds: number | null;
  talkSeconds: number;
  billedSeconds: number;
  expectedBilledSeconds: number;
  charge: Money;
  verdict: Verdict;
  creditMinor: number;
  reasons: ReasonCode[];
}

/**
 * A reason as a recommendation stores and serves it. The investigation writes the typed `Reason` of
 * investigation/evidence.ts; a stored one may have been written by an earlier release, so here its evidence is data.
 */
export interface StoredReason {
  code: ReasonCode;
  message: string;
  evidence: Record<string, unknown>;
}

export interface Recommendation {
  outcome: Outcome;
  disputedAmount: Money;
  creditAmount: Money;
  calls: CallAssessment[];
  reasons: StoredReason[];
  goodwill: { eligible: boolean; amountMinor: number };
  flags: 'REPEAT_DISPUTER'[];
  evidence: Record<string, unknown>;
  policyVersion: string;
  generatedAt: string;
}

/** The offset a dispute's times are shown in: the one its window was given with, else UTC. */
export function offsetOf(instant: string | undefined): string {
  const match = instant?.match(/([+-]\d{2}:\d{2}|Z)$/);
  return !match || match[1] === 'Z' ? '+00:00' : match[1]!;
}

export const DECISION_OUTCOMES = ['CREDIT', 'PARTIAL_CREDIT', 'DENY'] as const;

/** The body of `POST /v1/disputes/{disputeId}/decision` (PRODUCT.md §4.6). */
export const DecisionRequest = z.discriminatedUnion('action', [
  z.object({ action: z.literal('ACCEPT'), note: z.string().max(2000).optional() }).strict(),
  z
    .object({
      action: z.literal('OVERRIDE'),
      outcome: z.enum(DECISION_OUTCOMES),
      creditAmount: Money,
      reason: z.string().trim().min(1, 'an override needs a reason').max(2000),
    })
    .strict(),
  z
    .object({
      action: z.literal('GOODWILL'),
      reason: z.string().trim().min(1, 'a goodwill credit needs a reason').max(2000),
      creditAmount: Money.optional().meta({ description: "at most the recommendation's goodwill amount; default all of it" }),
    })
    .strict(),
]);
export type DecisionRequest = z.infer<typeof DecisionRequest>;

/** A reviewer's decision on a recommendation, with the difference kept so override rates can be reported. */
export function decide(recommendation: Recommendation, request: DecisionRequest, reviewer: string, decidedAt: string): Decision {
  if (request.action === 'GOODWILL') return grantGoodwill(recommendation, request, reviewer, decidedAt);
  if (request.action === 'ACCEPT') {
    if (recommendation.outcome === 'ESCALATE') throw new ValidationError('action', 'an escalated recommendation has no outcome to accept: override it with one');
    return { action: 'ACCEPT', outcome: recommendation.outcome, creditAmount: recommendation.creditAmount, reason: request.note, reviewer, decidedAt, difference: { outcomeChanged: false, creditDeltaMinor: 0 } };
  }
  const { creditAmount, outcome } = request;
  const disputed = recommendation.disputedAmount;
  if (creditAmount.currency !== disputed.currency) throw new ValidationError('creditAmount.currency', `must be ${disputed.currency}, the currency of the disputed calls`);
  if (creditAmount.amountMinor > disputed.amountMinor) throw new ValidationError('creditAmount.amountMinor', `must not exceed the disputed amount (${formatMoney(disputed.amountMinor, disputed.currency)})`);
  if ((outcome === 'DENY') !== (creditAmount.amountMinor === 0)) throw new ValidationError('creditAmount.amountMinor', 'DENY credits nothing; CREDIT and PARTIAL_CREDIT credit something');
  return {
    action: 'OVERRIDE',
    outcome,
    creditAmount,
    reason: request.reason,
    reviewer,
    decidedAt,
    difference: { outcomeChanged: outcome !== recommendation.outcome, creditDeltaMinor: creditAmount.amountMinor - recommendation.creditAmount.amountMinor },
  };
}

/**
 * Goodwill as its own decision: the recommendation's suggested goodwill (or less), in the disputed currency, beside
 * the evidence-based outcome it does not replace. Only where the recommendation offers it.
 */
function grantGoodwill(recommendation: Recommendation, request: Extract<DecisionRequest, { action: 'GOODWILL' }>, reviewer: string, decidedAt: string): Decision {
  const { goodwill, disputedAmount } = recommendation;
  if (!goodwill.eligible) throw new ValidationError('action', 'this recommendation offers no goodwill: accept it or override it with a reason');
  // Goodwill is offered beside a DENY only (PRODUCT.md §4.4); a stored recommendation saying otherwise is refused too.
  if (recommendation.outcome !== 'DENY') throw new ValidationError('action', 'goodwill is offered beside a DENY recommendation only');
  if (goodwill.amountMinor <= 0) throw new ValidationError('action', 'the suggested goodwill is nothing: there is no credit to grant');
  const creditAmount = request.creditAmount ?? { amountMinor: goodwill.amountMinor, currency: disputedAmount.currency };
  if (creditAmount.currency !== disputedAmount.currency) throw new ValidationError('creditAmount.currency', `must be ${disputedAmount.currency}, the currency of the disputed calls`);
  if (creditAmount.amountMinor <= 0 || creditAmount.amountMinor > goodwill.amountMinor) {
    throw new ValidationError('creditAmount.amountMinor', `a goodwill credit is more than ${formatMoney(0, disputedAmount.currency)} and at most the suggested ${formatMoney(goodwill.amountMinor, disputedAmount.currency)}`);
  }
  return {
    action: 'GOODWILL',
    outcome: recommendation.outcome,
    creditAmount,
    reason: request.reason,
    reviewer,
    decidedAt,
    difference: { outcomeChanged: false, creditDeltaMinor: creditAmount.amountMinor - recommendation.creditAmount.amountMinor },
  };
}
