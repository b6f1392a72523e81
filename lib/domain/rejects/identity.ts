// Which rejects are the same reject, and which deliveries are the same sighting of it.
//  - The same bad record from the same source is one reject, however often it is sent: its id is derived from what
//    it is (kind, source, the SHA-256 of its exact bytes, and for a conflict the key of the stored CDR it conflicts
//    with), never from when or how it arrived.
//  - Each distinct origin is one sighting: a file line of an import run (a second import of the file is a new run,
//    so a new sighting) or a position in an SQS message (a redelivery has the same message id, so it is not).
// The adapter hashes these texts; the domain only says what goes in them.
import { canonicalJson } from '../canonical';

export type RejectKind = 'INVALID' | 'CONFLICT';

export interface RejectIdentity {
  kind: RejectKind;
  /** The source as the record named it, whole (before any cut). */
  source: string;
  /** SHA-256 (hex) of the record's exact bytes. */
  rawSha256: string;
  /** For a conflict: the stored CDR's deduplication key (`source#callId`). */
  conflictsWith?: string;
}

/** The text whose hash is the reject's id. */
export const identityText = (id: RejectIdentity): string => canonicalJson(['reject/v1', id.kind, id.source, id.rawSha256, id.conflictsWith ?? null]);

/**
 * The text whose hash names one sighting. A file run's record is placed by run, message number, line and index (not
 * by the SQS message id: a message the sender sent twice is still one sighting); any other record by its message id
 * and position.
 */
export function originText(origin: Record<string, string | number>, position: number): string {
  if (origin.ingestRun !== undefined) return canonicalJson(['run', origin.ingestRun, origin.seq ?? null, origin.line ?? null, origin.index ?? null, position]);
  return canonicalJson(['message', origin.messageId ?? null, position]);
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 26 Crockford base32 characters (the shape of the ULIDs older rejects have) from the first 128 bits of a hex digest. */
export function idFromHex(hex: string): string {
  let bits = '';
  for (const digit of hex.slice(0, 32)) bits += parseInt(digit, 16).toString(2).padStart(4, '0');
  bits = bits.padStart(130, '0');
  let id = '';
  for (let i = 0; i < 130; i += 5) id += CROCKFORD[parseInt(bits.slice(i, i + 5), 2)];
  return id;
}

/** A reject id as the API accepts it: 26 Crockford base32 characters (content ids and the older ULIDs alike). */
export const REJECT_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
