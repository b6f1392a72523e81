// Retention, decided: a CDR is kept RETENTION_DAYS (the CDR_RETENTION_DAYS setting) after it started, and one that is older than that when it arrives
// is not stored at all (a reject with reason OUTSIDE_RETENTION), so a copy that expired can never come back as new.
//
// Why nothing is counted twice: a CDR accepted at time t has startedAt >= t - RETENTION_DAYS, and its item expires at
// startedAt + RETENTION_DAYS + EXPIRY_GRACE_DAYS (DynamoDB's TTL deletes an item after its expiry, never before). Any
// arrival of the same CDR while the item exists is a duplicate (or a conflict). An arrival at t' after the item may
// have been deleted has t' > startedAt + RETENTION_DAYS + EXPIRY_GRACE_DAYS, so startedAt < t' - RETENTION_DAYS: it is
// outside retention and rejected. The grace also absorbs clocks that disagree by less than EXPIRY_GRACE_DAYS.
import type { FieldProblem } from './cdr';
import { instantMillis } from './time';

export const RETENTION_DAYS = 400;
export const EXPIRY_GRACE_DAYS = 30;
const DAY_MS = 86_400_000;

/** The reason kept with a CDR refused for its age: stable text, so rejects group by it. */
export const OUTSIDE_RETENTION = 'OUTSIDE_RETENTION: started before the retention horizon (CDRs are kept 400 days by default), so it is not stored';

/** The earliest start a CDR arriving at `now` may have to be stored. */
export const retentionHorizon = (now: number, days = RETENTION_DAYS): number => now - days * DAY_MS;

/** Why a CDR that started at `startedAt` cannot be stored when it arrives at `now`, or undefined when it can. */
export function outsideRetention(startedAt: string, now: number, days = RETENTION_DAYS): FieldProblem | undefined {
  return instantMillis(startedAt) < retentionHorizon(now, days) ? { field: 'startedAt', reason: OUTSIDE_RETENTION } : undefined;
}

/** When a stored CDR's item expires (epoch seconds, for DynamoDB's TTL): after its retention and the grace. */
export const expiresAtSeconds = (startedAt: string, days = RETENTION_DAYS): number => Math.floor(instantMillis(startedAt) / 1000) + (days + EXPIRY_GRACE_DAYS) * 86_400;
