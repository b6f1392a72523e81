// Plain-English messages an agent can read to the customer, built only from the figures in the evidence they
// accompany: numbers in international format, money in its currency, ratios with their interval.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { ValidationError } from '../errors';
import type { Ratio } from '../statistics/connect-statistics';
import type { ReasonCode } from '../disputes/dispute';
import type { CallsEvidence, EvidenceByCode } from './evidence';
import { formatMoney } from '../money';

/** An E.164 number as people write it ("+1 614 555 0123"); "the number" when there is none. */
export function formatNumber(e164: string | undefined): string {
  if (!e164) return 'the number';
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

export { formatMoney } from '../money';

/** "1.20" in USD → 120 minor units, exactly (no floating point); refuses more decimals than the currency has. */
export function parseMoney(text: string, currency: string): number {
  const digits = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const match = text.trim().match(/^(\d+)(?:\.(\d*))?$/);
  if (!match || (match[2] ?? '').length > digits) throw new ValidationError('amount', `"${text}" is not an amount in ${currency} (at most ${digits} decimals)`);
  return Number(match[1]) * 10 ** digits + Number((match[2] ?? '').padEnd(digits, '0') || 0);
}

const count = (n: number) => n.toLocaleString('en-US');
const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)}%`);
const withInterval = (r: Ratio) => (r.interval ? `${pct(r.value)} (95% interval ${pct(r.interval.low)}-${pct(r.interval.high)})` : pct(r.value));
/** "10:00" from "2026-10-29T10:00:00.000+01:00", with the offset once. */
const clock = (iso: string) => iso.slice(11, 16);
const numbers = (list: string[]) => (list.length === 1 ? formatNumber(list[0]) : `${list.length} numbers`);

/** "Your call", "All 3 of your calls" or "2 of your 5 calls", to the number or numbers they went to. */
function yourCalls(e: CallsEvidence): string {
  const { calls, of } = e;
  return `${calls === of ? `${calls === 1 ? 'Your call' : `All ${count(of)} of your calls`}` : `${count(calls)} of your ${count(of)} calls`} to ${numbers(e.calledNumbers)}`;
}

/** One message builder per reason code, each reading only its code's evidence. */
const MESSAGES: { [C in ReasonCode]: (e: EvidenceByCode[C]) => string } = {
  BILLED_UNANSWERED: (e) =>
    `${yourCalls(e)} never connected but ${e.calls === 1 ? 'was' : 'were'} charged; the ${formatMoney(e.creditMinor, e.currency)} charged for them is credited in full.`,
  OVERBILLED_DURATION: (e) =>
    `${yourCalls(e)} ${e.calls === 1 ? 'was' : 'were'} billed for longer than the talk time and the billing increment allow; the excess of ${formatMoney(e.creditMinor, e.currency)} is credited.`,
  NETWORK_DEGRADATION: (e) => {
    const worst = e.hours.map((h) => `${clock(h.hour)} (${pct(h.ner.value)} of ${count(h.attempts)} attempts reached the far end)`).join(', ');
    // Every hour is shown in the dispute's offset: name it once.
    const offset = e.hours[0]?.hour.slice(-6) ?? '';
    return `${yourCalls(e)} connected during hours when the network to that number was failing: ${worst} (times at UTC${offset}), against ${pct(e.baselineNer.value)} in the week before. ${formatMoney(e.creditMinor, e.currency)} is credited.`;
  },
  FALSE_ANSWER_SUSPECTED: (e) =>
    `${yourCalls(e)} were "answered" in under a second and lasted only a few seconds, as ${pct(e.subSecondAnswers.value)} of the ${count(e.destinationAnswered)} answered calls to that number were: the far end signals an answer without a person or service picking up (false answer supervision). ${formatMoney(e.creditMinor, e.currency)} is credited.`,
  LOW_SAMPLE: (e) =>
    `${yourCalls(e)} went to a number with only ${count(e.windowAttempts + e.baselineAttempts)} calls from anyone in the period and the week before (${count(e.minAttempts)} are needed to judge how it connects); a reviewer should decide.`,
  CALL_CONNECTED: (e) => `${yourCalls(e)} connected: the far end answered and each was billed for its talk time.`,
  UNANSWERED_NOT_CHARGED: (e) =>
    `${count(e.accountAttempts.failed)} of your ${count(e.accountAttempts.total)} calls to ${formatNumber(e.calledNumber)} did not connect, and none of them was charged.`,
  DESTINATION_HEALTHY: (e) =>
    `Across all callers, ${withInterval(e.window.asr)} of the ${count(e.window.attempts)} calls to ${formatNumber(e.calledNumber)} in the period connected, and ${pct(e.window.ner.value)} reached the far end's phone or service: the network to it was working.`,
  AUTO_ATTENDANT_DETECTED: (e) =>
    `${formatNumber(e.calledNumber)} answered within 1-6 seconds on ${pct(e.firstRingAnswers.value)} of its ${count(e.window.answered)} answered calls: a recorded service that picks up on the first ring, so a call that "just rang once" did connect.`,
  INSUFFICIENT_DATA: (e) =>
    `No call records for this account${e.calledNumber ? ` to ${formatNumber(e.calledNumber)}` : ''} in the disputed period have arrived yet; a reviewer should decide, or re-investigate once they arrive.`,
  REPEAT_DISPUTER: (e) => `This account opened ${count(e.disputesInLookback)} other disputes in the last ${e.lookbackDays} days, ${count(e.deniedInLookback)} of them denied.`,
  GOODWILL_ELIGIBLE: (e) => `The records do not support a credit, but a goodwill credit of ${formatMoney(e.amountMinor, e.currency)} is within policy if the reviewer chooses.`,
};

/** The message an agent reads to the customer for a reason, built from its evidence alone. */
export function describeReason<C extends ReasonCode>(code: C, evidence: EvidenceByCode[C]): string {
  return MESSAGES[code](evidence);
}
