// Connect statistics (PRODUCT.md §2): counters per destination per UTC hour, and the ratios derived from them.
import { type Cdr, outcomeClass, talkSeconds, ttaSeconds } from './cdr';

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
  const d = new Date(instant);
  d.setUTCMinutes(0, 0, 0);
  return d.toISOString().replace('.000Z', 'Z');
}

export function ttaBin(tta: number): number {
  const bin = TTA_BIN_EDGES.findIndex((edge) => tta < edge);
  return bin === -1 ? TTA_BIN_EDGES.length : bin;
}

export function addCdr(counters: ConnectCounters, cdr: Cdr): ConnectCounters {
  const next = { ...counters, ttaHistogram: [...counters.ttaHistogram] };
  next.attempts += 1;
  switch (outcomeClass(cdr)) {
    case 'ANSWERED': {
      next.answered += 1;
      const talk = talkSeconds(cdr);
      next.talkMillis += Date.parse(cdr.endedAt) - Date.parse(cdr.answeredAt!);
      if (talk < SHORT_CALL_SECONDS) next.shortCalls += 1;
      const bin = ttaBin(ttaSeconds(cdr)!);
      next.ttaHistogram[bin] = (next.ttaHistogram[bin] ?? 0) + 1;
      break;
    }
    case 'USER_FAILURE':
      next.userFailures += 1;
      break;
    case 'CALLER_ABANDON':
      next.callerAbandons += 1;
      break;
    case 'CALLER_ERROR':
      next.callerErrors += 1;
      break;
    case 'NETWORK_FAILURE':
      next.networkFailures += 1;
      break;
  }
  return next;
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

/** Folds CDRs into one bucket per destination and hour, so a batch costs one statistics write per bucket. */
export function bucketize(cdrs: Iterable<Cdr>): StatsBucket[] {
  const buckets = new Map<string, StatsBucket>();
  for (const cdr of cdrs) {
    const hour = utcHour(cdr.startedAt);
    const key = `${cdr.calledNumber}|${hour}`;
    const bucket = buckets.get(key) ?? { calledNumber: cdr.calledNumber, hour, counters: emptyCounters() };
    bucket.counters = addCdr(bucket.counters, cdr);
    buckets.set(key, bucket);
  }
  return [...buckets.values()];
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
