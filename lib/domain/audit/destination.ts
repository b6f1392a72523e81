// One destination over the audited period against its stored statistics: drift, rule 3 per hour, rule 4 over the period.
import type { Money } from '../cdr';
import type { Policy } from '../policy/policy';
import { falseAnswerDestination, hourDegraded, subSecondAnswers } from '../policy/rules';
import { type ConnectCounters, type StatsBucket, emptyCounters, ratio, ratios, sumCounters, utcHour } from '../statistics/connect-statistics';
import { counterDifferences, sameCounters, unpackCounters } from './counters';
import type { AccountCharges, DegradationFinding, DriftFinding, FalseAnswerFinding } from './findings';
import type { ChargeTally, DestinationHour } from './hour-scan';
import { cmp, moneyTotals } from './order';

const HOUR_MS = 3_600_000;

/** What examineDestination() finds at one destination. */
export interface DestinationExamination {
  drift: DriftFinding[];
  degradation: DegradationFinding[];
  falseAnswer?: FalseAnswerFinding;
  /** Destination-hours that differ but had not settled: not drift, looked at again by a later audit. */
  unsettled: number;
}

/** The stored hours a destination's degradation test needs before the period: 168 hours before its first candidate hour. */
export function baselineReadRange(hours: Map<string, DestinationHour>, period: { from: string }, policy: Policy): { from: string; to: string } | undefined {
  const candidates = [...hours.entries()].filter(([, row]) => row.answeredCharges !== undefined).map(([hour]) => Date.parse(hour));
  if (candidates.length === 0) return undefined;
  const from = Math.min(...candidates) - policy.baselineHours * HOUR_MS;
  return from < Date.parse(period.from) ? { from: new Date(from).toISOString(), to: period.from } : undefined;
}

function accountsOf(tallies: ChargeTally[]): { accounts: AccountCharges[]; charged: Money[] } {
  const merged = new Map<string, ChargeTally>();
  for (const [accountId, currency, calls, amount] of tallies) {
    const key = `${accountId}\u0000${currency}`;
    const t = merged.get(key) ?? [accountId, currency, 0, 0];
    t[2] += calls;
    t[3] += amount;
    merged.set(key, t);
  }
  const accounts = [...merged.values()]
    .map(([accountId, currency, calls, amountMinor]) => ({ accountId, calls, charged: { amountMinor, currency } }))
    .sort((a, b) => b.charged.amountMinor - a.charged.amountMinor || cmp(a.accountId, b.accountId) || cmp(a.charged.currency, b.charged.currency));
  return { accounts, charged: moneyTotals(accounts.map((a) => a.charged)) };
}

/**
 * One destination over the period: its recount (from the CDRs) against its stored buckets, hour by hour,
 * including stored hours without any CDR; rule 3 for each hour that may be degraded, against the 168 hours
 * before it (stored statistics before the period, the recount inside it); rule 4's test over the period.
 */
export function examineDestination(input: {
  calledNumber: string;
  period: { from: string; to: string };
  /** The recount, by hour. */
  hours: Map<string, DestinationHour>;
  /** Stored buckets in the period, with the newest change each has counted where known. */
  stored: (StatsBucket & { newestChange?: string })[];
  /** Stored buckets before the period, as far back as baselineReadRange() says. */
  before: StatsBucket[];
  policy: Policy;
  /**
   * Only what had settled by this instant is compared (see settledHour): a destination-hour with a CDR stored, or a
   * bucket changed, after it may be mid-count (the stream's lag) and is left for a later audit. Absent: all is.
   */
  cutoff?: string;
  /** Hours before this are not compared: their CDRs may have expired, and statistics outlive them (retention). */
  keptSince?: string;
}): DestinationExamination {
  const { calledNumber, hours, policy } = input;
  const recount = new Map([...hours.entries()].map(([hour, row]) => [hour, unpackCounters(row.counters)]));
  const stored = new Map(input.stored.map((b) => [b.hour, b.counters]));

  const newest = new Map(input.stored.map((b) => [b.hour, b.newestChange]));
  const drift: DriftFinding[] = [];
  let unsettled = 0;
  for (const hour of [...new Set([...recount.keys(), ...stored.keys()])].sort()) {
    const recounted = recount.get(hour) ?? emptyCounters();
    const kept = stored.get(hour);
    // A stored bucket of zeros is what no bucket means: not drift.
    if (sameCounters(kept ?? emptyCounters(), recounted)) continue;
    if (!settledHour(hour, hours.get(hour)?.lastIngestedAt, newest.get(hour), input)) {
      unsettled++;
      continue;
    }
    const lastIngestedAt = hours.get(hour)?.lastIngestedAt;
    drift.push({ type: 'STATS_DRIFT', calledNumber, hour, stored: kept ?? null, recounted, differences: counterDifferences(kept ?? emptyCounters(), recounted), ...(lastIngestedAt ? { lastIngestedAt } : {}) });
  }

  const degradation: DegradationFinding[] = [];
  const candidates = [...hours.entries()].filter(([, row]) => row.answeredCharges !== undefined).sort(([a], [b]) => cmp(a, b));
  if (candidates.length > 0) {
    const series = new Map<string, ConnectCounters>(input.before.filter((b) => b.hour < utcHour(input.period.from)).map((b) => [b.hour, b.counters]));
    for (const [hour, c] of recount) series.set(hour, c);
    for (const [hour, row] of candidates) {
      const counters = recount.get(hour)!;
      const start = Date.parse(hour);
      const baseline = sumCounters([...series.entries()].filter(([h]) => Date.parse(h) < start && Date.parse(h) >= start - policy.baselineHours * HOUR_MS).map(([, c]) => c));
      if (!hourDegraded(counters, baseline, policy)) continue;
      degradation.push({ type: 'NETWORK_DEGRADATION', calledNumber, hour, attempts: counters.attempts, ner: ratios(counters).ner, baselineNer: ratios(baseline).ner, ...accountsOf(row.answeredCharges!) });
    }
  }

  const window = sumCounters(recount.values());
  let falseAnswer: FalseAnswerFinding | undefined;
  if (falseAnswerDestination(window, policy)) {
    const tallies = [...hours.values()].flatMap((row) => row.falseAnswerCharges ?? []);
    falseAnswer = {
      type: 'FALSE_ANSWER_SUSPECTED',
      calledNumber,
      answered: window.answered,
      scr: ratio(window.shortCalls, window.answered),
      subSecondAnswers: ratio(subSecondAnswers(window), window.answered),
      ...accountsOf(tallies),
    };
  }
  return { drift, degradation, falseAnswer, unsettled };
}

/**
 * Whether a destination-hour's recount and bucket can be compared: every CDR of it was stored, and every change the
 * bucket counted was made, by the cutoff (the audit's start less the settle time, longer than the stream's lag), and
 * the hour is still within retention. Then the bucket, if right, holds exactly the recount: a difference is drift.
 * Otherwise a difference may be a count still on its way, which a later audit looks at again; never drift.
 */
export function settledHour(hour: string, lastIngestedAt: string | undefined, newestChange: string | undefined, at: { cutoff?: string; keptSince?: string }): boolean {
  if (at.keptSince && Date.parse(hour) < Date.parse(at.keptSince)) return false;
  if (!at.cutoff) return true;
  const cutoff = Date.parse(at.cutoff);
  return (!lastIngestedAt || Date.parse(lastIngestedAt) <= cutoff) && (!newestChange || Date.parse(newestChange) <= cutoff);
}
