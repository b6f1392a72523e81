// Plain-English messages an agent can read to the customer, built only from the figures in the evidence they
// accompany: numbers in international format, money in its currency, ratios with their interval.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { ReasonCode } from './dispute';
import type { Ratio } from './stats';

export function formatNumber(e164: string | undefined): string {
  if (!e164) return 'the number';
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

export function formatMoney(amountMinor: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amountMinor / 10 ** digits);
}

/** "1.20" in USD → 120 minor units, exactly (no floating point); refuses more decimals than the currency has. */
export function parseMoney(text: string, currency: string): number {
  const digits = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const match = text.trim().match(/^(\d+)(?:\.(\d*))?$/);
  if (!match || (match[2] ?? '').length > digits) throw new Error(`"${text}" is not an amount in ${currency} (at most ${digits} decimals)`);
  return Number(match[1]) * 10 ** digits + Number((match[2] ?? '').padEnd(digits, '0') || 0);
}

const count = (n: number) => n.toLocaleString('en-US');
const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${Math.round(x * 100)}%` : 'n/a');
const plural = (n: number, word: string, many = `${word}s`) => `${count(n)} ${n === 1 ? word : many}`;
const withInterval = (r: Ratio | undefined) => (r?.interval ? `${pct(r.value)} (95% interval ${pct(r.interval.low)}-${pct(r.interval.high)})` : pct(r?.value));
/** "10:00" from "2026-10-29T10:00:00.000+01:00", with the offset once. */
const clock = (iso: string) => iso.slice(11, 16);
const numbers = (list: unknown) => {
  const all = (Array.isArray(list) ? list : []) as string[];
  return all.length === 1 ? formatNumber(all[0]) : `${all.length} numbers`;
};

interface WindowEvidence {
  attempts: number;
  answered: number;
  asr: Ratio;
  ner: Ratio;
}
interface AttemptsEvidence {
  total: number;
  answered: number;
  failed: number;
}

export function describeReason(code: ReasonCode, e: Record<string, unknown>): string {
  const calls = Number(e.calls ?? 0);
  const of = Number(e.of ?? 0);
  const money = (minor: unknown) => formatMoney(Number(minor ?? 0), String(e.currency ?? 'USD'));
  const window = e.window as WindowEvidence | undefined;
  const own = e.accountAttempts as AttemptsEvidence | undefined;
  const number = formatNumber(e.calledNumber as string | undefined);
  const yourCalls = `${calls === of ? `${calls === 1 ? 'Your call' : `All ${count(of)} of your calls`}` : `${count(calls)} of your ${count(of)} calls`} to ${numbers(e.calledNumbers)}`;
  switch (code) {
    case 'BILLED_UNANSWERED':
      return `${yourCalls} never connected but ${calls === 1 ? 'was' : 'were'} charged; the ${money(e.creditMinor)} charged for them is credited in full.`;
    case 'OVERBILLED_DURATION':
      return `${yourCalls} ${calls === 1 ? 'was' : 'were'} billed for longer than the talk time and the billing increment allow; the excess of ${money(e.creditMinor)} is credited.`;
    case 'NETWORK_DEGRADATION': {
      const hours = (e.hours ?? []) as { hour: string; attempts: number; ner: Ratio }[];
      const worst = hours.map((h) => `${clock(h.hour)} (${pct(h.ner.value)} of ${count(h.attempts)} attempts reached the far end)`).join(', ');
      const baseline = e.baselineNer as Ratio | undefined;
      const offset = hours[0]?.hour.slice(-6) ?? '';
      return `${yourCalls} connected during hours when the network to that number was failing: ${worst} (times at UTC${offset}), against ${pct(baseline?.value)} in the week before. ${money(e.creditMinor)} is credited.`;
    }
    case 'FALSE_ANSWER_SUSPECTED': {
      const fast = e.subSecondAnswers as Ratio | undefined;
      return `${yourCalls} were "answered" in under a second and lasted only a few seconds, as ${pct(fast?.value)} of the ${count(Number(e.destinationAnswered ?? 0))} answered calls to that number were: the far end signals an answer without a person or service picking up (false answer supervision). ${money(e.creditMinor)} is credited.`;
    }
    case 'LOW_SAMPLE':
      return `${yourCalls} went to a number with only ${count(Number(e.windowAttempts ?? 0) + Number(e.baselineAttempts ?? 0))} calls from anyone in the period and the week before (${count(Number(e.minAttempts ?? 0))} are needed to judge how it connects); a reviewer should decide.`;
    case 'CALL_CONNECTED':
      return `${yourCalls} connected: the far end answered and each was billed for its talk time.`;
    case 'UNANSWERED_NOT_CHARGED':
      return `${count(own?.failed ?? 0)} of your ${count(own?.total ?? 0)} calls to ${number} did not connect, and none of them was charged.`;
    case 'DESTINATION_HEALTHY':
      return `Across all callers, ${withInterval(window?.asr)} of the ${count(window?.attempts ?? 0)} calls to ${number} in the period connected, and ${pct(window?.ner.value)} reached the far end's phone or service: the network to it was working.`;
    case 'AUTO_ATTENDANT_DETECTED': {
      const share = e.firstRingAnswers as Ratio | undefined;
      return `${number} answered within 1-6 seconds on ${pct(share?.value)} of its ${count(window?.answered ?? 0)} answered calls: a recorded service that picks up on the first ring, so a call that "just rang once" did connect.`;
    }
    case 'INSUFFICIENT_DATA':
      return `No call records for this account${e.calledNumber ? ` to ${number}` : ''} in the disputed period have arrived yet; a reviewer should decide, or re-investigate once they arrive.`;
    case 'REPEAT_DISPUTER':
      return `This account opened ${count(Number(e.disputesInLookback))} other disputes in the last ${e.lookbackDays} days, ${count(Number(e.deniedInLookback))} of them denied.`;
    case 'GOODWILL_ELIGIBLE':
      return `The records do not support a credit, but a goodwill credit of ${money(e.amountMinor)} is within policy if the reviewer chooses.`;
  }
}
