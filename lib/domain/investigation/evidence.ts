// The evidence of each reason code (PRODUCT.md §4.5): the figures its message is built from. Type aliases, not
// interfaces, so each is also a plain record, the shape a stored recommendation serves (disputes/dispute.ts).
import type { ReasonCode } from '../disputes/dispute';
import type { Ratio } from '../statistics/connect-statistics';

/** The disputed calls a per-call reason (rules 1-6) covers and what they are credited. */
export type CallsEvidence = {
  /** Calls with this reason. */
  calls: number;
  /** All disputed calls. */
  of: number;
  creditMinor: number;
  currency: string;
  callIds: string[];
  calledNumbers: string[];
};

/** A destination's statistics in one UTC hour, as rule 3 reads them. */
export type HourEvidence = { hour: string; attempts: number; ner: Ratio };

/** NETWORK_DEGRADATION: the degraded hours of the covered calls, against the baseline NER. */
export type DegradationEvidence = CallsEvidence & { hours: HourEvidence[]; baselineNer: Ratio };

/** FALSE_ANSWER_SUSPECTED: the destination's answered calls over the window, its SCR and its sub-second answers. */
export type FalseAnswerEvidence = CallsEvidence & { destinationAnswered: number; destinationScr: Ratio; subSecondAnswers: Ratio };

/** LOW_SAMPLE: the destination's attempts in the window and the baseline, and how many rule 5 needs. */
export type LowSampleEvidence = CallsEvidence & { windowAttempts: number; baselineAttempts: number; minAttempts: number };

/** A destination's connect statistics over a range, each ratio with its interval. */
export type StatsEvidence = {
  from: string;
  to: string;
  attempts: number;
  answered: number;
  asr: Ratio;
  ner: Ratio;
  scr: Ratio;
  acdSeconds: number | null;
  /** Answered calls per TTA bin, keyed by the bin's label. */
  ttaHistogram: Record<string, number>;
};

/** The account's own attempts to a destination in scope. */
export type AccountAttempts = {
  total: number;
  answered: number;
  charged: number;
  uncharged: number;
  failed: number;
  failedCharged: number;
};

/** DESTINATION_HEALTHY, AUTO_ATTENDANT_DETECTED and UNANSWERED_NOT_CHARGED: one destination over the window. */
export type DestinationEvidence = { calledNumber: string; window: StatsEvidence; accountAttempts: AccountAttempts; firstRingAnswers: Ratio };

/** INSUFFICIENT_DATA: the scope that had no calls (a number scope names the number and window). */
export type ScopeEvidence = { accountId: string; calledNumber?: string; from?: string; to?: string };

/** REPEAT_DISPUTER: the account's recent disputes. */
export type HistoryEvidence = { disputesInLookback: number; deniedInLookback: number; lookbackDays: number; creditedInLast365Days: boolean };

/** GOODWILL_ELIGIBLE: the amount a goodwill credit would be, and the policy's limit. */
export type GoodwillEvidence = { amountMinor: number; currency: string; limitMinor: number };

/** Each reason code's evidence. A code missing here fails to compile where `Reason` is built. */
export type EvidenceByCode = {
  BILLED_UNANSWERED: CallsEvidence;
  OVERBILLED_DURATION: CallsEvidence;
  NETWORK_DEGRADATION: DegradationEvidence;
  FALSE_ANSWER_SUSPECTED: FalseAnswerEvidence;
  CALL_CONNECTED: CallsEvidence;
  UNANSWERED_NOT_CHARGED: DestinationEvidence;
  DESTINATION_HEALTHY: DestinationEvidence;
  AUTO_ATTENDANT_DETECTED: DestinationEvidence;
  LOW_SAMPLE: LowSampleEvidence;
  INSUFFICIENT_DATA: ScopeEvidence;
  REPEAT_DISPUTER: HistoryEvidence;
  GOODWILL_ELIGIBLE: GoodwillEvidence;
};

/** A reason code with its evidence, before it is put into words; `C` narrows it to some codes. */
export type ReasonFacts<C extends ReasonCode = ReasonCode> = { [K in C]: { code: K; evidence: EvidenceByCode[K] } }[C];

/** A reason as the investigation gives it: code, message for the agent, evidence (a union discriminated on `code`). */
export type Reason<C extends ReasonCode = ReasonCode> = { [K in C]: { code: K; message: string; evidence: EvidenceByCode[K] } }[C];
