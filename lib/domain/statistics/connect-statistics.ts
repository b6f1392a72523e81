// Connect statistics (PRODUCT.md §2): counters per destination per UTC hour, and the ratios derived from them.
import { type Cdr, outcomeClass } from '../cdr';
import { instantMillis } from '../time';

/** Upper edges of the TTA histogram bins [0,1) [1,3) [3,6) [6,12) [12,24) [24,inf), in seconds. */
export const TTA_BIN_EDGES = [1, 3, 6, 12, 24] as const;
export const TTA_BIN_LABELS = ['[0,1)', '[1,3)', '[3,6)', '[6,12)', '[12,24)', '[24,inf)'] as const;

export interface ConnectCounters {
  attempts: number;
  answered: number;
  userFailures: number;
  callerAbandons: number;
  callerErrors: number;
  networkFailures: number;
  /** Talk of answered calls in milliseconds: integers add up exactly, seconds with fractions do not. */
  talkMillis: number;
  shortCalls: number;
  /** Answered calls per TTA bin, indexed like TTA_BIN_LABELS. */
  ttaHistogram: number[];
}

export const emptyCounters = (): ConnectCounters => ({
  attempts: 0,
  answered: 0,
  userFailures: 0,
  callerAbandons: 0,
  callerErrors: 0,
  networkFailures: 0,
  talkMillis: 0,
  shortCalls: 0,
  ttaHistogram: TTA_BIN_LABELS.map(() => 0),
});

export const SHORT_CALL_SECONDS = 6;

/** The UTC hour an instant falls in, as `YYYY-MM-DDTHH:00:00Z` (sortable, and what the statistics are keyed by). */
export function utcHour(instant: string | number): string {
  if (typeof instant === 'string') {
    const ms = instantMillis(instant);
    if (ms === ms) return hourOfMillis(ms);
  }
  return hourText(instant);
}

// Every CDR asks, and a batch's CDRs share a few hours: each hour's text is made once. Keyed by hours since the
// epoch (a small integer, where milliseconds are not).
const hourTexts = new Map<number, string>();

/** utcHour of a time Date.parse returned (whole milliseconds, not NaN). */
function hourOfMillis(ms: number): string {
  const hour = Math.floor(ms / 3_600_000);
  let text = hourTexts.get(hour);
  if (text === undefined) {
    if (hourTexts.size >= 10_000) hourTexts.clear();
    hourTexts.set(hour, (text = hourText(hour * 3_600_000)));
  }
  return text;
}

function hourText(instant: string | number): string {
  const d = new Date(instant);
  d.setUTCMinutes(0, 0, 0);
  return d.toISOString().replace('.000Z', 'Z');
}

export function ttaBin(tta: number): number {
  let bin = 0;
  while (bin < TTA_BIN_EDGES.length && !(tta < TTA_BIN_EDGES[bin]!)) bin++;
  return bin;
}

export function addCdr(counters: ConnectCounters, cdr: Cdr): ConnectCounters {
  const next = { ...counters, ttaHistogram: [...counters.ttaHistogram] };
  countInto(next, cdr);
  return next;
}

/** addCdr in place, for counters the caller owns: a batch's buckets add up without a copy per CDR. */
export function countInto(counters: ConnectCounters, cdr: Cdr, startedMillis?: number): void {
  counters.attempts += 1;
  switch (outcomeClass(cdr)) {
    case 'ANSWERED': {
      counters.answered += 1;
      const answered = instantMillis(cdr.answeredAt!);
      const talkMillis = instantMillis(cdr.endedAt) - answered;
      counters.talkMillis += talkMillis;
      // talkSeconds and ttaSeconds, from instants read once.
      if (talkMillis / 1000 < SHORT_CALL_SECONDS) counters.shortCalls += 1;
      const bin = ttaBin((answered - (startedMillis ?? instantMillis(cdr.startedAt))) / 1000);
      counters.ttaHistogram[bin] = (counters.ttaHistogram[bin] ?? 0) + 1;
      break;
    }
    case 'USER_FAILURE':
      counters.userFailures += 1;
      break;
    case 'CALLER_ABANDON':
      counters.callerAbandons += 1;
      break;
    case 'CALLER_ERROR':
      counters.callerErrors += 1;
      break;
    case 'NETWORK_FAILURE':
      counters.networkFailures += 1;
      break;
  }
}

export function sumCounters(list: Iterable<ConnectCounters>): ConnectCounters {
  let total = emptyCounters();
  for (const c of list) {
    total = {
      attempts: total.attempts + c.attempts,
      answered: total.answered + c.answered,
      userFailures: total.userFailures + c.userFailures,
      callerAbandons: total.callerAbandons + c.callerAbandons,
      callerErrors: total.callerErrors + c.callerErrors,
      networkFailures: total.networkFailures + c.networkFailures,
      talkMillis: total.talkMillis + c.talkMillis,
      shortCalls: total.shortCalls + c.shortCalls,
      ttaHistogram: total.ttaHistogram.map((n, i) => n + (c.ttaHistogram[i] ?? 0)),
    };
  }
  return total;
}

/** A statistics bucket: one destination, one UTC hour. */
export interface StatsBucket {
  calledNumber: string;
  hour: string;
  counters: ConnectCounters;
}

/** A bucket as read from the statistics table: its version and when the newest change it counted was made. */
export interface StoredStats extends StatsBucket {
  /** Every write adds 1: the audit's repair rewrites a bucket only while its version is the one it compared. */
  version: number;
  /** The newest change (CDR stored or replaced) the bucket has counted, where its watermarks say. */
  newestChange?: string;
  /** Set by the audit's repair: every change up to this instant is in the counters. */
  repairedThrough?: string;
}

/** Folds CDRs into one bucket per destination and hour, so a batch costs one statistics write per bucket. */
export function bucketize(cdrs: Iterable<Cdr>): StatsBucket[] {
  // Found by destination, then among its few hours (no key text made per CDR); listed in the order first seen.
  const byDestination = new Map<string, StatsBucket[]>();
  const buckets: StatsBucket[] = [];
  for (const cdr of cdrs) {
    const started = instantMillis(cdr.startedAt);
    const hour = started === started ? hourOfMillis(started) : utcHour(cdr.startedAt);
    let hours = byDestination.get(cdr.calledNumber);
    if (!hours) byDestination.set(cdr.calledNumber, (hours = []));
    let bucket: StatsBucket | undefined;
    for (const b of hours) if (b.hour === hour) bucket = b;
    if (!bucket) {
      hours.push((bucket = { calledNumber: cdr.calledNumber, hour, counters: emptyCounters() }));
      buckets.push(bucket);
    }
    countInto(bucket.counters, cdr, started);
  }
  return buckets;
}

/** A ratio as evidence: value, sample size and Wilson 95% score interval (PRODUCT.md §2). */
export interface Ratio {
  value: number | null;
  numerator: number;
  n: number;
  interval: { low: number; high: number } | null;
}

const Z95 = 1.959963984540054;

export function wilson(successes: number, n: number, z = Z95): { low: number; high: number } | null {
  if (n === 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export function ratio(numerator: number, n: number): Ratio {
  return { value: n === 0 ? null : numerator / n, numerator, n, interval: wilson(numerator, n) };
}

export interface ConnectRatios {
  asr: Ratio;
  ner: Ratio;
  scr: Ratio;
  /** Average call duration of answered calls in seconds, null without answered calls. */
  acdSeconds: number | null;
}

export function ratios(c: ConnectCounters): ConnectRatios {
  return {
    asr: ratio(c.answered, c.attempts),
    ner: ratio(c.answered + c.userFailures, c.attempts - c.callerAbandons - c.callerErrors),
    scr: ratio(c.shortCalls, c.answered),
    acdSeconds: c.answered === 0 ? null : c.talkMillis / 1000 / c.answered,
  };
}

/** Consecutive UTC hours in [from, to): `from` rounded down to its hour. */
export function hoursBetween(from: string | number, to: string | number): string[] {
  const hours: string[] = [];
  const end = new Date(to).getTime();
  for (let t = Date.parse(utcHour(from)); t < end; t += 3_600_000) hours.push(utcHour(t));
  return hours;
}

// Thresholds compare exact values (PRODUCT.md §4.4): a ratio is a fraction of counts and a threshold a short
// decimal, so both are compared as integers instead of as floats (0.7 - 0.4 < 0.3 in floating point).
function decimal(threshold: number): [bigint, bigint] {
  const [whole = '0', fraction = ''] = threshold.toFixed(12).replace(/0+$/, '').split('.');
  return [BigInt(whole + fraction), 10n ** BigInt(fraction.length)];
}

/** numerator/denominator >= threshold; a ratio over nothing meets no threshold. */
export function fractionAtLeast(numerator: number, denominator: number, threshold: number): boolean {
  if (denominator <= 0) return false;
  const [p, q] = decimal(threshold);
  return BigInt(numerator) * q >= p * BigInt(denominator);
}

/** numerator/denominator < threshold; a ratio over nothing meets no threshold. */
export function fractionBelow(numerator: number, denominator: number, threshold: number): boolean {
  return denominator > 0 && !fractionAtLeast(numerator, denominator, threshold);
}

/** a/b - c/d >= threshold, both ratios over something. */
export function differenceAtLeast(a: number, b: number, c: number, d: number, threshold: number): boolean {
  if (b <= 0 || d <= 0) return false;
  const [p, q] = decimal(threshold);
  return (BigInt(a) * BigInt(d) - BigInt(c) * BigInt(b)) * q >= p * BigInt(b) * BigInt(d);
}
