// The CSV side shared by the switch formats: each framed record is parsed by csv-parse, and a record that is not
// CSV, too long, or of the wrong width is rejected under `(record)` with the reason.
import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { type ParsedCdr } from '../domain/cdr';
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
    const rows = parse(text, { relax_quotes: true, relax_column_count: true, record_delimiter: '\n', skip_empty_lines: true }) as string[][];
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
}

/** A switch CSV file as records: a first line that only repeats the column names is a header, not a record. */
export async function* csvAdapter(layout: CsvLayout, input: AsyncIterable<Uint8Array | string>, options: AdapterOptions): AsyncGenerator<AdaptedRecord> {
  const resolved = AdapterOptions.parse(options);
  const widths = Object.keys(layout.layouts).map(Number);
  const source = resolved.source ?? 'default';
  const fits = (text: string) => {
    const parsed = csvFields(text);
    return parsed.ok && widths.includes(parsed.fields.length);
  };
  for await (const record of rawRecords(input, { quoted: true, fits })) {
    const result = adaptRow(layout, record, resolved, widths);
    if (result === 'header') continue;
    yield { line: record.line, raw: record.text, ...(record.utf8 ? {} : { rawBase64: record.bytes.toString('base64') }), source, result };
  }
}

function adaptRow(layout: CsvLayout, record: RawRecord, options: ResolvedOptions, widths: number[]): ParsedCdr | 'header' {
  if (record.oversize !== undefined) return rejected(`longer than ${MAX_RECORD_BYTES} bytes (${record.oversize}); the first part is kept`);
  const parsed = csvFields(record.text);
  if (!parsed.ok) return rejected(parsed.reason);
  const names = layout.layouts[parsed.fields.length];
  if (!names) return rejected(`expected ${widths.join(' or ')} columns (${layout.name}), found ${parsed.fields.length}`);
  if (record.line === 1 && parsed.fields.every((f, i) => f.trim().toLowerCase() === names[i])) return 'header';
  return layout.toCdr(Object.fromEntries(names.map((n, i) => [n, parsed.fields[i]!])), options);
}
