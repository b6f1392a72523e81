// Connect counters as the audit keeps them between its steps, and the comparison of a recount with a stored bucket.
import { type ConnectCounters, TTA_BIN_LABELS, emptyCounters } from '../statistics/connect-statistics';

/** Counters packed as numbers in a fixed order: what the audit keeps per destination-hour between its steps. */
export type PackedCounters = number[];
const SCALAR_COUNTERS = ['attempts', 'answered', 'userFailures', 'callerAbandons', 'callerErrors', 'networkFailures', 'talkMillis', 'shortCalls'] as const;
/** The counters in their packed form. */
export const packCounters = (c: ConnectCounters): PackedCounters => [...SCALAR_COUNTERS.map((k) => c[k]), ...TTA_BIN_LABELS.map((_, i) => c.ttaHistogram[i] ?? 0)];
/** The counters back from their packed form. */
export function unpackCounters(p: PackedCounters): ConnectCounters {
  const c = emptyCounters();
  SCALAR_COUNTERS.forEach((k, i) => (c[k] = p[i] ?? 0));
  c.ttaHistogram = TTA_BIN_LABELS.map((_, i) => p[SCALAR_COUNTERS.length + i] ?? 0);
  return c;
}

/** The counter names that differ between two buckets (ttaHistogram as `tta[0,1)` …). */
export function counterDifferences(a: ConnectCounters, b: ConnectCounters): string[] {
  const out: string[] = SCALAR_COUNTERS.filter((k) => a[k] !== b[k]);
  TTA_BIN_LABELS.forEach((label, i) => {
    if ((a.ttaHistogram[i] ?? 0) !== (b.ttaHistogram[i] ?? 0)) out.push(`tta${label}`);
  });
  return out;
}

/** True when the two buckets hold the same counters. */
export const sameCounters = (a: ConnectCounters, b: ConnectCounters) => counterDifferences(a, b).length === 0;
