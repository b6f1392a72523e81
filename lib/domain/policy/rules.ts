// Policy v1 (PRODUCT.md §4.4): each rule and destination test once, as pure functions of a CDR, connect counters
// and the policy. The investigation applies them to the disputed calls; the audit to every call and destination-hour.
// Thresholds compare exact fractions of counts (connect-statistics.ts), never floats.
import { type Cdr, expectedBilledSeconds, isAnswered, talkSeconds, ttaSeconds } from '../cdr';
import type { Claim, ReasonCode, Verdict } from '../disputes/dispute';
import type { Policy } from './policy';
import { type ConnectCounters, SHORT_CALL_SECONDS, TTA_BIN_EDGES, differenceAtLeast, fractionAtLeast, fractionBelow, ratios } from '../statistics/connect-statistics';

const roundHalfUpDiv = (numerator: number, denominator: number) => Math.floor((2 * numerator + denominator) / (2 * denominator));

/** Rule 1: the credit for a call not answered yet charged (the whole charge), or null when the rule does not apply. */
export function billedUnansweredCredit(call: Cdr): number | null {
  return !isAnswered(call) && call.charge.amountMinor > 0 ? call.charge.amountMinor : null;
}

/**
 * Rule 2: the credit for an answered call billed beyond its expected billed seconds, the excess
 * `charge - round_half_up(charge * expected / billed)`, or null when the rule does not apply.
 */
export function overbilledCredit(call: Cdr): number | null {
  const expected = expectedBilledSeconds(call);
  if (!isAnswered(call) || call.billedSeconds <= expected) return null;
  return call.charge.amountMinor - roundHalfUpDiv(call.charge.amountMinor * expected, call.billedSeconds);
}

/** Rule 3 without its baseline part: enough attempts and a low NER in the hour. An hour failing this is never degraded. */
export function hourMayBeDegraded(hour: ConnectCounters, policy: Policy): boolean {
  const ner = ratios(hour).ner;
  return hour.attempts >= policy.degradation.minHourAttempts && fractionBelow(ner.numerator, ner.n, policy.degradation.maxHourNer);
}

/** Rule 3: the hour is degraded, its NER fallen far enough below the destination's baseline NER. */
export function hourDegraded(hour: ConnectCounters, baseline: ConnectCounters, policy: Policy): boolean {
  const ner = ratios(hour).ner;
  const base = ratios(baseline).ner;
  return hourMayBeDegraded(hour, policy) && differenceAtLeast(base.numerator, base.n, ner.numerator, ner.n, policy.degradation.minNerDrop);
}

/** Answered calls answered in under a second: the TTA histogram's first bin, what rule 4 calls a sub-second answer. */
export const subSecondAnswers = (counters: ConnectCounters): number => counters.ttaHistogram[0] ?? 0;

/** Answered calls answered on the first ring, TTA in [1, 6) s: the histogram's [1,3) and [3,6) bins. */
export const firstRingAnswers = (counters: ConnectCounters): number => (counters.ttaHistogram[1] ?? 0) + (counters.ttaHistogram[2] ?? 0);

/**
 * Rule 4's call test: answered in under a second with talk under 6 s. The same edges as the counters the
 * destination test reads (the histogram's first bin, short calls), so a call counts where it is tested.
 */
export function falseAnswerShaped(call: Cdr): boolean {
  const tta = ttaSeconds(call);
  return tta !== null && tta < TTA_BIN_EDGES[0] && talkSeconds(call) < SHORT_CALL_SECONDS;
}

/** Rule 4's destination test over the window: many answered calls, many short ones, half of them answered in under a second. */
export function falseAnswerDestination(window: ConnectCounters, policy: Policy): boolean {
  return (
    window.answered >= policy.falseAnswer.minAnswered &&
    fractionAtLeast(window.shortCalls, window.answered, policy.falseAnswer.minScr) &&
    fractionAtLeast(subSecondAnswers(window), window.answered, policy.falseAnswer.minFastAnswerShare)
  );
}

/** Rule 5: too few attempts to the destination in the window and its baseline together to judge it. */
export function lowSample(window: ConnectCounters, baseline: ConnectCounters, policy: Policy): boolean {
  return window.attempts + baseline.attempts < policy.lowSample.minAttempts;
}

/** Evidence reason DESTINATION_HEALTHY: the window's ASR lower bound and NER over enough attempts. */
export function destinationHealthy(window: ConnectCounters, policy: Policy): boolean {
  const r = ratios(window);
  return (
    window.attempts >= policy.healthy.minAttempts &&
    (r.asr.interval?.low ?? -1) >= policy.healthy.minAsrLowerBound &&
    fractionAtLeast(r.ner.numerator, r.ner.n, policy.healthy.minNer)
  );
}

/** Evidence reason AUTO_ATTENDANT_DETECTED: enough answered calls, nearly all answered on the first ring. */
export function autoAttendant(window: ConnectCounters, policy: Policy): boolean {
  return window.answered >= policy.autoAttendant.minAnswered && fractionAtLeast(firstRingAnswers(window), window.answered, policy.autoAttendant.minFirstRingShare);
}

/** What the policy decides for one disputed call. */
export interface CallRuling {
  verdict: Verdict;
  creditMinor: number;
  /** The reason of the rule that applied. */
  reason: ReasonCode;
}

/** A destination's counters as rules 3 to 5 read them for one call. */
export interface CallDestination {
  /** The UTC hour of the call. */
  hour: ConnectCounters;
  window: ConnectCounters;
  baseline: ConnectCounters;
}

/**
 * The first rule of PRODUCT.md §4.4 that applies to the call. A WRONG_DURATION claim is about billing arithmetic
 * only: rules 1 and 2 credit, every other call stands. Unanswered, uncharged calls are UNANSWERED_NOT_CHARGED.
 */
export function ruleCall(call: Cdr, claim: Claim, destination: CallDestination, policy: Policy): CallRuling {
  const billed = billedUnansweredCredit(call);
  if (billed !== null) return { verdict: 'CREDIT', creditMinor: billed, reason: 'BILLED_UNANSWERED' };
  const excess = overbilledCredit(call);
  if (excess !== null) return { verdict: 'CREDIT', creditMinor: excess, reason: 'OVERBILLED_DURATION' };
  if (!isAnswered(call)) return { verdict: 'DENY', creditMinor: 0, reason: 'UNANSWERED_NOT_CHARGED' };
  if (claim === 'NEVER_CONNECTED') {
    const charge = call.charge.amountMinor;
    if (hourDegraded(destination.hour, destination.baseline, policy)) return { verdict: 'CREDIT', creditMinor: charge, reason: 'NETWORK_DEGRADATION' };
    if (falseAnswerShaped(call) && falseAnswerDestination(destination.window, policy)) return { verdict: 'CREDIT', creditMinor: charge, reason: 'FALSE_ANSWER_SUSPECTED' };
    if (lowSample(destination.window, destination.baseline, policy)) return { verdict: 'ESCALATE', creditMinor: 0, reason: 'LOW_SAMPLE' };
  }
  return { verdict: 'DENY', creditMinor: 0, reason: 'CALL_CONNECTED' };
}
