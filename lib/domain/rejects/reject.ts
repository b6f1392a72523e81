// A kept reject as stored and served: the bad (or conflicting) record, bounded, where and how often it was seen,
// and how it was closed.
import type { Cdr, FieldProblem } from '../cdr';
import type { RejectKind } from './identity';
import { type RejectStatus, type Resolution, statusOf } from './lifecycle';

export type Origin = Record<string, string | number>;

export interface Reject {
  rejectId: string;
  kind: RejectKind;
  source: string;
  /** The record's text: whole up to 16 KB, else its first 16 KB (`truncated` then names `raw`). */
  raw: string;
  /** The exact bytes, base64, when they were not valid UTF-8 (cut like `raw`). */
  rawBase64?: string;
  /** The whole record's length in bytes and its SHA-256 (hex), whatever was kept of it. Absent on older items. */
  rawBytes?: number;
  rawSha256?: string;
  /** Fields cut to their limit (`raw`, `source`, `problems[2].reason`, …); absent when nothing was cut. */
  truncated?: string[];
  problems: FieldProblem[];
  /** `field: reason` of each problem (or CONFLICT): what listing by reason and the run summary group by. */
  reasons: string[];
  /** When it was first seen. */
  receivedAt: string;
  /** Where it was first seen: the SQS message and position, or the file, line and ingest run. */
  origin: Origin;
  /** Distinct origins it was seen at (1 on items older than sightings), when it was last seen, and where. */
  sightings: number;
  lastSeenAt: string;
  lastOrigin?: Origin;
  /** The format adapter and operator options that read it, so a replay reads it the same way. */
  format?: string;
  options?: Record<string, unknown>;
  /** A conflict's two CDRs: the stored one as it was when the conflict was recorded, and the one that conflicted. */
  storedCdr?: Cdr;
  incomingCdr?: Cdr;
  /** OPEN until closed (items written before statuses were added have none: read as OPEN). */
  status: RejectStatus;
  resolution?: Resolution;
  replayedAt?: string;
  replayRun?: string;
  /** The operator's corrected text, when the replay used one instead of `raw`. */
  correctedRaw?: string;
  /** Attempts of a replay that still failed, and the last one's time. */
  replayAttempts?: number;
  lastReplayAt?: string;
}

export interface NewReject {
  kind: RejectKind;
  /** The source as the record named it, whole: it is part of the reject's identity, and cut only where it is kept. */
  source: string;
  raw: string;
  rawBase64?: string;
  problems: FieldProblem[];
  origin: Origin;
  format?: string;
  options?: Record<string, unknown>;
  storedCdr?: Cdr;
  incomingCdr?: Cdr;
}

export const reasonKeys = (kind: RejectKind, problems: FieldProblem[]): string[] =>
  kind === 'CONFLICT' ? ['CONFLICT'] : [...new Set(problems.map((p) => `${p.field}: ${p.reason}`))];


const FIELDS = [
  'rejectId', 'kind', 'source', 'raw', 'rawBase64', 'rawBytes', 'rawSha256', 'truncated', 'problems', 'reasons', 'receivedAt', 'origin', 'sightings', 'lastSeenAt', 'lastOrigin',
  'format', 'options', 'storedCdr', 'incomingCdr', 'status', 'resolution', 'replayedAt', 'replayRun', 'correctedRaw', 'replayAttempts', 'lastReplayAt',
] as const satisfies readonly (keyof Reject)[];

/** A stored item as a reject: its own fields only, with what older items lack filled in (open, seen once). */
export function rejectFromItem(item: Record<string, unknown>): Reject {
  const reject = Object.fromEntries(FIELDS.filter((f) => item[f] !== undefined && item[f] !== null).map((f) => [f, item[f]])) as unknown as Reject;
  reject.status = statusOf(reject);
  reject.sightings = typeof item.sightings === 'number' ? item.sightings : 1;
  reject.lastSeenAt ??= reject.receivedAt;
  reject.reasons ??= reasonKeys(reject.kind, reject.problems ?? []);
  return reject;
}
