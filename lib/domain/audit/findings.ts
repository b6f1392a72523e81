// The audit's report (PRODUCT.md §6): the finding types, what each finding holds, and the limits a report is sized for.
import type { Money } from '../cdr';
import type { Claim, DisputeOrigin, Outcome } from '../disputes/dispute';
import type { ConnectCounters, Ratio } from '../statistics/connect-statistics';

/** The finding types of PRODUCT.md §6, in the order a report lists them. */
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
/** One of FINDING_TYPES. */
export type FindingType = (typeof FINDING_TYPES)[number];

/** PRODUCT.md §6: a recommendation waiting longer than this for a reviewer is overdue. */
export const REVIEW_OVERDUE_HOURS = 48;
/** The longest period one audit covers: 31 days of hours is what one report and its checkpoint are sized for. */
export const MAX_AUDIT_DAYS = 31;
/** Decisions in the period are looked for among disputes opened up to this long before the period's start. */
export const DECISION_LOOKBACK_DAYS = 90;
/** Proactive disputes name at most this many calls (the `callIds` limit of a dispute). */
export const MAX_CALLS_PER_DISPUTE = 500;

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

/** BILLED_UNANSWERED or OVERBILLED_DURATION: one account's calls rule 1 or 2 credits, in one currency. */
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

/** A proactive dispute (origin AUDIT) the audit opened for a billing finding. */
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

/** NETWORK_DEGRADATION: a destination-hour that meets rule 3. */
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

/** FALSE_ANSWER_SUSPECTED: a destination that meets rule 4's destination test over the period. */
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
 * REPAIRED: rewritten from the recount. CHANGED_SINCE_READ: the stream counted into the bucket after the audit read
 * it, so it was left alone (a later audit compares it again). UNSETTLED: no longer given (a destination-hour that has
 * not settled is not drift at all, see settledHour); kept so that older reports still read.
 */
export type RepairOutcome = 'REPAIRED' | 'CHANGED_SINCE_READ' | 'UNSETTLED';

/**
 * The settle time: only CDRs stored, and bucket changes made, this long before an audit started are compared. It is
 * the bound assumed on the Cdrs stream's lag (alarmed in AWS by the stream consumer's iterator age), so that by the
 * audit's start the statistics have counted everything stored before its cutoff.
 */
export const REPAIR_SETTLE_MS = 10 * 60_000;

/** STATS_DRIFT: a stored connect-statistics bucket that differs from the recount of its CDRs. */
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

/** REVIEW_OVERDUE: a dispute RECOMMENDED longer than REVIEW_OVERDUE_HOURS ago. */
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

/** REVIEWER_CONSISTENCY: one reviewer's decisions in the period against the team's. */
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

/** REJECTED_INPUT: rejected CDRs of the period with one reason. */
export interface RejectFinding {
  type: 'REJECTED_INPUT';
  /** `field: reason`, or CONFLICT; a record with several failing fields counts under each. */
  reason: string;
  rejects: number;
  open: number;
  replayed: number;
  sources: { source: string; rejects: number }[];
}

/** Any finding of a report, told apart by `type`. */
export type Finding = BillingFinding | DegradationFinding | FalseAnswerFinding | DriftFinding | OverdueFinding | ReviewerFinding | RejectFinding;

/** One finding type's line of a report's summary. */
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

/** What started an audit. */
export type AuditTrigger = 'schedule' | 'api' | 'cli';
/** An audit's state: RUNNING until its report is COMPLETED, or FAILED. */
export type AuditStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';

/** How far a running audit has got, in hours read and destination groups compared. */
export interface AuditProgress {
  hours: number;
  hoursDone: number;
  /** Destination groups compared with the stored statistics (after all hours are read). */
  groups: number;
  groupsDone: number;
}

/** An audit: its period and state, the summary and the findings. */
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

/** A report without its findings, as listed and as stored apart from them. */
export type AuditHeader = Omit<AuditReport, 'findings'>;
