// The investigation (PRODUCT.md §4.3-4.4): a pure function from the disputed calls, the destinations' stored
// connect statistics and the account's dispute history to a recommendation with its evidence.
import { type Cdr, type Money, expectedBilledSeconds, isAnswered, talkSeconds, ttaSeconds } from '../cdr';
import type { CallAssessment, Claim, Outcome, ReasonCode, Recommendation } from '../disputes/dispute';
import type { Policy } from '../policy/policy';
import { autoAttendant, destinationHealthy, firstRingAnswers, ruleCall, subSecondAnswers } from '../policy/rules';
import { type ConnectCounters, type ConnectRatios, type StatsBucket, TTA_BIN_LABELS, emptyCounters, ratio, ratios, sumCounters, utcHour } from '../statistics/connect-statistics';
import type { AccountAttempts, CallsEvidence, DestinationEvidence, EvidenceByCode, Reason, StatsEvidence } from './evidence';
import { describeReason } from './explain';
import { inOffset } from '../time';

const HOUR_MS = 3_600_000;

/** Instants, `from` inclusive, `to` exclusive. */
export interface TimeRange {
  from: string;
  to: string;
}

/** The statistics a destination's evidence is read from: the window and the 7-day baseline before it (PRODUCT.md §4.1). */
export interface DestinationRanges {
  calledNumber: string;
  window: TimeRange;
  baseline: TimeRange;
}

/** A destination's stored statistics for its window and baseline. */
export interface DestinationStats extends DestinationRanges {
  /** Stored hourly buckets in the window and the baseline; hours without a bucket had no attempts. */
  buckets: StatsBucket[];
}

/** One of the account's earlier disputes, as customer history reads it. */
export interface PriorDispute {
  disputeId: string;
  openedAt: string;
  decidedOutcome?: Outcome;
  creditedMinor?: number;
}

/** What the investigation needs of the dispute: account, claim, scope, and the offset times are shown in. */
export interface DisputeScope {
  accountId: string;
  claim: Claim;
  openedAt: string;
  displayOffset: string;
  calledNumber?: string;
  from?: string;
  to?: string;
}

/** Everything a recommendation is computed from: the same input gives the same recommendation. */
export interface InvestigationInput {
  dispute: DisputeScope;
  calls: Cdr[];
  destinations: DestinationStats[];
  priorDisputes: PriorDispute[];
  policy: Policy;
  generatedAt: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Which hours of statistics the investigation needs, per destination. */
export function destinationRanges(dispute: DisputeScope, calls: Cdr[], policy: Policy): DestinationRanges[] {
  const baselineOf = (windowFrom: number): TimeRange => ({
    from: iso(windowFrom - policy.baselineHours * HOUR_MS),
    to: iso(windowFrom),
  });
  if (dispute.calledNumber && dispute.from && dispute.to) {
    const from = Date.parse(utcHour(dispute.from));
    const to = Math.ceil(Date.parse(dispute.to) / HOUR_MS) * HOUR_MS;
    return [{ calledNumber: dispute.calledNumber, window: { from: iso(from), to: iso(to) }, baseline: baselineOf(from) }];
  }
  const byNumber = new Map<string, number[]>();
  for (const call of calls) byNumber.set(call.calledNumber, [...(byNumber.get(call.calledNumber) ?? []), Date.parse(call.startedAt)]);
  return [...byNumber.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([calledNumber, starts]) => {
      const from = Date.parse(utcHour(Math.min(...starts)));
      const to = Date.parse(utcHour(Math.max(...starts))) + HOUR_MS;
      return { calledNumber, window: { from: iso(from), to: iso(to) }, baseline: baselineOf(from) };
    });
}

/** What the rules know about one destination, computed once from its stored counters. */
interface DestinationFacts {
  calledNumber: string;
  window: ConnectCounters;
  baseline: ConnectCounters;
  windowRatios: ConnectRatios;
  baselineRatios: ConnectRatios;
  hour: (startedAt: string) => ConnectCounters;
  healthy: boolean;
  autoAttendant: boolean;
}

const inRange = (hour: string, r: TimeRange) => hour >= utcHour(r.from) && Date.parse(hour) < Date.parse(r.to);

function destinationFacts(stats: DestinationStats, policy: Policy): DestinationFacts {
  const window = sumCounters(stats.buckets.filter((b) => inRange(b.hour, stats.window)).map((b) => b.counters));
  const baseline = sumCounters(stats.buckets.filter((b) => inRange(b.hour, stats.baseline)).map((b) => b.counters));
  const byHour = new Map(stats.buckets.map((b) => [b.hour, b.counters]));
  return {
    calledNumber: stats.calledNumber,
    window,
    baseline,
    windowRatios: ratios(window),
    baselineRatios: ratios(baseline),
    hour: (startedAt) => byHour.get(utcHour(startedAt)) ?? emptyCounters(),
    healthy: destinationHealthy(window, policy),
    autoAttendant: autoAttendant(window, policy),
  };
}

function assessCall(call: Cdr, claim: Claim, destination: DestinationFacts, policy: Policy, displayOffset: string): CallAssessment {
  const hour = destination.hour(call.startedAt);
  const result = ruleCall(call, claim, { hour, window: destination.window, baseline: destination.baseline }, policy);
  return {
    callId: call.callId,
    calledNumber: call.calledNumber,
    startedAt: inOffset(call.startedAt, displayOffset),
    hour: { hour: utcHour(call.startedAt), attempts: hour.attempts, ner: ratios(hour).ner },
    answered: isAnswered(call),
    ttaSeconds: ttaSeconds(call),
    talkSeconds: talkSeconds(call),
    billedSeconds: call.billedSeconds,
    expectedBilledSeconds: expectedBilledSeconds(call),
    charge: call.charge,
    verdict: result.verdict,
    creditMinor: result.creditMinor,
    reasons: [result.reason],
  };
}

function aggregateOutcome(calls: CallAssessment[], disputedMinor: number, creditMinor: number): Outcome {
  if (calls.some((c) => c.verdict === 'ESCALATE')) return 'ESCALATE';
  if (creditMinor > 0 && creditMinor === disputedMinor) return 'CREDIT';
  if (creditMinor > 0) return 'PARTIAL_CREDIT';
  return 'DENY';
}

const DAY_MS = 86_400_000;

/** The earliest opening time the history rules look at (repeat disputer, goodwill): nothing older needs reading. */
export function historyHorizon(openedAt: string, policy: Pick<Policy, 'repeatDisputer' | 'goodwill'>): string {
  return new Date(Date.parse(openedAt) - Math.max(policy.repeatDisputer.lookbackDays, policy.goodwill.creditLookbackDays) * DAY_MS).toISOString();
}

function customerHistory(input: InvestigationInput) {
  const opened = Date.parse(input.dispute.openedAt);
  const { repeatDisputer, goodwill } = input.policy;
  const recent = input.priorDisputes.filter((d) => {
    const t = Date.parse(d.openedAt);
    return t < opened && t >= opened - repeatDisputer.lookbackDays * DAY_MS;
  });
  const denied = recent.filter((d) => d.decidedOutcome === 'DENY').length;
  const creditedRecently = input.priorDisputes.some((d) => {
    const t = Date.parse(d.openedAt);
    return t < opened && t >= opened - goodwill.creditLookbackDays * DAY_MS && (d.creditedMinor ?? 0) > 0;
  });
  return {
    repeatDisputer: recent.length >= repeatDisputer.minOtherDisputes && denied >= repeatDisputer.minDenied,
    creditedRecently,
    summary: { disputesInLookback: recent.length, deniedInLookback: denied, lookbackDays: repeatDisputer.lookbackDays, creditedInLast365Days: creditedRecently },
  };
}

function statsEvidence(counters: ConnectCounters, range: TimeRange, displayOffset: string): StatsEvidence {
  const r = ratios(counters);
  return {
    from: inOffset(range.from, displayOffset),
    to: inOffset(range.to, displayOffset),
    attempts: counters.attempts,
    answered: counters.answered,
    asr: r.asr,
    ner: r.ner,
    scr: r.scr,
    acdSeconds: r.acdSeconds,
    ttaHistogram: Object.fromEntries(TTA_BIN_LABELS.map((label, i) => [label, counters.ttaHistogram[i] ?? 0])),
  };
}

/** The per-call reasons, in policy order: each covers the calls whose rule gave it. */
const PER_CALL = ['BILLED_UNANSWERED', 'OVERBILLED_DURATION', 'NETWORK_DEGRADATION', 'FALSE_ANSWER_SUSPECTED', 'LOW_SAMPLE', 'CALL_CONNECTED'] as const;

/** A per-call reason: the calls it covers, and for some codes the figures of the (first) destination they went to. */
function perCallReason(code: (typeof PER_CALL)[number], calls: CallsEvidence, covered: CallAssessment[], first: DestinationFacts, policy: Policy, displayOffset: string): Reason {
  switch (code) {
    case 'NETWORK_DEGRADATION': {
      const hours = [...new Map(covered.map((c) => [c.hour.hour, c.hour])).values()];
      return say(code, { ...calls, hours: hours.map((h) => ({ ...h, hour: inOffset(h.hour, displayOffset) })), baselineNer: first.baselineRatios.ner });
    }
    case 'FALSE_ANSWER_SUSPECTED':
      return say(code, { ...calls, destinationAnswered: first.window.answered, destinationScr: first.windowRatios.scr, subSecondAnswers: ratio(subSecondAnswers(first.window), first.window.answered) });
    case 'LOW_SAMPLE':
      return say(code, { ...calls, windowAttempts: first.window.attempts, baselineAttempts: first.baseline.attempts, minAttempts: policy.lowSample.minAttempts });
    default:
      return say(code, calls);
  }
}

/** The reason with its message, keys in the order they are stored and served. */
function say<C extends ReasonCode>(code: C, evidence: EvidenceByCode[C]): Reason<C> {
  return { code, message: describeReason(code, evidence), evidence };
}

/** The recommendation for a dispute (PRODUCT.md §4.3): each call through the rules, then the evidence reasons. */
export function investigate(input: InvestigationInput): Recommendation {
  const { dispute, policy } = input;
  const calls = [...input.calls].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.callId.localeCompare(b.callId));
  const currency = calls[0]?.charge.currency ?? 'USD';
  const money = (amountMinor: number): Money => ({ amountMinor, currency });
  const history = customerHistory(input);
  const base = { policyVersion: policy.version, generatedAt: input.generatedAt, flags: history.repeatDisputer ? (['REPEAT_DISPUTER'] as const).slice() : [] };

  if (calls.length === 0) {
    return {
      ...base,
      outcome: 'ESCALATE',
      disputedAmount: money(0),
      creditAmount: money(0),
      calls: [],
      reasons: [say('INSUFFICIENT_DATA', { accountId: dispute.accountId, calledNumber: dispute.calledNumber, from: dispute.from, to: dispute.to })],
      goodwill: { eligible: false, amountMinor: 0 },
      evidence: { destinations: [], customerHistory: history.summary },
    };
  }

  const facts = new Map(input.destinations.map((d) => [d.calledNumber, destinationFacts(d, policy)]));
  const factsFor = (calledNumber: string) => facts.get(calledNumber) ?? destinationFacts({ calledNumber, window: { from: '', to: '' }, baseline: { from: '', to: '' }, buckets: [] }, policy);
  const assessed = calls.map((call) => assessCall(call, dispute.claim, factsFor(call.calledNumber), policy, dispute.displayOffset));

  const disputedMinor = calls.reduce((sum, c) => sum + c.charge.amountMinor, 0);
  const creditMinor = assessed.reduce((sum, c) => sum + c.creditMinor, 0);
  const outcome = aggregateOutcome(assessed, disputedMinor, creditMinor);

  const reasons: Reason[] = [];
  // Per-call reasons, in policy order, each with the calls it covers.
  for (const code of PER_CALL) {
    const covered = assessed.filter((c) => c.reasons.includes(code));
    const [firstCall] = covered;
    if (firstCall === undefined) continue;
    const calls: CallsEvidence = {
      calls: covered.length,
      of: assessed.length,
      creditMinor: covered.reduce((s, c) => s + c.creditMinor, 0),
      currency,
      callIds: covered.map((c) => c.callId),
      calledNumbers: [...new Set(covered.map((c) => c.calledNumber))],
    };
    reasons.push(perCallReason(code, calls, covered, factsFor(firstCall.calledNumber), policy, dispute.displayOffset));
  }

  const destinations = input.destinations.map((d) => {
    const f = factsFor(d.calledNumber);
    const own = assessed.filter((c) => c.calledNumber === d.calledNumber);
    const accountAttempts: AccountAttempts = {
      total: own.length,
      answered: own.filter((c) => c.answered).length,
      charged: own.filter((c) => c.charge.amountMinor > 0).length,
      uncharged: own.filter((c) => c.charge.amountMinor === 0).length,
      failed: own.filter((c) => !c.answered).length,
      failedCharged: own.filter((c) => !c.answered && c.charge.amountMinor > 0).length,
    };
    return { calledNumber: d.calledNumber, window: statsEvidence(f.window, d.window, dispute.displayOffset), baseline: statsEvidence(f.baseline, d.baseline, dispute.displayOffset), accountAttempts, facts: f };
  });

  for (const d of destinations) {
    const evidence: DestinationEvidence = { calledNumber: d.calledNumber, window: d.window, accountAttempts: d.accountAttempts, firstRingAnswers: ratio(firstRingAnswers(d.facts.window), d.facts.window.answered) };
    if (d.facts.healthy) reasons.push(say('DESTINATION_HEALTHY', evidence));
    if (d.facts.autoAttendant) reasons.push(say('AUTO_ATTENDANT_DETECTED', evidence));
    // UNANSWERED_NOT_CHARGED (§4.4): failed attempts in scope, none of them charged.
    if (d.accountAttempts.failed > 0 && d.accountAttempts.failedCharged === 0) reasons.push(say('UNANSWERED_NOT_CHARGED', evidence));
  }

  if (history.repeatDisputer) reasons.push(say('REPEAT_DISPUTER', history.summary));
  const goodwillEligible = outcome === 'DENY' && disputedMinor <= policy.goodwill.limitMinor && !history.repeatDisputer && !history.creditedRecently;
  if (goodwillEligible) reasons.push(say('GOODWILL_ELIGIBLE', { amountMinor: disputedMinor, currency, limitMinor: policy.goodwill.limitMinor }));

  return {
    ...base,
    outcome,
    disputedAmount: money(disputedMinor),
    creditAmount: money(creditMinor),
    calls: assessed,
    reasons,
    goodwill: { eligible: goodwillEligible, amountMinor: goodwillEligible ? disputedMinor : 0 },
    evidence: {
      destinations: destinations.map(({ facts: _facts, ...d }) => d),
      customerHistory: history.summary,
    },
  };
}
