// A reject's lifecycle: it is OPEN until someone closes it, once, recorded with who and when.
//  - REPLAYED: `rejects replay` re-read it and sent what now passes through ingest (a resolution);
//  - RESOLVED: resolved otherwise, e.g. corrected at the switch and sent again (an optional note says how);
//  - DISMISSED: not worth keeping open, with a reason (test data, a retired feed);
//  - KEPT / REPLACED: a conflict settled by keeping the stored CDR, or by replacing it with the conflicting one.
// A new sighting of a closed reject counts, but does not reopen it: the same bad record again is the same decision.
import { ConflictError, ValidationError } from '../errors';
import { REJECT_LIMITS, boundText } from './bounds';
import type { RejectKind } from './identity';

export const REJECT_STATUSES = ['OPEN', 'REPLAYED', 'RESOLVED', 'DISMISSED', 'KEPT', 'REPLACED'] as const;
export type RejectStatus = (typeof REJECT_STATUSES)[number];

/** What a person does to an open reject (a replay closes it too, through `rejects replay`). */
export const REJECT_ACTIONS = ['resolve', 'dismiss', 'keep', 'replace'] as const;
export type RejectAction = (typeof REJECT_ACTIONS)[number] | 'replay';

const CLOSES_AS: Record<RejectAction, Exclude<RejectStatus, 'OPEN'>> = { resolve: 'RESOLVED', dismiss: 'DISMISSED', keep: 'KEPT', replace: 'REPLACED', replay: 'REPLAYED' };

/** How a reject was closed. */
export interface Resolution {
  status: Exclude<RejectStatus, 'OPEN'>;
  /** Who: the caller's identity from their token, or the operator who ran the replay. */
  by: string;
  at: string;
  /** Why it was dismissed, or how it was resolved. */
  reason?: string;
  /** The replay's ingest run. */
  replayRun?: string;
}

/** Items written before statuses had more than two values have none: they are open. */
export const statusOf = (reject: { status?: string }): RejectStatus => (REJECT_STATUSES as readonly string[]).includes(reject.status ?? '') ? (reject.status as RejectStatus) : 'OPEN';

export const isOpen = (reject: { status?: string }): boolean => statusOf(reject) === 'OPEN';

/**
 * The resolution an action records, or why it cannot: a reject is closed once (ConflictError naming who closed it
 * and when); keep and replace settle conflicts only, and a conflict is settled by them or dismissed, not resolved;
 * a dismissal needs its reason.
 */
export function close(
  reject: { rejectId: string; kind: RejectKind; status?: string; resolution?: Resolution; replayRun?: string; replayedAt?: string },
  action: RejectAction,
  input: { by: string; at: string; reason?: string; replayRun?: string },
): Resolution {
  const status = statusOf(reject);
  if (status !== 'OPEN') {
    const how = reject.resolution ? ` by ${reject.resolution.by} at ${reject.resolution.at}` : reject.replayRun ? ` in replay run ${reject.replayRun}` : '';
    throw new ConflictError('status-conflict', `reject ${reject.rejectId} is already ${status}${how}: only an open reject can be closed`, { field: 'status', reason: `is ${status}, not OPEN` });
  }
  if ((action === 'keep' || action === 'replace') && reject.kind !== 'CONFLICT') {
    throw new ConflictError('status-conflict', `reject ${reject.rejectId} is ${reject.kind}, not a conflict: only a conflict keeps or replaces a stored CDR`, { field: 'kind', reason: `is ${reject.kind}, not CONFLICT` });
  }
  if ((action === 'resolve' || action === 'replay') && reject.kind === 'CONFLICT') {
    throw new ConflictError('status-conflict', `reject ${reject.rejectId} is a conflict: settle it by keeping or replacing the stored CDR, or dismiss it`, { field: 'kind', reason: 'is CONFLICT: keep, replace or dismiss it' });
  }
  const reason = input.reason?.trim();
  if (action === 'dismiss' && !reason) throw new ValidationError('reason', 'a dismissal needs a reason');
  return {
    status: CLOSES_AS[action],
    by: input.by,
    at: input.at,
    ...(reason ? { reason: boundText(reason, 4 * REJECT_LIMITS.noteCharacters).text } : {}),
    ...(input.replayRun ? { replayRun: input.replayRun } : {}),
  };
}
