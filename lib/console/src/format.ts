// How the console writes money, times, ratios and durations, and reads amounts typed in currency units. Money is
// integer minor units with an ISO-4217 currency everywhere; an amount a reviewer types is converted exactly.

const formats = new Map<string, Intl.NumberFormat>();
function currencyFormat(currency: string): Intl.NumberFormat {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    formats.set(currency, format);
  }
  return format;
}

/** How many decimals the currency has: 2 for USD, 0 for JPY, 3 for BHD (what lib/domain's money code uses too). */
export function fractionDigits(currency: string): number {
  return currencyFormat(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

/** "$2.20" from 220 USD, as the server's formatMoney writes it. */
export function formatMoney(amountMinor: number, currency: string): string {
  return currencyFormat(currency).format(amountMinor / 10 ** fractionDigits(currency));
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * "1.20" in USD → 120 minor units, exactly: integer arithmetic on the digits, no floating point. The same rule as
 * parseMoney in lib/domain/investigation/explain.ts (not imported: the console bundles no server code): digits, an
 * optional point and at most the currency's decimals. A leading currency symbol or thousands separators are refused
 * rather than guessed.
 */
export function parseMoney(text: string, currency: string): Parsed<number> {
  const digits = fractionDigits(currency);
  const match = text.trim().match(/^(\d+)(?:\.(\d*))?$/);
  if (!match) return { ok: false, reason: `enter an amount in ${currency} using digits and a point, e.g. ${digits > 0 ? `1.${'5'.padEnd(digits, '0')}` : '150'}` };
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return { ok: false, reason: digits === 0 ? `${currency} has no decimals` : `${currency} has at most ${digits} decimals` };
  const minor = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || 0);
  if (!Number.isSafeInteger(minor)) return { ok: false, reason: 'the amount is too large' };
  return { ok: true, value: minor };
}

/** The amount in currency units for an input field: 220 USD → "2.20". */
export function minorToInput(amountMinor: number, currency: string): string {
  const digits = fractionDigits(currency);
  if (digits === 0) return String(amountMinor);
  const text = String(amountMinor).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** Minutes east of UTC of an offset "+01:00", "-05:00" or "Z". */
export function offsetMinutes(offset: string): number {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/** The offset an instant was written with ("+01:00"), UTC when it has none or says Z. */
export function offsetOf(iso: string): string {
  const match = /([+-]\d{2}:\d{2})$/.exec(iso);
  return match ? match[1]! : '+00:00';
}

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The wall-clock fields of an instant seen at an offset. */
function wallClock(instant: string | number, offset: string) {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  const d = new Date(ms + offsetMinutes(offset) * 60_000);
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth(), d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
}

/** "2026-10-27 08:04:30" at the offset (the offset is named once, in a heading or column title). */
export function dateTimeAt(instant: string | number, offset: string, withSeconds = true): string {
  const w = wallClock(instant, offset);
  return `${w.y}-${pad(w.mo + 1)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}${withSeconds ? `:${pad(w.s)}` : ''}`;
}

/** "Oct 27" at the offset. */
export function dayAt(instant: string | number, offset: string): string {
  const w = wallClock(instant, offset);
  return `${MONTHS[w.mo]} ${w.d}`;
}

/** "Oct 27 08:00" at the offset. */
export function dayHourAt(instant: string | number, offset: string): string {
  const w = wallClock(instant, offset);
  return `${MONTHS[w.mo]} ${w.d} ${pad(w.h)}:${pad(w.mi)}`;
}

/** "UTC-05:00", "UTC". */
export const offsetLabel = (offset: string) => (offset === '+00:00' || offset === 'Z' ? 'UTC' : `UTC${offset}`);

/** A short UTC timestamp for headers: "2026-12-01 00:04 UTC". */
export const utc = (instant: string | number) => `${dateTimeAt(instant, '+00:00', false)} UTC`;

/** "3 h", "2 d 5 h", "12 min". */
export function duration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** "55%" from 0.549; "n/a" without a value. */
export const pct = (x: number | null | undefined, decimals = 0) => (typeof x === 'number' ? `${(x * 100).toFixed(decimals)}%` : 'n/a');

export interface RatioLike {
  value: number | null;
  numerator: number;
  n: number;
  interval: { low: number; high: number } | null;
}

/** "55% (52–57%, n = 1,456)". */
export function ratioText(r: RatioLike | undefined): string {
  if (!r || r.value === null) return 'n/a (no calls)';
  const range = r.interval ? `${pct(r.interval.low)}–${pct(r.interval.high)}, ` : '';
  return `${pct(r.value)} (${range}n = ${count(r.n)})`;
}

export const count = (n: number) => n.toLocaleString('en-US');

/** "1 account", "2 accounts". */
export const plural = (n: number, word: string, many = `${word}s`) => `${count(n)} ${n === 1 ? word : many}`;

/** "2.9 s"; "–" for none. */
export const seconds = (s: number | null | undefined, decimals = 1) => (typeof s === 'number' ? `${s.toFixed(decimals)} s` : '–');

/** "CALL_CONNECTED" → "Call connected". */
export const humanize = (code: string) => code.charAt(0).toUpperCase() + code.slice(1).toLowerCase().replace(/_/g, ' ');

/** A long id shortened for narrow places, the full id in a title. */
export const shortId = (id: string) => (id.length > 12 ? `${id.slice(0, 6)}…${id.slice(-4)}` : id);
