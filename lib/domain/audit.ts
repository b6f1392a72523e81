// The batch audit (PRODUCT.md §6) as pure functions: what one hour of CDRs adds up to, what a destination's recount
// says against its stored statistics, and the findings, summary and proactive disputes built from them.
// The audit reads a period hour by hour (lib/run-audit.ts); nothing here does I/O.
import { z } from 'zod';
import { type Cdr, Instant, type Money, expectedBilledSeconds, isAnswered, talkSeconds, ttaSeconds } from './cdr';
import type { Claim, Dispute, DisputeOrigin, Outcome } from './dispute';
import { investigate } from './investigate';
import type { Policy } from './policy';
import {
  type ConnectCounters,
  type Ratio,
  SHORT_CALL_SECONDS,
  type StatsBucket,
  TTA_BIN_EDGES,
  TTA_BIN_LABELS,
  bucketize,
  differenceAtLeast,
  emptyCounters,
  fractionAtLeast,
  fractionBelow,
  hoursBetween,
  ratio,
  ratios,
  sumCounters,
  utcHour,
} from './stats';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export const FINDING_TYPES = [
  'BILLED_UNANSWERED',
  'OVERBILLED_DURATION',
  'NETWORK_DEGRADATION',
  'FALSE_ANSWER_SUSPECTED',
  'STATS_DRIFT',
  'REVIEW_OVERDUE',
  'REVIEWER_CONSISTENCY',
  'REJECTED_INPUT',
] as const;
export type FindingType = (typeof FINDING_TYPES)[number];

/** PRODUCT.md §6: a recommendation waiting longer than this for a reviewer is overdue. */
export const REVIEW_OVERDUE_HOURS = 48;
/** The longest period one audit covers: 31 days of hours is what one report and its checkpoint are sized for. */
export const MAX_AUDIT_DAYS = 31;
/** Decisions in the period are looked for among disputes opened up to this long before the period's start. */
export const DECISION_LOOKBACK_DAYS = 90;
/** Proactive disputes name at most this many calls (the `callIds` limit of a dispute). */
export const MAX_CALLS_PER_DISPUTE = 500;

// --- Findings ---

/** A call the billing rules credit: rule 1 (unanswered, charged) or rule 2 (billed beyond the increment). */
export interface BilledCall {
  callId: string;
  source: string;
  calledNumber: string;
  startedAt: string;
  answered: boolean;
  billedSeconds: number;
  expectedBilledSeconds: number;
  charge: Money;
  /** What the policy credits for this call: the whole charge (rule 1) or the excess (rule 2). */
  creditMinor: number;
  /** The dispute the audit opened for this call, when it opened one. */
  disputeId?: string;
}

export interface BillingFinding {
  type: 'BILLED_UNANSWERED' | 'OVERBILLED_DURATION';
  accountId: string;
  /** The credit the policy gives for these calls, in one currency (an account billed in two has two findings). */
  credit: Money;
  charged: Money;
  calls: BilledCall[];
  /** The disputes (origin AUDIT) the audit opened for these calls, at most 500 calls each. */
  disputes: OpenedDispute[];
  /** Calls left out of those disputes because a dispute of the account already covers them (an earlier audit's, or the customer's). */
  alreadyDisputed: number;
}

export interface OpenedDispute {
  disputeId: string;
  ticketId: string;
  calls: number;
  /** False when the dispute existed already (this audit resumed, or an overlapping one got there first). */
  created: boolean;
}

/** An account's charged calls during a finding's destination-hour (or window), in one currency. */
export interface AccountCharges {
  accountId: string;
  calls: number;
  charged: Money;
}

export interface DegradationFinding {
  type: 'NETWORK_DEGRADATION';
  calledNumber: string;
  hour: string;
  attempts: number;
  ner: Ratio;
  /** The destination's NER over the 168 hours before this hour: what a dispute about this hour compares with. */
  baselineNer: Ratio;
  /** Accounts charged for answered calls during the hour: rule 3 credits those charges. */
  accounts: AccountCharges[];
  charged: Money[];
}

export interface FalseAnswerFinding {
  type: 'FALSE_ANSWER_SUSPECTED';
  calledNumber: string;
  /** The destination's counters over the audited period (its window, for rule 4's destination test). */
  answered: number;
  scr: Ratio;
  subSecondAnswers: Ratio;
  /** Accounts charged for the calls rule 4 credits there: answered in under a second, talk under 6 s. */
  accounts: AccountCharges[];
  charged: Money[];
}

/**
 * REPAIRED: rewritten from the recount. CHANGED_SINCE_READ: ingest added to the bucket after the audit read it, so
 * it was left alone. UNSETTLED: CDRs of the bucket were stored so recently that their ingest may not have added
 * its statistics yet; rewriting now could count them twice, so the next audit looks again.
 */
export type RepairOutcome = 'REPAIRED' | 'CHANGED_SINCE_READ' | 'UNSETTLED';

/** How long after its newest CDR was stored a bucket may be rewritten: longer than one ingest invocation can run. */
export const REPAIR_SETTLE_MS = 10 * 60_000;

export interface DriftFinding {
  type: 'STATS_DRIFT';
  calledNumber: string;
  hour: string;
  /** The stored bucket, or null when there is none. */
  stored: ConnectCounters | null;
  recounted: ConnectCounters;
  /** The counters that differ. */
  differences: string[];
  /** When the newest of the bucket's CDRs was stored. */
  lastIngestedAt?: string;
  /** With `repair: true`: rewritten from the recount, or left alone because ingest changed it after the audit read it. */
  repair?: RepairOutcome;
}

export interface OverdueFinding {
  type: 'REVIEW_OVERDUE';
  disputeId: string;
  accountId: string;
  claim: Claim;
  origin: DisputeOrigin;
  openedAt: string;
  recommendedAt: string;
  hoursWaiting: number;
  outcome?: Outcome;
  creditAmount?: Money;
}

export interface ReviewerFinding {
  type: 'REVIEWER_CONSISTENCY';
  reviewer: string;
  decisions: number;
  accepted: number;
  overridden: number;
  overrideRate: Ratio;
  /** Every reviewer's decisions in the period together, to compare with. */
  teamOverrideRate: Ratio;
  /** Overrides that changed the outcome (not only the amount). */
  outcomeChanged: number;
  outcomes: Partial<Record<Outcome, number>>;
  credited: Money[];
  /** Decided credit minus recommended credit, summed. */
  creditDelta: Money[];
}

export interface RejectFinding {
  type: 'REJECTED_INPUT';
  /** `field: reason`, or CONFLICT; a record with several failing fields counts under each. */
  reason: string;
  rejects: number;
  open: number;
  replayed: number;
  sources: { source: string; rejects: number }[];
}

export type Finding = BillingFinding | DegradationFinding | FalseAnswerFinding | DriftFinding | OverdueFinding | ReviewerFinding | RejectFinding;

export interface FindingSummary {
  type: FindingType;
  findings: number;
  /** What the findings count, in `unit`s: calls, buckets, disputes, decisions or rejected CDRs. */
  count: number;
  unit: 'calls' | 'buckets' | 'disputes' | 'decisions' | 'rejects';
  accounts?: number;
  /** Money per currency: credits for billing errors, charges during degradation and false answers, recommended credits of overdue reviews, credits decided. */
  totals: Money[];
}

/** The proactive disputes of a report, counted (each billing finding lists its own). */
export interface DisputesSummary {
  opened: number;
  accounts: number;
  calls: number;
  alreadyDisputed: number;
}

export type AuditTrigger = 'schedule' | 'api' | 'cli';
export type AuditStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';

export interface AuditProgress {
  hours: number;
  hoursDone: number;
  /** Destination groups compared with the stored statistics (after all hours are read). */
  groups: number;
  groupsDone: number;
}

export interface AuditReport {
  auditId: string;
  trigger: AuditTrigger;
  /** Whole UTC hours, `from` inclusive, `to` exclusive. */
  period: { from: string; to: string };
  repair: boolean;
  status: AuditStatus;
  startedAt: string;
  finishedAt?: string;
  failure?: string;
  policyVersion?: string;
  progress: AuditProgress;
  cdrsExamined: number;
  summary: FindingSummary[];
  disputes: DisputesSummary;
  findings: Finding[];
}

export type AuditHeader = Omit<AuditReport, 'findings'>;

// --- The period ---

export class AuditRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}


/** The default period: the previous 24 hours, on whole UTC hours. */
export function defaultPeriod(now: Date): { from: string; to: string } {
  const to = Date.parse(utcHour(now.getTime()));
  return { from: new Date(to - DAY_MS).toISOString(), to: new Date(to).toISOString() };
}

/**
 * The period an audit covers: `from` rounded down and `to` rounded up to whole UTC hours, because connect
 * statistics are hourly and a recount of part of an hour cannot be compared with them.
 */
export function normalisePeriod(options: { from?: string; to?: string }, now: Date): { from: string; to: string } {
  if (options.from === undefined && options.to === undefined) return defaultPeriod(now);
  for (const field of ['from', 'to'] as const) {
    const value = options[field];
    if (value === undefined) throw new AuditRequestError(field === 'from' ? 'from' : 'to', 'give both from and to, or neither');
    if (!Instant.safeParse(value).success) throw new AuditRequestError(field, 'must be ISO-8601 with an offset');
  }
  const from = Date.parse(utcHour(options.from!));
  const to = Math.ceil(Date.parse(options.to!) / HOUR_MS) * HOUR_MS;
  if (Date.parse(options.to!) <= Date.parse(options.from!)) throw new AuditRequestError('to', 'must be after from');
  if (to - from > MAX_AUDIT_DAYS * DAY_MS) throw new AuditRequestError('to', `an audit covers at most ${MAX_AUDIT_DAYS} days`);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

export const periodHours = (period: { from: string; to: string }): string[] => hoursBetween(period.from, period.to);

// --- The policy's tests, on counters ---
// Rules 3 and 4 of PRODUCT.md §4.4 exactly as lib/domain/investigate.ts applies them (the same exact-fraction
// comparisons and policy thresholds); test/unit/audit.test.ts checks these against investigate() itself.

/** Rule 3 without its baseline part: enough attempts and a low NER in the hour. An hour failing this is never degraded. */
export function hourMayBeDegraded(hour: ConnectCounters, policy: Policy): boolean {
  const ner = ratios(hour).ner;
  return hour.attempts >= policy.degradation.minHourAttempts && fractionBelow(ner.numerator, ner.n, policy.degradation.maxHourNer);
}

/** Rule 3: the hour is degraded against the destination's baseline. */
export function hourDegraded(hour: ConnectCounters, baseline: ConnectCounters, policy: Policy): boolean {
  const ner = ratios(hour).ner;
  const base = ratios(baseline).ner;
  return hourMayBeDegraded(hour, policy) && differenceAtLeast(base.numerator, base.n, ner.numerator, ner.n, policy.degradation.minNerDrop);
}

/** Rule 4's destination test: many short calls, at least half of the answered ones answered in under a second. */
export function falseAnswerDestination(window: ConnectCounters, policy: Policy): boolean {
  const fast = window.ttaHistogram[0] ?? 0;
  return (
    window.answered >= policy.falseAnswer.minAnswered &&
    fractionAtLeast(window.shortCalls, window.answered, policy.falseAnswer.minScr) &&
    fractionAtLeast(fast, window.answered, policy.falseAnswer.minFastAnswerShare)
  );
}

/** Rule 4's call test: a sub-second answer (the histogram's first bin) with a short call's talk. */
export function falseAnswerShaped(cdr: Cdr): boolean {
  const tta = ttaSeconds(cdr);
  return tta !== null && tta < TTA_BIN_EDGES[0] && talkSeconds(cdr) < SHORT_CALL_SECONDS;
}

/** May rule 1 or 2 credit this call? (investigate() confirms and computes the credit.) */
const mayBeMisbilled = (cdr: Cdr) => (isAnswered(cdr) ? cdr.billedSeconds > expectedBilledSeconds(cdr) : cdr.charge.amountMinor > 0);

const PROBE_TIME = '1970-01-01T00:00:00Z';

/**
 * Rules 1 and 2 applied by the investigation itself (a WRONG_DURATION claim runs exactly those two), so the
 * credit the audit reports is the credit its proactive dispute will recommend.
 */
export function billingCredits(cdrs: Cdr[], policy: Policy): { cdr: Cdr; type: BillingFinding['type']; creditMinor: number }[] {
  const candidates = cdrs.filter(mayBeMisbilled);
  // investigate() reports calls by callId: one run per set of distinct callIds (two switches may reuse one).
  const runs: Map<string, Cdr>[] = [];
  for (const cdr of candidates) {
    const run = runs.find((r) => !r.has(cdr.callId)) ?? (runs.push(new Map()), runs[runs.length - 1]!);
    run.set(cdr.callId, cdr);
  }
  const out: { cdr: Cdr; type: BillingFinding['type']; creditMinor: number }[] = [];
  for (const run of runs) {
    const recommendation = investigate({
      dispute: { accountId: 'audit', claim: 'WRONG_DURATION', openedAt: PROBE_TIME, displayOffset: '+00:00' },
      calls: [...run.values()],
      destinations: [],
      priorDisputes: [],
      policy,
      generatedAt: PROBE_TIME,
    });
    for (const assessed of recommendation.calls) {
      const reason = assessed.reasons[0];
      if (assessed.verdict !== 'CREDIT' || (reason !== 'BILLED_UNANSWERED' && reason !== 'OVERBILLED_DURATION')) continue;
      out.push({ cdr: run.get(assessed.callId)!, type: reason, creditMinor: assessed.creditMinor });
    }
  }
  return out;
}

// --- One hour of CDRs ---

/** Counters packed as numbers in a fixed order: what the audit keeps per destination-hour between its steps. */
export type PackedCounters = number[];
const SCALAR_COUNTERS = ['attempts', 'answered', 'userFailures', 'callerAbandons', 'callerErrors', 'networkFailures', 'talkMillis', 'shortCalls'] as const;

export const packCounters = (c: ConnectCounters): PackedCounters => [...SCALAR_COUNTERS.map((k) => c[k]), ...TTA_BIN_LABELS.map((_, i) => c.ttaHistogram[i] ?? 0)];

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

export interface BilledCallOf extends BilledCall {
  type: BillingFinding['type'];
  accountId: string;
}

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
    for (const { cdr, type, creditMinor } of billingCredits(page, this.policy)) {
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

  finish(groups: number): HourResult {
    const out: DestinationHour[][] = Array.from({ length: groups }, () => []);
    const sorted = [...this.counters.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
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

const compareCalls = (a: { startedAt: string; callId: string; source: string }, b: { startedAt: string; callId: string; source: string }) =>
  Date.parse(a.startedAt) - Date.parse(b.startedAt) || cmp(a.callId, b.callId) || cmp(a.source, b.source);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// --- One destination against its stored statistics ---

export interface DestinationExamination {
  drift: DriftFinding[];
  degradation: DegradationFinding[];
  falseAnswer?: FalseAnswerFinding;
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

export function moneyTotals(amounts: Iterable<Money>): Money[] {
  const totals = new Map<string, number>();
  for (const m of amounts) totals.set(m.currency, (totals.get(m.currency) ?? 0) + m.amountMinor);
  return [...totals.entries()].sort(([a], [b]) => cmp(a, b)).map(([currency, amountMinor]) => ({ amountMinor, currency }));
}

const sameCounters = (a: ConnectCounters, b: ConnectCounters) => counterDifferences(a, b).length === 0;

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
  /** Stored buckets in the period. */
  stored: StatsBucket[];
  /** Stored buckets before the period, as far back as baselineReadRange() says. */
  before: StatsBucket[];
  policy: Policy;
}): DestinationExamination {
  const { calledNumber, hours, policy } = input;
  const recount = new Map([...hours.entries()].map(([hour, row]) => [hour, unpackCounters(row.counters)]));
  const stored = new Map(input.stored.map((b) => [b.hour, b.counters]));

  const drift: DriftFinding[] = [];
  for (const hour of [...new Set([...recount.keys(), ...stored.keys()])].sort()) {
    const recounted = recount.get(hour) ?? emptyCounters();
    const kept = stored.get(hour);
    // A stored bucket of zeros is what no bucket means: not drift.
    if (sameCounters(kept ?? emptyCounters(), recounted)) continue;
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
      subSecondAnswers: ratio(window.ttaHistogram[0] ?? 0, window.answered),
      ...accountsOf(tallies),
    };
  }
  return { drift, degradation, falseAnswer };
}

// --- Billing findings ---

/** Rule 1 and rule 2 calls of the whole period, per account and currency, with totals. */
export function billingFindings(calls: Iterable<BilledCallOf>): BillingFinding[] {
  const byKey = new Map<string, BillingFinding>();
  for (const { type, accountId, ...call } of calls) {
    const key = `${type}\u0000${accountId}\u0000${call.charge.currency}`;
    const finding: BillingFinding = byKey.get(key) ?? { type, accountId, credit: { amountMinor: 0, currency: call.charge.currency }, charged: { amountMinor: 0, currency: call.charge.currency }, calls: [], disputes: [], alreadyDisputed: 0 };
    finding.credit.amountMinor += call.creditMinor;
    finding.charged.amountMinor += call.charge.amountMinor;
    finding.calls.push(call);
    byKey.set(key, finding);
  }
  const order = (t: FindingType) => FINDING_TYPES.indexOf(t);
  return [...byKey.values()]
    .map((f) => ({ ...f, calls: f.calls.sort(compareCalls) }))
    .sort((a, b) => order(a.type) - order(b.type) || cmp(a.accountId, b.accountId) || cmp(a.credit.currency, b.credit.currency));
}

// --- Reviews ---

/** When a dispute was last recommended: its latest RECOMMENDED history entry. */
export function recommendedAt(dispute: Pick<Dispute, 'history' | 'recommendation'>): string | undefined {
  const entries = dispute.history.filter((h) => h.status === 'RECOMMENDED');
  return entries[entries.length - 1]?.at ?? dispute.recommendation?.generatedAt;
}

/** RECOMMENDED disputes waiting for a reviewer longer than REVIEW_OVERDUE_HOURS at `asOf`, oldest first. */
export function overdueFindings(disputes: Dispute[], asOf: string): OverdueFinding[] {
  const now = Date.parse(asOf);
  const out: OverdueFinding[] = [];
  for (const d of disputes) {
    const at = recommendedAt(d);
    if (d.status !== 'RECOMMENDED' || !at || now - Date.parse(at) <= REVIEW_OVERDUE_HOURS * HOUR_MS) continue;
    out.push({
      type: 'REVIEW_OVERDUE',
      disputeId: d.disputeId,
      accountId: d.accountId,
      claim: d.claim,
      origin: d.origin,
      openedAt: d.openedAt,
      recommendedAt: at,
      hoursWaiting: Math.floor((now - Date.parse(at)) / HOUR_MS),
      outcome: d.recommendation?.outcome,
      creditAmount: d.recommendation?.creditAmount,
    });
  }
  return out.sort((a, b) => Date.parse(a.recommendedAt) - Date.parse(b.recommendedAt) || cmp(a.disputeId, b.disputeId));
}

/** Decisions taken in the period, per reviewer: how many, how often overridden, what was credited. */
export function reviewerFindings(disputes: Pick<Dispute, 'decision' | 'recommendation'>[], period: { from: string; to: string }): ReviewerFinding[] {
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  const decided = disputes.filter((d) => d.decision && Date.parse(d.decision.decidedAt) >= from && Date.parse(d.decision.decidedAt) < to);
  const overriddenTotal = decided.filter((d) => d.decision!.action === 'OVERRIDE').length;
  const team = ratio(overriddenTotal, decided.length);
  const byReviewer = new Map<string, typeof decided>();
  for (const d of decided) byReviewer.set(d.decision!.reviewer, [...(byReviewer.get(d.decision!.reviewer) ?? []), d]);
  return [...byReviewer.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([reviewer, list]) => {
      const decisions = list.map((d) => d.decision!);
      const overridden = decisions.filter((d) => d.action === 'OVERRIDE').length;
      const outcomes: Partial<Record<Outcome, number>> = {};
      for (const d of decisions) outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
      return {
        type: 'REVIEWER_CONSISTENCY',
        reviewer,
        decisions: decisions.length,
        accepted: decisions.length - overridden,
        overridden,
        overrideRate: ratio(overridden, decisions.length),
        teamOverrideRate: team,
        outcomeChanged: decisions.filter((d) => d.difference.outcomeChanged).length,
        outcomes,
        credited: moneyTotals(decisions.map((d) => d.creditAmount)),
        creditDelta: moneyTotals(decisions.map((d) => ({ amountMinor: d.difference.creditDeltaMinor, currency: d.creditAmount.currency }))),
      };
    });
}

// --- Rejected input ---

export interface RejectSummaryInput {
  source: string;
  reasons: string[];
  status?: string;
}

/** Rejected CDRs per reason, each with the sources that sent them. */
export function rejectFindings(rejects: Iterable<RejectSummaryInput>): RejectFinding[] {
  const byReason = new Map<string, { rejects: number; open: number; replayed: number; sources: Map<string, number> }>();
  for (const r of rejects) {
    for (const reason of new Set(r.reasons)) {
      const entry = byReason.get(reason) ?? { rejects: 0, open: 0, replayed: 0, sources: new Map() };
      entry.rejects += 1;
      if (r.status === 'REPLAYED') entry.replayed += 1;
      else entry.open += 1;
      entry.sources.set(r.source, (entry.sources.get(r.source) ?? 0) + 1);
      byReason.set(reason, entry);
    }
  }
  return [...byReason.entries()]
    .map(([reason, e]): RejectFinding => ({
      type: 'REJECTED_INPUT',
      reason,
      rejects: e.rejects,
      open: e.open,
      replayed: e.replayed,
      sources: [...e.sources.entries()].map(([source, rejects]) => ({ source, rejects })).sort((a, b) => b.rejects - a.rejects || cmp(a.source, b.source)),
    }))
    .sort((a, b) => b.rejects - a.rejects || cmp(a.reason, b.reason));
}

// --- Summary ---

const UNITS: Record<FindingType, FindingSummary['unit']> = {
  BILLED_UNANSWERED: 'calls',
  OVERBILLED_DURATION: 'calls',
  NETWORK_DEGRADATION: 'calls',
  FALSE_ANSWER_SUSPECTED: 'calls',
  STATS_DRIFT: 'buckets',
  REVIEW_OVERDUE: 'disputes',
  REVIEWER_CONSISTENCY: 'decisions',
  REJECTED_INPUT: 'rejects',
};

function measure(f: Finding): { count: number; accounts: string[]; money: Money[] } {
  switch (f.type) {
    case 'BILLED_UNANSWERED':
    case 'OVERBILLED_DURATION':
      return { count: f.calls.length, accounts: [f.accountId], money: [f.credit] };
    case 'NETWORK_DEGRADATION':
    case 'FALSE_ANSWER_SUSPECTED':
      return { count: f.accounts.reduce((n, a) => n + a.calls, 0), accounts: f.accounts.map((a) => a.accountId), money: f.charged };
    case 'STATS_DRIFT':
      return { count: 1, accounts: [], money: [] };
    case 'REVIEW_OVERDUE':
      return { count: 1, accounts: [f.accountId], money: f.creditAmount ? [f.creditAmount] : [] };
    case 'REVIEWER_CONSISTENCY':
      return { count: f.decisions, accounts: [], money: f.credited };
    case 'REJECTED_INPUT':
      return { count: f.rejects, accounts: [], money: [] };
  }
}

/**
 * Counts and money per finding type, every type listed (zeros included). `distinctRejects` replaces the sum of
 * REJECTED_INPUT counts, which counts a record with several failing fields once per reason.
 */
export function summarizeDisputes(findings: Finding[]): DisputesSummary {
  const billing = findings.filter((f): f is BillingFinding => f.type === 'BILLED_UNANSWERED' || f.type === 'OVERBILLED_DURATION');
  return {
    opened: billing.reduce((n, f) => n + f.disputes.length, 0),
    accounts: new Set(billing.filter((f) => f.disputes.length > 0).map((f) => f.accountId)).size,
    calls: billing.reduce((n, f) => n + f.disputes.reduce((m, d) => m + d.calls, 0), 0),
    alreadyDisputed: billing.reduce((n, f) => n + f.alreadyDisputed, 0),
  };
}

export function summarize(findings: Finding[], distinctRejects?: number): FindingSummary[] {
  return FINDING_TYPES.map((type) => {
    const ofType = findings.filter((f) => f.type === type);
    const measured = ofType.map(measure);
    const accounts = new Set(measured.flatMap((m) => m.accounts));
    const withAccounts = ['BILLED_UNANSWERED', 'OVERBILLED_DURATION', 'NETWORK_DEGRADATION', 'FALSE_ANSWER_SUSPECTED', 'REVIEW_OVERDUE'].includes(type);
    return {
      type,
      findings: ofType.length,
      count: type === 'REJECTED_INPUT' && distinctRejects !== undefined ? distinctRejects : measured.reduce((n, m) => n + m.count, 0),
      unit: UNITS[type],
      ...(withAccounts ? { accounts: accounts.size } : {}),
      totals: moneyTotals(measured.flatMap((m) => m.money)),
    };
  });
}

// --- Proactive disputes ---

export interface DisputePlan {
  accountId: string;
  claim: Claim;
  currency: string;
  /** Sorted call ids, at most MAX_CALLS_PER_DISPUTE per dispute. */
  chunks: string[][];
  alreadyDisputed: number;
}

export const CLAIM_OF: Record<BillingFinding['type'], Claim> = { BILLED_UNANSWERED: 'NEVER_CONNECTED', OVERBILLED_DURATION: 'WRONG_DURATION' };

/** Does one of the account's disputes already cover this call (by call id, or by number and window)? */
function coveredBy(disputes: Pick<Dispute, 'callIds' | 'calledNumber' | 'from' | 'to'>[], call: BilledCall): boolean {
  const t = Date.parse(call.startedAt);
  return disputes.some((d) => d.callIds?.includes(call.callId) || (d.calledNumber === call.calledNumber && d.from !== undefined && d.to !== undefined && t >= Date.parse(d.from) && t < Date.parse(d.to)));
}

/**
 * The disputes to open for billing findings: per account, claim and currency, the finding calls no dispute of the
 * account covers yet (disputes opened by this same audit, `ownDisputeIds`, do not count: a resumed audit reopens
 * the same ones), in sorted chunks of at most 500, so the same calls always give the same chunks.
 */
export function planDisputes(findings: BillingFinding[], accountDisputes: Map<string, Dispute[]>, isOwn: (d: Dispute) => boolean): DisputePlan[] {
  // A billing finding holds one account's calls under one claim in one currency: one plan each, in the same order.
  return findings.map((f) => {
    const others = (accountDisputes.get(f.accountId) ?? []).filter((d) => !isOwn(d));
    const open = f.calls.filter((c) => !coveredBy(others, c));
    const ids = [...new Set(open.map((c) => c.callId))].sort();
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += MAX_CALLS_PER_DISPUTE) chunks.push(ids.slice(i, i + MAX_CALLS_PER_DISPUTE));
    return { accountId: f.accountId, claim: CLAIM_OF[f.type as BillingFinding['type']], currency: f.credit.currency, chunks, alreadyDisputed: f.calls.length - open.length };
  });
}

// --- Storing findings in items of bounded size ---

/** The list a finding of each type can grow long in. */
const LIST_FIELD: Partial<Record<FindingType, 'calls' | 'accounts' | 'sources'>> = {
  BILLED_UNANSWERED: 'calls',
  OVERBILLED_DURATION: 'calls',
  NETWORK_DEGRADATION: 'accounts',
  FALSE_ANSWER_SUSPECTED: 'accounts',
  REJECTED_INPUT: 'sources',
};

export interface FindingPart {
  /** Index of the finding in the report. */
  index: number;
  part: number;
  finding: Finding;
}

/**
 * Splits findings into parts of at most `budgetBytes` of JSON each (a finding's long list is cut between parts),
 * so each part fits in one DynamoDB item (400 KB) whatever the number of calls.
 */
export function findingParts(findings: Finding[], budgetBytes: number): FindingPart[] {
  const parts: FindingPart[] = [];
  findings.forEach((finding, index) => {
    const field = LIST_FIELD[finding.type];
    const list = field ? ((finding as unknown as Record<string, unknown[]>)[field] ?? []) : [];
    const bare = field ? { ...finding, [field]: [] } : finding;
    let size = Buffer.byteLength(JSON.stringify(bare));
    if (!field || size + Buffer.byteLength(JSON.stringify(list)) <= budgetBytes) {
      parts.push({ index, part: 0, finding });
      return;
    }
    let current: unknown[] = [];
    let part = 0;
    const flush = () => {
      parts.push({ index, part: part++, finding: { ...finding, [field]: current } as Finding });
      current = [];
      size = Buffer.byteLength(JSON.stringify(bare));
    };
    for (const entry of list) {
      const entrySize = Buffer.byteLength(JSON.stringify(entry)) + 1;
      if (current.length > 0 && size + entrySize > budgetBytes) flush();
      current.push(entry);
      size += entrySize;
    }
    flush();
  });
  return parts;
}

/** The findings back from their parts, in order. */
export function joinFindingParts(parts: FindingPart[]): Finding[] {
  const sorted = [...parts].sort((a, b) => a.index - b.index || a.part - b.part);
  const out: Finding[] = [];
  let lastIndex = -1;
  for (const { index, finding } of sorted) {
    const field = LIST_FIELD[finding.type];
    if (index !== lastIndex || !field) {
      out.push(field ? ({ ...finding, [field]: [...((finding as unknown as Record<string, unknown[]>)[field] ?? [])] } as Finding) : finding);
      lastIndex = index;
      continue;
    }
    (out[out.length - 1] as unknown as Record<string, unknown[]>)[field]!.push(...((finding as unknown as Record<string, unknown[]>)[field] ?? []));
  }
  return out;
}
