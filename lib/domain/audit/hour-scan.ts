// One UTC hour of CDRs folded into what the audit keeps of it: per destination counters, the calls rules 1 and 2
// credit, and the per-account charges the findings of rules 3 and 4 name.
import { type Cdr, expectedBilledSeconds, isAnswered } from '../cdr';
import type { Policy } from '../policy/policy';
import { falseAnswerShaped, hourMayBeDegraded } from '../policy/rules';
import { type ConnectCounters, bucketize, sumCounters } from '../statistics/connect-statistics';
import { type BilledCallOf, billingCredits } from './billing';
import { type PackedCounters, packCounters } from './counters';
import { cmp, compareCalls } from './order';

/** Charges of one account in one currency: [accountId, currency, calls, amountMinor]. */
export type ChargeTally = [string, string, number, number];

/** A destination's hour as the audit keeps it between reading the CDRs and comparing with the statistics. */
export interface DestinationHour {
  calledNumber: string;
  counters: PackedCounters;
  /** Rule-4-shaped charged calls (see falseAnswerShaped), per account. */
  falseAnswerCharges?: ChargeTally[];
  /** Charged answered calls per account, kept only when the hour may be degraded (rule 3 credits them). */
  answeredCharges?: ChargeTally[];
  /** When the newest of these CDRs was stored: a repair waits until ingest has settled (REPAIR_SETTLE_MS). */
  lastIngestedAt?: string;
}


/** One hour's results, as stored between the audit's steps. */
export interface HourResult {
  hour: string;
  cdrs: number;
  billing: BilledCallOf[];
  /** The hour's destinations, split into groups by destinationGroup(). */
  groups: DestinationHour[][];
}

/** A stable group of a destination, so the comparison with the stored statistics can run one group at a time. */
export function destinationGroup(calledNumber: string, groups: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < calledNumber.length; i++) h = Math.imul(h ^ calledNumber.charCodeAt(i), 0x01000193) >>> 0;
  return h % groups;
}

function tally(map: Map<string, ChargeTally>, cdr: Cdr): void {
  const key = `${cdr.accountId}\u0000${cdr.charge.currency}`;
  const t = map.get(key) ?? [cdr.accountId, cdr.charge.currency, 0, 0];
  t[2] += 1;
  t[3] += cdr.charge.amountMinor;
  map.set(key, t);
}

/**
 * What one UTC hour of CDRs adds up to, fed page by page from the hour's shards: per destination the same
 * counters ingest keeps (bucketize), the calls rules 1 and 2 credit, and the per-account charges the findings
 * of rules 3 and 4 name. Memory grows with the hour's destinations and accounts, not with its CDRs.
 */
export class HourScan {
  cdrs = 0;
  private readonly counters = new Map<string, ConnectCounters>();
  private readonly answered = new Map<string, Map<string, ChargeTally>>();
  private readonly falseAnswer = new Map<string, Map<string, ChargeTally>>();
  private readonly billing: BilledCallOf[] = [];
  private readonly lastIngested = new Map<string, string>();

  constructor(
    readonly hour: string,
    private readonly policy: Policy,
  ) {}

  /** A page of CDRs, with when each was stored (`ingestedAt`, same order) where known. */
  add(page: Cdr[], ingestedAt: (string | undefined)[] = []): void {
    this.cdrs += page.length;
    page.forEach((cdr, i) => {
      const at = ingestedAt[i];
      const last = this.lastIngested.get(cdr.calledNumber);
      if (at && (!last || at > last)) this.lastIngested.set(cdr.calledNumber, at);
    });
    for (const bucket of bucketize(page)) {
      const current = this.counters.get(bucket.calledNumber);
      this.counters.set(bucket.calledNumber, current ? sumCounters([current, bucket.counters]) : bucket.counters);
    }
    for (const cdr of page) {
      if (!isAnswered(cdr) || cdr.charge.amountMinor === 0) continue;
      const of = (m: Map<string, Map<string, ChargeTally>>) => m.get(cdr.calledNumber) ?? m.set(cdr.calledNumber, new Map()).get(cdr.calledNumber)!;
      tally(of(this.answered), cdr);
      if (falseAnswerShaped(cdr)) tally(of(this.falseAnswer), cdr);
    }
    for (const { cdr, type, creditMinor } of billingCredits(page)) {
      this.billing.push({
        type,
        accountId: cdr.accountId,
        callId: cdr.callId,
        source: cdr.source,
        calledNumber: cdr.calledNumber,
        startedAt: cdr.startedAt,
        answered: isAnswered(cdr),
        billedSeconds: cdr.billedSeconds,
        expectedBilledSeconds: expectedBilledSeconds(cdr),
        charge: cdr.charge,
        creditMinor,
      });
    }
  }

  /** The hour's results, its destinations split into `groups` groups. */
  finish(groups: number): HourResult {
    const out: DestinationHour[][] = Array.from({ length: groups }, () => []);
    const sorted = [...this.counters.entries()].sort(([a], [b]) => cmp(a, b));
    for (const [calledNumber, counters] of sorted) {
      const row: DestinationHour = { calledNumber, counters: packCounters(counters) };
      const fa = this.falseAnswer.get(calledNumber);
      if (fa) row.falseAnswerCharges = [...fa.values()];
      // A degraded hour is a finding even when nobody was charged during it.
      if (hourMayBeDegraded(counters, this.policy)) row.answeredCharges = [...(this.answered.get(calledNumber)?.values() ?? [])];
      const last = this.lastIngested.get(calledNumber);
      if (last) row.lastIngestedAt = last;
      out[destinationGroup(calledNumber, groups)]!.push(row);
    }
    const billing = [...this.billing].sort(compareCalls);
    return { hour: this.hour, cdrs: this.cdrs, billing, groups: out };
  }
}
