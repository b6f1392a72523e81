// What every format adapter takes and gives. The operator's options are stored with each reject, so a replay
// re-runs the adapter exactly as the ingest did (or with the options the operator corrects).
import { z } from 'zod';
import { BillingIncrement, type FieldProblem, type ParsedCdr } from '../domain/cdr';

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

export const AdapterOptions = z.object({
  /** The switch or feed the records come from (the deduplication key's first half); a JSON record's own wins. */
  source: z.string().min(1).max(128).optional(),
  /** ISO 3166 country whose national numbering reads numbers written without a `+`. */
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 country code, e.g. US').optional(),
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
