// The API's response shapes as zod schemas: the OpenAPI document is generated from these and the request schemas,
// and the tests validate every response against them. The type checks at the bottom keep them equal to the domain
// types, so a field added to a domain type without its schema fails to compile.
import { z } from 'zod';
import { CalledNumber, Instant, Money } from '../domain/cdr';
import type * as domain from '../domain/disputes/dispute';
import type * as audit from '../domain/audit/findings';
import { FINDING_TYPES } from '../domain/audit/findings';
import { DECISION_ACTIONS, DISPUTE_STATUSES, OUTCOMES, REASON_CODES } from '../domain/disputes/dispute';
import type * as lease from '../domain/disputes/lease';
import type * as dueDate from '../domain/disputes/due-date';
import type { Reason } from '../domain/investigation/evidence';
import { TTA_BIN_LABELS } from '../domain/statistics/connect-statistics';


const ReasonCode = z.enum(REASON_CODES).meta({ id: 'ReasonCode' });
const Outcome = z.enum(OUTCOMES).meta({ id: 'Outcome' });
const MoneySchema = Money.meta({ id: 'Money', description: 'Integer minor units (cents) with an ISO-4217 currency.', example: { amountMinor: 249, currency: 'USD' } });

export const Ratio = z
  .object({
    value: z.number().nullable(),
    numerator: z.number().int(),
    n: z.number().int(),
    interval: z.object({ low: z.number(), high: z.number() }).nullable().describe('95% Wilson score interval'),
  })
  .meta({ id: 'Ratio' });

const RecommendationSummary = z
  .object({ outcome: Outcome, creditAmount: MoneySchema, reasons: z.array(ReasonCode), policyVersion: z.string(), generatedAt: Instant })
  .meta({ id: 'RecommendationSummary' });

export const Decision = z
  .object({
    action: z
      .enum(DECISION_ACTIONS)
      .describe(
        'ACCEPT the recommendation, OVERRIDE it, or grant GOODWILL: its own decision, never an override, which keeps the recommended outcome (DENY) and credits the goodwill amount (difference: outcomeChanged false, creditDeltaMinor the goodwill credit)',
      ),
    outcome: Outcome,
    creditAmount: MoneySchema,
    reason: z.string().optional(),
    reviewer: z.string().describe("the reviewer's identity, from the token"),
    decidedAt: Instant,
    difference: z.object({ outcomeChanged: z.boolean(), creditDeltaMinor: z.number().int() }).describe('how the decision differs from the recommendation'),
  })
  .meta({ id: 'Decision' });

export const Lease = z
  .object({
    holder: z.string().describe("the reviewer's identity, from the token (the same one decisions record)"),
    expiresAt: Instant.describe('UTC; renew before it (POST again); after it the lease holds nothing'),
  })
  .meta({ id: 'Lease', description: 'A reviewer holds a RECOMMENDED dispute while working it, so two reviewers do not decide it at once.' });

export const HistoryEntry = z
  .object({
    at: Instant,
    by: z.string(),
    status: z.enum(DISPUTE_STATUSES),
    note: z.string(),
    recommendation: RecommendationSummary.optional(),
    decision: Decision.optional(),
  })
  .meta({ id: 'HistoryEntry' });

const CallAssessment = z
  .object({
    callId: z.string(),
    calledNumber: z.string(),
    startedAt: Instant.describe("in the dispute's display offset"),
    hour: z.object({ hour: Instant, attempts: z.number().int(), ner: Ratio }),
    answered: z.boolean(),
    ttaSeconds: z.number().nullable(),
    talkSeconds: z.number(),
    billedSeconds: z.number().int(),
    expectedBilledSeconds: z.number().int(),
    charge: MoneySchema,
    verdict: z.enum(['CREDIT', 'DENY', 'ESCALATE']),
    creditMinor: z.number().int(),
    reasons: z.array(ReasonCode),
  })
  .meta({ id: 'CallAssessment' });

export const Recommendation = z
  .object({
    outcome: Outcome,
    disputedAmount: MoneySchema,
    creditAmount: MoneySchema,
    calls: z.array(CallAssessment),
    reasons: z.array(z.object({ code: ReasonCode, message: z.string(), evidence: z.record(z.string(), z.unknown()) })),
    goodwill: z.object({ eligible: z.boolean(), amountMinor: z.number().int() }),
    flags: z.array(z.literal('REPEAT_DISPUTER')),
    evidence: z.record(z.string(), z.unknown()),
    policyVersion: z.string(),
    generatedAt: Instant,
  })
  .meta({ id: 'Recommendation' });

export const Dispute = z
  .object({
    disputeId: z.string(),
    accountId: z.string(),
    claim: z.enum(['NEVER_CONNECTED', 'WRONG_DURATION']),
    ticketId: z.string(),
    customerStatement: z.string().optional(),
    callIds: z.array(z.string()).optional(),
    calledNumber: CalledNumber.optional(),
    from: Instant.optional(),
    to: Instant.optional(),
    origin: z.enum(['TICKET', 'AUDIT']),
    status: z.enum(DISPUTE_STATUSES),
    openedAt: Instant,
    dueBy: Instant.describe("when a decision is due: opened plus the origin's service level (TICKET 48 h, AUDIT 120 h by default)"),
    overdue: z.boolean().describe('not decided and past dueBy, at the time of this answer'),
    updatedAt: Instant.describe('the last change: a transition or the overdue mark (not a lease); what `updatedSince` lists by'),
    overdueAt: Instant.optional().describe('when the overdue sweep found it past due undecided (and sent `dispute.overdue`)'),
    displayOffset: z.string(),
    recommendation: Recommendation.optional(),
    decision: Decision.optional(),
    lease: Lease.optional().describe('the review lease; may have expired (compare expiresAt): an expired lease holds nothing'),
    history: z.array(HistoryEntry).describe('append-only, oldest first'),
  })
  .meta({ id: 'Dispute' });

export const DisputePage = z
  .object({ items: z.array(Dispute), cursor: z.string().optional().describe('opaque; pass it back as ?cursor= for the next page; absent on the last page') })
  .meta({ id: 'DisputePage' });

export const AccountDisputes = z.object({ accountId: z.string(), items: z.array(Dispute).describe('oldest first') }).meta({ id: 'AccountDisputes' });

/** The counters of a destination-hour (lib/domain/stats.ts ConnectCounters), without the histogram. */
const counterFields = {
  attempts: z.number().int(),
  answered: z.number().int(),
  userFailures: z.number().int(),
  callerAbandons: z.number().int(),
  callerErrors: z.number().int(),
  networkFailures: z.number().int(),
  talkMillis: z.number().int(),
  shortCalls: z.number().int(),
};

const StatsPoint = z
  .object({
    ...counterFields,
    ttaHistogram: z.object(Object.fromEntries(TTA_BIN_LABELS.map((label) => [label, z.number().int()]))).describe('answered calls per time-to-answer bin, seconds'),
    asr: Ratio,
    ner: Ratio,
    scr: Ratio,
    acdSeconds: z.number().nullable(),
  })
  .meta({ id: 'ConnectStatistics' });

export const NumberStats = z
  .object({
    calledNumber: CalledNumber,
    from: Instant,
    to: Instant,
    granularity: z.enum(['hour', 'day']),
    dataFrom: Instant.nullable().describe("the start of the number's first stored hour with calls, whatever the window; null when it has none"),
    dataTo: Instant.nullable().describe("the end of the number's latest stored hour with calls (exclusive, like to); null when it has none"),
    total: StatsPoint,
    series: z.array(StatsPoint.extend({ period: Instant })),
  })
  .meta({ id: 'NumberStats' });

export const ProblemSchema = z
  .object({
    type: z.string().describe('stable per error, e.g. /problems/validation-failed'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), reason: z.string() })).optional().describe('the failing fields'),
  })
  .meta({ id: 'Problem' });


// Compile-time equality of the schemas and the domain types.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const check = <T extends true>(_: T) => undefined;
check<Same<z.infer<typeof Decision>, domain.Decision>>(true);
check<Same<z.infer<typeof HistoryEntry>, domain.HistoryEntry>>(true);
check<Same<z.infer<typeof Recommendation>, domain.Recommendation>>(true);
check<Same<z.infer<typeof Dispute>, dueDate.DatedDispute>>(true);
check<Same<z.infer<typeof Lease>, lease.Lease>>(true);
// A stored reason's evidence is a record (an earlier release may have written it); the investigation writes the
// typed Reason of the domain: it must fit the served shape, and cover exactly the schema's codes.
type Fits<A, B> = [A] extends [B] ? true : false;
check<Fits<Reason, z.infer<typeof Recommendation>['reasons'][number]>>(true);
check<Same<Reason['code'], z.infer<typeof ReasonCode>>>(true);

// --- The batch audit (PRODUCT.md §6) ---
export const AuditRequest = z
  .object({ from: Instant, to: Instant, repair: z.boolean().describe('rewrite drifted connect statistics from the recount') })
  .partial()
  .strict()
  .refine((b) => (b.from === undefined) === (b.to === undefined), { path: ['to'], message: 'give both from and to, or neither' })
  .refine((b) => !b.from || !b.to || Date.parse(b.from) < Date.parse(b.to), { path: ['to'], message: 'must be after from' })
  .meta({ id: 'AuditRequest' });

const Counters = z
  .object({
    ...counterFields,
    ttaHistogram: z.array(z.number().int()).describe('answered calls per time-to-answer bin: [0,1) [1,3) [3,6) [6,12) [12,24) [24,inf) s'),
  })
  .meta({ id: 'ConnectCounters' });
const AccountCharges = z.object({ accountId: z.string(), calls: z.number().int(), charged: MoneySchema });
const Monies = z.array(MoneySchema).describe('per currency');

const Finding = z
  .discriminatedUnion('type', [
    z.object({
      type: z.enum(['BILLED_UNANSWERED', 'OVERBILLED_DURATION']),
      accountId: z.string(),
      credit: MoneySchema,
      charged: MoneySchema,
      calls: z.array(
        z.object({
          callId: z.string(),
          source: z.string(),
          calledNumber: z.string(),
          startedAt: Instant,
          answered: z.boolean(),
          billedSeconds: z.number().int(),
          expectedBilledSeconds: z.number().int(),
          charge: MoneySchema,
          creditMinor: z.number().int(),
          disputeId: z.string().optional().describe('the AUDIT dispute that names this call'),
        }),
      ),
      disputes: z.array(z.object({ disputeId: z.string(), ticketId: z.string(), calls: z.number().int(), created: z.boolean() })).describe('the disputes (origin AUDIT) opened for these calls'),
      alreadyDisputed: z.number().int().describe("calls left out because a dispute of the account already covers them"),
    }),
    z.object({ type: z.literal('NETWORK_DEGRADATION'), calledNumber: z.string(), hour: Instant, attempts: z.number().int(), ner: Ratio, baselineNer: Ratio, accounts: z.array(AccountCharges), charged: Monies }),
    z.object({ type: z.literal('FALSE_ANSWER_SUSPECTED'), calledNumber: z.string(), answered: z.number().int(), scr: Ratio, subSecondAnswers: Ratio, accounts: z.array(AccountCharges), charged: Monies }),
    z.object({
      type: z.literal('STATS_DRIFT'),
      calledNumber: z.string(),
      hour: Instant,
      stored: Counters.nullable(),
      recounted: Counters,
      differences: z.array(z.string()),
      lastIngestedAt: Instant.optional(),
      repair: z.enum(['REPAIRED', 'CHANGED_SINCE_READ', 'UNSETTLED']).optional(),
    }),
    z.object({
      type: z.literal('REVIEW_OVERDUE'),
      disputeId: z.string(),
      accountId: z.string(),
      claim: z.enum(['NEVER_CONNECTED', 'WRONG_DURATION']),
      origin: z.enum(['TICKET', 'AUDIT']),
      openedAt: Instant,
      recommendedAt: Instant,
      hoursWaiting: z.number(),
      outcome: Outcome.optional(),
      creditAmount: MoneySchema.optional(),
    }),
    z.object({
      type: z.literal('REVIEWER_CONSISTENCY'),
      reviewer: z.string(),
      decisions: z.number().int(),
      accepted: z.number().int(),
      overridden: z.number().int(),
      overrideRate: Ratio,
      teamOverrideRate: Ratio,
      outcomeChanged: z.number().int(),
      outcomes: z.partialRecord(Outcome, z.number().int()),
      credited: Monies,
      creditDelta: z.array(z.object({ amountMinor: z.number().int(), currency: z.string() })).describe('decided minus recommended credit, per currency'),
    }),
    z.object({ type: z.literal('REJECTED_INPUT'), reason: z.string(), rejects: z.number().int(), open: z.number().int(), replayed: z.number().int(), sources: z.array(z.object({ source: z.string(), rejects: z.number().int() })) }),
  ])
  .meta({ id: 'Finding' });

const auditFields = {
  auditId: z.string(),
  trigger: z.enum(['schedule', 'api', 'cli']),
  period: z.object({ from: Instant, to: Instant }).describe('whole UTC hours, from inclusive, to exclusive'),
  repair: z.boolean(),
  status: z.enum(['RUNNING', 'COMPLETED', 'FAILED']),
  startedAt: Instant,
  finishedAt: Instant.optional(),
  failure: z.string().optional(),
  policyVersion: z.string().optional(),
  progress: z.object({ hours: z.number().int(), hoursDone: z.number().int(), groups: z.number().int(), groupsDone: z.number().int() }),
  cdrsExamined: z.number().int(),
  summary: z.array(
    z.object({
      type: z.enum(FINDING_TYPES),
      findings: z.number().int(),
      count: z.number().int(),
      unit: z.enum(['calls', 'buckets', 'disputes', 'decisions', 'rejects']),
      accounts: z.number().int().optional(),
      totals: Monies,
    }),
  ),
  disputes: z
    .object({ opened: z.number().int(), accounts: z.number().int(), calls: z.number().int(), alreadyDisputed: z.number().int() })
    .describe('the disputes (origin AUDIT) this audit opened for accounts with billing errors'),
};

export const AuditReport = z.object({ ...auditFields, findings: z.array(Finding) }).meta({ id: 'AuditReport' });
export const AuditHeader = z.object(auditFields).meta({ id: 'AuditHeader' });
export const AuditList = z.object({ items: z.array(AuditHeader).describe('newest first') }).meta({ id: 'AuditList' });

check<Same<z.infer<typeof AuditReport>, audit.AuditReport>>(true);
