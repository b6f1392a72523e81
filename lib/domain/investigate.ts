// The investigation (PRODUCT.md §4.3-4.4): a pure function from the disputed calls, the destinations' stored
// connect statistics and the account's dispute history to a recommendation with its evidence.
import { type Cdr, type Money, expectedBilledSeconds, isAnswered, talkSeconds, ttaSeconds } from './cdr';
import type { CallAssessment, Claim, Outcome, Reason, ReasonCode, Recommendation, Verdict } from './dispute';
import type { Policy } from './policy';
import { type ConnectCounters, type ConnectRatios, type StatsBucket, TTA_BIN_LABELS, differenceAtLeast, emptyCounters, fractionAtLeast, fractionBelow, ratio, ratios, sumCounters, utcHour } from './stats';
import { describeReason } from './explain';
import { inOffset } from './time';

const HOUR_MS = 3_600_000;

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

export interface DestinationStats extends DestinationRanges {
  /** Stored hourly buckets in the window and the baseline; hours without a bucket had no attempts. */
  buckets: StatsBucket[];
}

export interface PriorDispute {
  disputeId: string;
  openedAt: string;
  decidedOutcome?: Outcome;
  creditedMinor?: number;
}

export interface DisputeScope {
  accountId: string;
  claim: Claim;
  openedAt: string;
  displayOffset: string;
  calledNumber?: string;
  from?: string;
  to?: string;
}

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
  falseAnswer: boolean;
}

const inRange = (hour: string, r: TimeRange) => hour >= utcHour(r.from) && Date.parse(hour) < Date.parse(r.to);

function destinationFacts(stats: DestinationStats, policy: Policy): DestinationFacts {
  const window = sumCounters(stats.buckets.filter((b) => inRange(b.hour, stats.window)).map((b) => b.counters));
  const baseline = sumCounters(stats.buckets.filter((b) => inRange(b.hour, stats.baseline)).map((b) => b.counters));
  const byHour = new Map(stats.buckets.map((b) => [b.hour, b.counters]));
  const windowRatios = ratios(window);
  const [fast = 0, ring1 = 0, ring2 = 0] = window.ttaHistogram;
  return {
    calledNumber: stats.calledNumber,
    window,
    baseline,
    windowRatios,
    baselineRatios: ratios(baseline),
    hour: (startedAt) => byHour.get(utcHour(startedAt)) ?? emptyCounters(),
    // DESTINATION_HEALTHY (§4.4): window ASR lower bound and NER over enough attempts.
    healthy:
      window.attempts >= policy.healthy.minAttempts &&
      (windowRatios.asr.interval?.low ?? -1) >= policy.healthy.minAsrLowerBound &&
      fractionAtLeast(windowRatios.ner.numerator, windowRatios.ner.n, policy.healthy.minNer),
    // AUTO_ATTENDANT_DETECTED (§4.4): answered on the first ring ([1,6) s) nearly every time.
    autoAttendant: window.answered >= policy.autoAttendant.minAnswered && fractionAtLeast(ring1 + ring2, window.answered, policy.autoAttendant.minFirstRingShare),
    // Rule 4's destination test (§4.4): many short calls, half of them answered in under a second.
    falseAnswer:
      window.answered >= policy.falseAnswer.minAnswered &&
      fractionAtLeast(window.shortCalls, window.answered, policy.falseAnswer.minScr) &&
      fractionAtLeast(fast, window.answered, policy.falseAnswer.minFastAnswerShare),
  };
}

interface RuleContext {
  call: Cdr;
  claim: Claim;
  destination: DestinationFacts;
  policy: Policy;
  displayOffset: string;
}
type RuleResult = { verdict: Verdict; creditMinor: number; reason: ReasonCode };
type Rule = (ctx: RuleContext) => RuleResult | null;

const roundHalfUpDiv = (numerator: number, denominator: number) => Math.floor((2 * numerator + denominator) / (2 * denominator));

// Rule 1 (§4.4): not answered and charged → credit the whole charge.
const billedUnanswered: Rule = ({ call }) =>
  !isAnswered(call) && call.charge.amountMinor > 0 ? { verdict: 'CREDIT', creditMinor: call.charge.amountMinor, reason: 'BILLED_UNANSWERED' } : null;

// Rule 2 (§4.4): answered and billed beyond the increment → credit the excess, pro rata, rounded half up.
const overbilledDuration: Rule = ({ call }) => {
  const expected = expectedBilledSeconds(call);
  if (!isAnswered(call) || call.billedSeconds <= expected) return null;
  const fair = roundHalfUpDiv(call.charge.amountMinor * expected, call.billedSeconds);
  return { verdict: 'CREDIT', creditMinor: call.charge.amountMinor - fair, reason: 'OVERBILLED_DURATION' };
};

// Rule 3 (§4.4): answered during an hour whose NER collapsed against the baseline.
const networkDegradation: Rule = ({ call, destination, policy }) => {
  if (!isAnswered(call)) return null;
  const hour = ratios(destination.hour(call.startedAt)).ner;
  const baseline = destination.baselineRatios.ner;
  const degraded =
    destination.hour(call.startedAt).attempts >= policy.degradation.minHourAttempts &&
    fractionBelow(hour.numerator, hour.n, policy.degradation.maxHourNer) &&
    differenceAtLeast(baseline.numerator, baseline.n, hour.numerator, hour.n, policy.degradation.minNerDrop);
  return degraded ? { verdict: 'CREDIT', creditMinor: call.charge.amountMinor, reason: 'NETWORK_DEGRADATION' } : null;
};

// Rule 4 (§4.4): a sub-second answer with a few seconds of talk, at a destination that does this a lot.
const falseAnswerSuspected: Rule = ({ call, destination }) => {
  const tta = ttaSeconds(call);
  const suspicious = tta !== null && tta < 1 && talkSeconds(call) < 6 && destination.falseAnswer;
  return suspicious ? { verdict: 'CREDIT', creditMinor: call.charge.amountMinor, reason: 'FALSE_ANSWER_SUSPECTED' } : null;
};

// Rule 5 (§4.4): too little traffic to this destination to tell.
const lowSample: Rule = ({ call, destination, policy }) =>
  isAnswered(call) && destination.window.attempts + destination.baseline.attempts < policy.lowSample.minAttempts
    ? { verdict: 'ESCALATE', creditMinor: 0, reason: 'LOW_SAMPLE' }
    : null;

// Rule 6 (§4.4) and the unanswered, uncharged attempts that show failures are not billed.
const fallThrough: Rule = ({ call }) => ({ verdict: 'DENY', creditMinor: 0, reason: isAnswered(call) ? 'CALL_CONNECTED' : 'UNANSWERED_NOT_CHARGED' });

const RULES: Record<Claim, Rule[]> = {
  NEVER_CONNECTED: [billedUnanswered, overbilledDuration, networkDegradation, falseAnswerSuspected, lowSample, fallThrough],
  // A duration claim is about billing arithmetic only: rules 1 and 2 credit, every other call stands (§4.4 rule 2).
  WRONG_DURATION: [billedUnanswered, overbilledDuration, fallThrough],
};

function assessCall(ctx: RuleContext): CallAssessment {
  const result = RULES[ctx.claim].map((rule) => rule(ctx)).find((r) => r !== null)!;
  const { call } = ctx;
  const hour = ctx.destination.hour(call.startedAt);
  return {
    callId: call.callId,
    calledNumber: call.calledNumber,
    startedAt: inOffset(call.startedAt, ctx.displayOffset),
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

function statsEvidence(counters: ConnectCounters, range: TimeRange, displayOffset: string) {
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

/** The figures behind a per-call reason, beyond the calls it covers. */
function perCallDetail(code: ReasonCode, covered: CallAssessment[], destinations: DestinationFacts[], policy: Policy, displayOffset: string): Record<string, unknown> {
  const first = destinations[0]!;
  switch (code) {
    case 'NETWORK_DEGRADATION': {
      const hours = [...new Map(covered.map((c) => [c.hour.hour, c.hour])).values()];
      return { hours: hours.map((h) => ({ ...h, hour: inOffset(h.hour, displayOffset) })), baselineNer: first.baselineRatios.ner };
    }
    case 'FALSE_ANSWER_SUSPECTED':
      return { destinationAnswered: first.window.answered, destinationScr: first.windowRatios.scr, subSecondAnswers: ratio(first.window.ttaHistogram[0] ?? 0, first.window.answered) };
    case 'LOW_SAMPLE':
      return { windowAttempts: first.window.attempts, baselineAttempts: first.baseline.attempts, minAttempts: policy.lowSample.minAttempts };
    default:
      return {};
  }
}

export function investigate(input: InvestigationInput): Recommendation {
  const { dispute, policy } = input;
  const calls = [...input.calls].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.callId.localeCompare(b.callId));
  const currency = calls[0]?.charge.currency ?? 'USD';
  const money = (amountMinor: number): Money => ({ amountMinor, currency });
  const history = customerHistory(input);
  const base = { policyVersion: policy.version, generatedAt: input.generatedAt, flags: history.repeatDisputer ? (['REPEAT_DISPUTER'] as const).slice() : [] };
  const say = (code: ReasonCode, evidence: Record<string, unknown>): Reason => ({ code, message: describeReason(code, evidence), evidence });

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
  const assessed = calls.map((call) => assessCall({ call, claim: dispute.claim, destination: factsFor(call.calledNumber), policy, displayOffset: dispute.displayOffset }));

  const disputedMinor = calls.reduce((sum, c) => sum + c.charge.amountMinor, 0);
  const creditMinor = assessed.reduce((sum, c) => sum + c.creditMinor, 0);
  const outcome = aggregateOutcome(assessed, disputedMinor, creditMinor);

  const reasons: Reason[] = [];
  // Per-call reasons, in policy order, each with the calls it covers.
  const perCall: ReasonCode[] = ['BILLED_UNANSWERED', 'OVERBILLED_DURATION', 'NETWORK_DEGRADATION', 'FALSE_ANSWER_SUSPECTED', 'LOW_SAMPLE', 'CALL_CONNECTED'];
  for (const code of perCall) {
    const covered = assessed.filter((c) => c.reasons.includes(code));
    if (covered.length === 0) continue;
    const calledNumbers = [...new Set(covered.map((c) => c.calledNumber))];
    reasons.push(
      say(code, {
        calls: covered.length,
        of: assessed.length,
        creditMinor: covered.reduce((s, c) => s + c.creditMinor, 0),
        currency,
        callIds: covered.map((c) => c.callId),
        calledNumbers,
        ...perCallDetail(code, covered, calledNumbers.map(factsFor), policy, dispute.displayOffset),
      }),
    );
  }

  const destinations = input.destinations.map((d) => {
    const f = factsFor(d.calledNumber);
    const own = assessed.filter((c) => c.calledNumber === d.calledNumber);
    const accountAttempts = {
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
    const [, ring1 = 0, ring2 = 0] = d.facts.window.ttaHistogram;
    const evidence = { calledNumber: d.calledNumber, window: d.window, accountAttempts: d.accountAttempts, firstRingAnswers: ratio(ring1 + ring2, d.facts.window.answered) };
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
