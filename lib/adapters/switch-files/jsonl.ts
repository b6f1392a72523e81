// Canonical JSON lines: each line one CDR or an array of them. The records are canonical already, except for
// what the edge may fill in or normalise: a missing source or account from the operator, national numbers,
// zone-less times.
import { parseCdr, parseCdrAllowingExtensions } from '../../domain/cdr';
import { numberProblem, readNumber, readTime } from './normalise';
import { Problems } from './pbx';
import { MAX_RECORD_BYTES, rawRecords } from './records';
import { AdapterOptions, type AdaptedRecord, NO_SOURCE, type ResolvedOptions } from './types';

const E164 = /^\+[1-9]\d{7,14}$/;
const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/;

export async function* jsonl(input: AsyncIterable<Uint8Array | string>, options: AdapterOptions): AsyncGenerator<AdaptedRecord> {
  const resolved = AdapterOptions.parse(options);
  const fallbackSource = resolved.source ?? 'default';
  for await (const record of rawRecords(input, { quoted: false })) {
    const base = { line: record.line, raw: record.text, ...(record.utf8 ? {} : { rawBase64: record.bytes.toString('base64') }) };
    const reject = (reason: string): AdaptedRecord => ({ ...base, source: fallbackSource, result: { ok: false, problems: [{ field: '(record)', reason }] } });
    if (record.oversize !== undefined) {
      yield reject(`longer than ${MAX_RECORD_BYTES} bytes (${record.oversize}); the first part is kept`);
      continue;
    }
    if (!record.utf8) {
      yield reject('not valid UTF-8');
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(record.text);
    } catch {
      yield reject('not valid JSON');
      continue;
    }
    if (!Array.isArray(value)) {
      yield jsonRecord(value, base, resolved);
      continue;
    }
    if (value.length === 0) {
      yield reject('an empty array: no CDR in the line');
      continue;
    }
    for (const [index, element] of value.entries()) yield jsonRecord(element, { ...base, index, raw: JSON.stringify(element) }, resolved);
  }
}

/** One canonical record, with the edge's normalisation applied and then the canonical validation. */
export function jsonRecord(value: unknown, base: Omit<AdaptedRecord, 'source' | 'result'>, options: ResolvedOptions): AdaptedRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ...base, source: options.source ?? 'default', result: { ok: false, problems: [{ field: '(record)', reason: 'not a JSON object' }] } };
  }
  const problems = new Problems();
  const cdr: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  cdr.source ??= options.source;
  if (cdr.source === undefined || cdr.source === null) problems.add('source', 'source', NO_SOURCE.record);
  if (cdr.accountId === undefined && options.account) cdr.accountId = options.account;
  for (const field of ['callingNumber', 'calledNumber'] as const) {
    const text = cdr[field];
    if (typeof text !== 'string' || E164.test(text)) continue;
    const reading = readNumber(text, options.country, options.areaCode);
    if (reading.kind === 'e164') cdr[field] = reading.value;
    else if (!(reading.kind === 'extension' && field === 'calledNumber' && options.allowExtensions)) problems.add(field, field, numberProblem(reading, options.country, options.areaCode));
  }
  for (const field of ['startedAt', 'answeredAt', 'endedAt'] as const) {
    const text = cdr[field];
    if (typeof text !== 'string' || OFFSET.test(text)) continue;
    const time = readTime(text, options.timezone);
    if (time.ok) cdr[field] = time.iso;
    else problems.add(field, field, time.reason);
  }
  const result = problems.merge((options.allowExtensions ? parseCdrAllowingExtensions : parseCdr)(cdr));
  return { ...base, source: typeof cdr.source === 'string' && cdr.source !== '' ? cdr.source.slice(0, 128) : 'default', result };
}
