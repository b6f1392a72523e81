// The API's response shapes as zod schemas: the OpenAPI document is generated from these and the request schemas,
// and the tests validate every response against them. The type checks at the bottom keep them equal to the domain
// types, so a field added to a domain type without its schema fails to compile.
import { z } from 'zod';
import { E164, Money } from '../domain/cdr';
import * as domain from '../domain/dispute';
import { DISPUTE_STATUSES, OUTCOMES, REASON_CODES } from '../domain/dispute';
import { TTA_BIN_LABELS } from '../domain/stats';


const Instant = z.iso.datetime({ offset: true });
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
    action: z.enum(['ACCEPT', 'OVERRIDE']),
    outcome: Outcome,
    creditAmount: MoneySchema,
    reason: z.string().optional(),
    reviewer: z.string().describe("the reviewer's identity, from the token"),
    decidedAt: Instant,
    difference: z.object({ outcomeChanged: z.boolean(), creditDeltaMinor: z.number().int() }).describe('how the decision differs from the recommendation'),
  })
  .meta({ id: 'Decision' });

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
    calledNumber: E164.optional(),
    from: Instant.optional(),
    to: Instant.optional(),
    origin: z.enum(['TICKET', 'AUDIT']),
    status: z.enum(DISPUTE_STATUSES),
    openedAt: Instant,
    displayOffset: z.string(),
    recommendation: Recommendation.optional(),
    decision: Decision.optional(),
    history: z.array(HistoryEntry).describe('append-only, oldest first'),
  })
  .meta({ id: 'Dispute' });

export const DisputePage = z
  .object({ items: z.array(Dispute), cursor: z.string().optional().describe('opaque; pass it back as ?cursor= for the next page; absent on the last page') })
  .meta({ id: 'DisputePage' });

export const AccountDisputes = z.object({ accountId: z.string(), items: z.array(Dispute).describe('oldest first') }).meta({ id: 'AccountDisputes' });

const StatsPoint = z
  .object({
    attempts: z.number().int(),
    answered: z.number().int(),
    userFailures: z.number().int(),
    callerAbandons: z.number().int(),
    callerErrors: z.number().int(),
    networkFailures: z.number().int(),
    talkMillis: z.number().int(),
    shortCalls: z.number().int(),
    ttaHistogram: z.object(Object.fromEntries(TTA_BIN_LABELS.map((label) => [label, z.number().int()]))).describe('answered calls per time-to-answer bin, seconds'),
    asr: Ratio,
    ner: Ratio,
    scr: Ratio,
    acdSeconds: z.number().nullable(),
  })
  .meta({ id: 'ConnectStatistics' });

export const NumberStats = z
  .object({
    calledNumber: E164,
    from: Instant,
    to: Instant,
    granularity: z.enum(['hour', 'day']),
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
check<Same<z.infer<typeof Dispute>, domain.Dispute>>(true);

// --- The batch audit (PRODUCT.md §6) ---
export const AuditRequest = z
  .object({ from: Instant, to: Instant, repair: z.boolean().describe('rewrite drifted connect statistics from the recount') })
  .partial()
  .strict()
  .refine((b) => (b.from === undefined) === (b.to === undefined), { path: ['to'], message: 'give both from and to, or neither' })
  .refine((b) => !b.from || !b.to || Date.parse(b.from) < Date.parse(b.to), { path: ['to'], message: 'must be after from' })
  .meta({ id: 'AuditRequest' });

export const AuditReport = z.object({ auditId: z.string() }).loose().meta({ id: 'AuditReport' });
export const AuditList = z.object({ items: z.array(AuditReport) }).meta({ id: 'AuditList' });
export const auditExample = { auditId: '01JC3A0000AUDIT0000000000' };
