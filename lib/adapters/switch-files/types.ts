// What every format adapter takes and gives. The operator's options are stored with each reject, so a replay
// re-runs the adapter exactly as the ingest did (or with the options the operator corrects).
import { z } from 'zod';
import { BillingIncrement, type FieldProblem, type ParsedCdr } from '../../domain/cdr';

export const FORMATS = ['jsonl', 'asterisk', 'freeswitch'] as const;
export type FormatName = (typeof FORMATS)[number];

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/**
 * Why a record has no source. Deduplication is per source + call id, so a record never falls back on a made-up
 * source: the same calls imported once without `--source` and once with it would be stored twice.
 */
export const NO_SOURCE = {
  file: 'the file names no source: give --source, the switch or feed these calls come from',
  record: 'the record names no source and the import has no --source',
} as const;

export const AdapterOptions = z.object({
  /**
   * The switch or feed the records come from (the deduplication key's first half); a JSON record's own wins. Without
   * it, a PBX record, or a JSON record that names none, is rejected (NO_SOURCE).
   */
  source: z.string().min(1).max(128).optional(),
  /** ISO 3166 country whose national numbering reads numbers written without a `+`. */
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 country code, e.g. US').optional(),
  /**
   * The area code of local numbers (dialled without it, as a small PBX writes them), as dialled within `country`:
   * with or without the national prefix (`614`, `01524`, `030`). See readNumber.
   */
  areaCode: z.string().regex(/^\d{1,6}$/, 'must be the digits of an area code, e.g. 614 or 01524').optional(),
  /** IANA zone that zone-less switch timestamps are wall-clock times in. */
  timezone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. America/Chicago').optional(),
  /** The billed account of every record, or the fallback when `accountColumn` is empty. */
  account: z.string().min(1).max(64).optional(),
  /** A column of the file (e.g. Asterisk `accountcode`) that names the billed account. */
  accountColumn: z.string().min(1).optional(),
  /** The E.164 number calls are billed from when the switch wrote no E.164 calling number (empty, an extension). */
  caller: z.string().regex(/^\+[1-9]\d{7,14}$/, 'must be E.164').optional(),
  /** Minor units per minute, applied to the billed seconds; PBX records are charged 0 without it. */
  rate: z.number().int().nonnegative().optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code').default('USD'),
  /** The rating increment (minimum/step seconds) applied to PBX talk time; stored on the CDRs when given. */
  increment: BillingIncrement.optional(),
  /** Internal extensions are kept as called numbers; without it they are rejected. */
  allowExtensions: z.boolean().default(false),
  /**
   * Asterisk: the field names of a file written by a custom cdr_custom/cdr_csv mapping, in file order (see
   * asterisk-mapping.ts); without it the classic 18 or 21 columns.
   */
  columns: z.array(z.string().min(1).max(64)).min(1).max(100).optional(),
  /**
   * Asterisk: one attempt per call rather than per dialled leg: the legs of a forked call (same `linkedid`, else
   * same `uniqueid`) become one CDR, answered if any leg answered (see forks.ts). Off for a carrier's rated CDRs.
   */
  countForkedOnce: z.boolean().default(false),
});
export type AdapterOptions = z.input<typeof AdapterOptions>;
export type ResolvedOptions = z.output<typeof AdapterOptions>;

/** One record read from a file: where it was, its text, and the canonical CDR or every failing field. */
export interface AdaptedRecord {
  /** First physical line of the record, from 1. */
  line: number;
  /** Position within the line, for a JSON line that carries an array of CDRs. */
  index?: number;
  /** The record's text as read (cut at MAX_KEPT_RAW for an oversized record). */
  raw: string;
  /** The exact bytes, base64, when they are not valid UTF-8 (the text then has replacement characters). */
  rawBase64?: string;
  source: string;
  result: ParsedCdr;
}

export type { FieldProblem };
