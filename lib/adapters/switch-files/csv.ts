// The CSV side shared by the switch formats: each framed record is parsed by csv-parse, and a record that is not
// CSV, too long, or of the wrong width is rejected under `(record)` with the reason.
import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import type { ParsedCdr } from '../../domain/cdr';
import { type ForkRules, ForkWindow, type Leg } from './forks';
import { MAX_RECORD_BYTES, type RawRecord, rawRecords } from './records';
import { AdapterOptions, type AdaptedRecord, type ResolvedOptions } from './types';

const CSV_REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'not valid CSV: a quoted field is not closed',
  CSV_INVALID_CLOSING_QUOTE: 'not valid CSV: text after a closing quote',
  INVALID_OPENING_QUOTE: 'not valid CSV: a quote inside an unquoted field',
};

export type Fields = { ok: true; fields: string[] } | { ok: false; reason: string };

export function csvFields(text: string): Fields {
  try {
    const rows: string[][] = parse(text, { relax_quotes: true, relax_column_count: true, record_delimiter: '\n', skip_empty_lines: true });
    return rows.length === 1 ? { ok: true, fields: rows[0]! } : { ok: false, reason: 'not one CSV record' };
  } catch (error) {
    if (error instanceof CsvError) return { ok: false, reason: CSV_REASONS[error.code] ?? `not valid CSV (${error.code})` };
    throw error;
  }
}

const rejected = (reason: string): ParsedCdr => ({ ok: false, problems: [{ field: '(record)', reason }] });

export interface CsvLayout {
  name: string;
  /** The accepted widths, each with its column names in order. */
  layouts: Record<number, readonly string[]>;
  /** Turns one row, keyed by column name, into the canonical CDR or its problems. */
  toCdr: (row: Record<string, string>, options: ResolvedOptions) => ParsedCdr;
  /** How the legs of a forked call are counted once (`countForkedOnce`); formats without it ignore the option. */
  forks?: ForkRules;
}

/**
 * A switch CSV file as records: a first line that only repeats the column names is a header, not a record. With
 * `columns` the file has exactly those (a custom mapping); with `countForkedOnce` the legs of a call are one record.
 */
export async function* csvAdapter(layout: CsvLayout, input: AsyncIterable<Uint8Array | string>, options: AdapterOptions): AsyncGenerator<AdaptedRecord> {
  const resolved = AdapterOptions.parse(options);
  const layouts = resolved.columns ? { [resolved.columns.length]: resolved.columns } : layout.layouts;
  const name = resolved.columns ? `${layout.name} as mapped by --columns` : layout.name;
  const widths = Object.keys(layouts).map(Number);
  const source = resolved.source ?? 'default';
  const fits = (text: string) => {
    const parsed = csvFields(text);
    return parsed.ok && widths.includes(parsed.fields.length);
  };
  const adapted = (record: Pick<RawRecord, 'line' | 'text' | 'utf8' | 'bytes'>, result: ParsedCdr): AdaptedRecord => ({ line: record.line, raw: record.text, ...(record.utf8 ? {} : { rawBase64: record.bytes.toString('base64') }), source, result });
  const forks = resolved.countForkedOnce && layout.forks ? new ForkWindow(layout.forks) : undefined;
  const calls = function* (done: Leg[][]) {
    for (const legs of done) {
      const call = forks!.merged(legs);
      yield adapted({ ...call, text: call.raw }, layout.toCdr(call.row, resolved));
    }
  };
  for await (const record of rawRecords(input, { quoted: true, fits })) {
    const read = readRow(record, layouts, name, widths);
    if (read === 'header') continue;
    if ('rejected' in read) yield adapted(record, read.rejected);
    else if (forks) yield* calls(forks.add({ record, row: read.row }));
    else yield adapted(record, layout.toCdr(read.row, resolved));
  }
  if (forks) yield* calls(forks.flush());
}

/** A record's fields keyed by column name, 'header', or the record's rejection. */
function readRow(record: RawRecord, layouts: Record<number, readonly string[]>, name: string, widths: number[]): { row: Record<string, string> } | { rejected: ParsedCdr } | 'header' {
  if (record.oversize !== undefined) return { rejected: rejected(`longer than ${MAX_RECORD_BYTES} bytes (${record.oversize}); the first part is kept`) };
  const parsed = csvFields(record.text);
  if (!parsed.ok) return { rejected: rejected(parsed.reason) };
  const names = layouts[parsed.fields.length];
  if (!names) return { rejected: rejected(`expected ${widths.join(' or ')} columns (${name}), found ${parsed.fields.length}`) };
  if (record.line === 1 && parsed.fields.every((f, i) => f.trim().toLowerCase() === names[i])) return 'header';
  return { row: Object.fromEntries(names.map((n, i) => [n, parsed.fields[i]!])) };
}
