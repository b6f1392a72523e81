// Due dates (PRODUCT.md §4.7): every dispute is due a decision a service level after it was opened, the level
// chosen by where it came from. Overdue is a fact of time, not a stored status: it is computed at each read.
import { ValidationError } from '../errors';
import type { Dispute, DisputeOrigin } from './dispute';

/** Hours from opening to the decision due, per origin. */
export type ServiceLevels = Record<DisputeOrigin, number>;

/** A customer is waiting on a ticket; an audit finding has no one waiting, so it may take longer. */
export const DEFAULT_SERVICE_LEVELS: ServiceLevels = { TICKET: 48, AUDIT: 120 };

/** When the dispute is due a decision: opening time plus its origin's service level, ISO-8601 UTC. */
export function dueBy(openedAt: string, origin: DisputeOrigin, levels: ServiceLevels = DEFAULT_SERVICE_LEVELS): string {
  return new Date(Date.parse(openedAt) + levels[origin] * 3_600_000).toISOString();
}

/** Undecided after its due date (compared as instants). */
export const isOverdue = (dispute: Pick<Dispute, 'status'> & { dueBy: string }, now: Date): boolean => dispute.status !== 'DECIDED' && now.getTime() > Date.parse(dispute.dueBy);

/** Parses `TICKET=48,AUDIT=120` (hours, decimals allowed: tests use seconds' worth); origins not named keep the default. */
export function parseServiceLevels(text: string): ServiceLevels {
  const levels: ServiceLevels = { ...DEFAULT_SERVICE_LEVELS };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(TICKET|AUDIT)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!match || Number(match[2]) <= 0) throw new ValidationError('SERVICE_LEVEL_HOURS', `"${part}" is not ORIGIN=hours (TICKET or AUDIT, more than 0), e.g. TICKET=48`);
    levels[match[1] as DisputeOrigin] = Number(match[2]);
  }
  return levels;
}

/** What every dispute read carries about its due date and changes (PRODUCT.md §4.7). */
export interface DueDateFields {
  /** When a decision is due: stored at opening; for a dispute stored before due dates existed, computed on read. */
  dueBy: string;
  /** Undecided after `dueBy`, at the moment of the read. */
  overdue: boolean;
  /** The last change a ticket tool can see (a transition, the overdue mark), ISO-8601 UTC; `GET /v1/disputes?updatedSince=` lists by it. */
  updatedAt: string;
  /** When the overdue sweep found it past due undecided: set once, and its `dispute.overdue` event with it. */
  overdueAt?: string;
}

/** A dispute as the API serves it. */
export type DatedDispute = Dispute & DueDateFields;

/**
 * Completes a stored dispute with its due date and overdue flag at `now`. A dispute stored before due dates has no
 * `dueBy` or `updatedAt`: its due date is its opening plus today's level, its last change its last history entry.
 */
export function withDueDate(stored: Dispute & Partial<DueDateFields>, levels: ServiceLevels, now: Date): DatedDispute {
  const due = stored.dueBy ?? dueBy(stored.openedAt, stored.origin, levels);
  const updatedAt = stored.updatedAt ?? stored.history.at(-1)?.at ?? stored.openedAt;
  return { ...stored, dueBy: due, overdue: isOverdue({ status: stored.status, dueBy: due }, now), updatedAt };
}
