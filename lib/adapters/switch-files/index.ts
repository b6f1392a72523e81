// The format adapters: pure streaming transforms from a file's bytes to records, each the canonical CDR or every
// failing field with its reason. They do no I/O of their own, so the CLI, the replay and the tests share them.
import { Readable } from 'node:stream';
import { asterisk } from './asterisk';
import { csvFields } from './csv';
import { freeswitch } from './freeswitch';
import { jsonl } from './jsonl';
import type { AdaptedRecord, AdapterOptions, FormatName } from './types';

export * from './types';

export type Adapter = (input: AsyncIterable<Uint8Array | string>, options: AdapterOptions) => AsyncGenerator<AdaptedRecord>;

export const ADAPTERS: Record<FormatName, Adapter> = { jsonl, asterisk, freeswitch };

export const adapt = (format: FormatName, input: AsyncIterable<Uint8Array | string>, options: AdapterOptions = {}) => ADAPTERS[format](input, options);

/** Re-runs an adapter over one stored record's text (a replay): the records it yields, usually one. */
export async function adaptText(format: FormatName, raw: string | Buffer, options: AdapterOptions = {}): Promise<AdaptedRecord[]> {
  const records: AdaptedRecord[] = [];
  for await (const record of adapt(format, Readable.from([Buffer.from(raw)]), options)) records.push(record);
  return records;
}

/** The format of a file from its first non-blank line: JSON, or a CSV whose width names the switch. */
export function detectFormat(head: string): FormatName | undefined {
  const line = head.replace(/^\uFEFF/, '').split('\n').find((l) => l.trim() !== '');
  if (line === undefined) return undefined;
  if (/^\s*[[{]/.test(line)) return 'jsonl';
  const parsed = csvFields(line.replace(/\r$/, ''));
  if (!parsed.ok) return undefined;
  if (parsed.fields.length === 18 || parsed.fields.length === 21) return 'asterisk';
  if (parsed.fields.length === 15) return 'freeswitch';
  return undefined;
}
