// Plain-English messages an agent can read to the customer, built only from the evidence they accompany.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { ReasonCode } from './dispute';

export function formatNumber(e164: string | undefined): string {
  if (!e164) return 'the number';
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

export function formatMoney(amountMinor: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amountMinor / 10 ** digits);
}

const pct = (x: unknown) => (typeof x === 'number' ? `${Math.round(x * 100)}%` : 'n/a');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

interface RatioLike {
  value: number | null;
  n: number;
  interval: { low: number; high: number } | null;
}
interface WindowLike {
  attempts: number;
  answered: number;
  asr: RatioLike;
  ner: RatioLike;
}
interface AttemptsLike {
  total: number;
  answered: number;
  failed: number;
}

export function describeReason(code: ReasonCode, e: Record<string, unknown>, _displayOffset: string): string {
  const calls = e.calls as number | undefined;
  const money = typeof e.creditMinor === 'number' ? formatMoney(e.creditMinor, String(e.currency)) : '';
  const window = e.window as WindowLike | undefined;
  const own = e.accountAttempts as AttemptsLike | undefined;
  const number = formatNumber(e.calledNumber as string | undefined);
  switch (code) {
    case 'BILLED_UNANSWERED':
      return `${plural(calls ?? 0, 'call')} never answered but charged; the charge of ${money} is credited in full.`;
    case 'OVERBILLED_DURATION':
      return `${plural(calls ?? 0, 'call')} billed for longer than the talk time and billing increment allow; the excess of ${money} is credited.`;
    case 'NETWORK_DEGRADATION':
      return `${plural(calls ?? 0, 'call')} made while the network to this destination was degraded; ${money} is credited.`;
    case 'FALSE_ANSWER_SUSPECTED':
      return `${plural(calls ?? 0, 'call')} "answered" in under a second and lasted only seconds, as most calls to this destination do: false answer supervision is suspected and ${money} is credited.`;
    case 'LOW_SAMPLE':
      return `${plural(calls ?? 0, 'call')} went to a destination with too few calls to judge whether it connects; a reviewer should decide.`;
    case 'CALL_CONNECTED':
      return `${plural(calls ?? 0, 'call')} connected: the far end answered and the call was billed for its talk time.`;
    case 'UNANSWERED_NOT_CHARGED':
      return `${own?.failed ?? 0} of your ${own?.total ?? 0} calls to ${number} did not connect, and none of them was charged.`;
    case 'DESTINATION_HEALTHY':
      return `Across all callers, ${pct(window?.asr.value)} of calls to ${number} connect (95% interval ${pct(window?.asr.interval?.low)}-${pct(window?.asr.interval?.high)}, ${window?.attempts ?? 0} attempts); the network to it is working.`;
    case 'AUTO_ATTENDANT_DETECTED':
      return `${number} answers within 1-6 seconds nearly every time (${window?.answered ?? 0} answered calls): it is a recorded service that picks up on the first ring.`;
    case 'INSUFFICIENT_DATA':
      return `No call records for this account${e.calledNumber ? ` to ${number}` : ''} in the disputed period have arrived yet; the dispute needs a reviewer or a re-investigation once they do.`;
    case 'REPEAT_DISPUTER':
      return `This account opened ${e.disputesInLookback} other disputes in the last ${e.lookbackDays} days, ${e.deniedInLookback} of them denied.`;
    case 'GOODWILL_ELIGIBLE':
      return `The evidence does not support a credit, but a goodwill credit of ${formatMoney(Number(e.amountMinor), String(e.currency))} is within policy if the reviewer chooses.`;
  }
}
