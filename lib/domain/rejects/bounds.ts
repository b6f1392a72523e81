// A reject is kept whatever the input: every text it holds is bounded, so no bad record can make its reject too
// large for DynamoDB (400 KB an item; a key attribute 2048 bytes as a partition key, 1024 as a sort key) and fail
// the message it came in on every delivery. What was cut is marked: a shown text ends in "…", the raw text is its
// exact first bytes, and `truncated` names every field that was cut.
import { utf8Length } from '../canonical';
import type { FieldProblem } from '../cdr';

/** The limits, in UTF-8 bytes (what DynamoDB counts). */
export const REJECT_LIMITS = {
  /** The raw record: its first bytes, with its full byte length and SHA-256 beside them. */
  rawBytes: 16 * 1024,
  /** The source is the `bySource` index's partition key: far below its 2048 bytes, and above any real feed's name. */
  sourceBytes: 256,
  /** Failing fields per reject; the rest are counted in one last problem. */
  problems: 50,
  problemFieldBytes: 200,
  problemReasonBytes: 1000,
  /** Each text of the origin (file name, message id, run id). */
  originTextBytes: 1024,
  /** A dismissal's reason or a resolution's note, as given through the API or the CLI (in characters). */
  noteCharacters: 1000,
} as const;

export const CUT_MARK = '…';

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that does not split a character. */
export function cutUtf8(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 3 || utf8Length(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/** A text shown to people, within `maxBytes` including the mark that says it was cut. */
export function boundText(text: string, maxBytes: number): { text: string; cut: boolean } {
  if (text.length <= maxBytes / 3 || utf8Length(text) <= maxBytes) return { text, cut: false };
  return { text: `${cutUtf8(text, maxBytes - utf8Length(CUT_MARK))}${CUT_MARK}`, cut: true };
}

/** What a reject keeps of its record and its problems, before bounding. */
export interface RejectTexts {
  source: string;
  raw: string;
  rawBase64?: string;
  problems: FieldProblem[];
  origin: Record<string, string | number>;
}

export interface BoundedTexts extends RejectTexts {
  /** The fields that were cut (`raw`, `source`, `problems`, `problems[3].reason`, `origin.file`, …). */
  truncated: string[];
}

/** Base64 of the first `rawBytes` bytes: a prefix of whole 3-byte groups. */
const BASE64_CHARS = Math.floor(REJECT_LIMITS.rawBytes / 3) * 4;

/**
 * Bounds every text of a reject. An empty source becomes `(none)`: DynamoDB refuses an empty string as an index key,
 * and a reject must be kept all the same.
 */
export function boundRejectTexts(input: RejectTexts): BoundedTexts {
  const truncated: string[] = [];
  const shown = (field: string, text: string, maxBytes: number) => {
    const bounded = boundText(text, maxBytes);
    if (bounded.cut) truncated.push(field);
    return bounded.text;
  };
  const source = input.source === '' ? '(none)' : shown('source', input.source, REJECT_LIMITS.sourceBytes);
  const raw = cutUtf8(input.raw, REJECT_LIMITS.rawBytes);
  if (raw.length < input.raw.length) truncated.push('raw');
  let rawBase64 = input.rawBase64;
  if (rawBase64 !== undefined && rawBase64.length > BASE64_CHARS) {
    rawBase64 = rawBase64.slice(0, BASE64_CHARS);
    truncated.push('rawBase64');
  }
  const kept = input.problems.slice(0, REJECT_LIMITS.problems);
  const problems = kept.map((p, i) => ({
    field: shown(`problems[${i}].field`, p.field, REJECT_LIMITS.problemFieldBytes),
    reason: shown(`problems[${i}].reason`, p.reason, REJECT_LIMITS.problemReasonBytes),
  }));
  if (input.problems.length > kept.length) {
    truncated.push('problems');
    problems.push({ field: '(record)', reason: `${input.problems.length - kept.length} more failing fields not kept` });
  }
  const origin = Object.fromEntries(Object.entries(input.origin).map(([key, value]) => [key, typeof value === 'string' ? shown(`origin.${key}`, value, REJECT_LIMITS.originTextBytes) : value]));
  return { source, raw, ...(rawBase64 === undefined ? {} : { rawBase64 }), problems, origin, truncated };
}
