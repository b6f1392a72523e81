// The API's shapes, as types only: the domain and API schema types the server validates its responses with (the
// contract test keeps them equal to docs/openapi.json). Nothing here reaches the bundle.
import type { z } from 'zod';
import type * as schemas from '../../api/schemas';
import type { Dispute } from '../../domain/disputes/dispute';

export type { CallAssessment, Decision, Dispute, HistoryEntry, Outcome, ReasonCode, Recommendation, Verdict, DisputeStatus } from '../../domain/disputes/dispute';
/** A lease on a dispute while a reviewer works it (POST/DELETE /v1/disputes/{id}/lease). */
export type { Lease } from '../../domain/disputes/lease';
export type { AuditHeader, AuditReport, Finding, FindingSummary, FindingType } from '../../domain/audit/findings';
import type { AccountAttempts, StatsEvidence } from '../../domain/investigation/evidence';

export type { AccountAttempts, StatsEvidence };
export type { Money } from '../../domain/cdr';

export type NumberStats = z.output<typeof schemas.NumberStats>;
export type StatsPoint = NumberStats['series'][number];

export interface DisputePage {
  items: Dispute[];
  cursor?: string;
}

/** recommendation.evidence.destinations[]: the window and baseline statistics the investigation read. */
export interface DestinationRecord {
  calledNumber: string;
  window: StatsEvidence;
  baseline: StatsEvidence;
  accountAttempts: AccountAttempts;
}
