// Property-based: whatever bytes a file holds (arbitrary bytes, truncated lines, wrong column counts, bad dates,
// huge fields, stray quotes, non-UTF-8), every adapter ends every record accepted or rejected with a reason, never
// throws, never drops a line silently, and reads the same records however the stream is chunked.
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCdrAllowingExtensions } from '../../lib/domain/cdr';
import { type AdaptedRecord, type AdapterOptions, FORMATS, type FormatName, adapt } from '../../lib/adapters/switch-files/index';

const OPTIONS: AdapterOptions = { source: 'prop', timezone: 'America/Chicago', country: 'US', account: 'acct-p', caller: '+13125550100', allowExtensions: true, rate: 7 };

const ASTERISK_ROW = '"","3125550100","6145550123","default","""A"" <3125550100>","SIP/a","SIP/b","Dial","SIP/b","2026-01-05 10:00:00","2026-01-05 10:00:02","2026-01-05 10:00:40",40,38,"ANSWERED","DOCUMENTATION","1767600000.1",""';
const FREESWITCH_ROW = 'Outbound Call,1002,&,default,2020/2/10 22:41,2020/2/10 22:41,2020/2/10 22:41,11,9,NORMAL_CLEARING,d80e22e0-4c15-11ea-97a0-9dd79410affb,,1002,PCMU,PCMU';
const JSON_ROW = JSON.stringify({ callId: 'c1', accountId: 'a', callingNumber: '3125550100', calledNumber: '+16145550123', startedAt: '2026-01-05 10:00:00', answeredAt: null, endedAt: '2026-01-05T10:00:09-06:00', disposition: 'NO_ANSWER', billedSeconds: 0, charge: { amountMinor: 0, currency: 'USD' } });

/** A line mutated the ways real files go wrong. */
const damagedLine = (row: string): fc.Arbitrary<string | Uint8Array> =>
  fc.oneof(
    fc.constant(row),
    fc.nat(row.length).map((n) => row.slice(0, n)), // truncated
    fc.tuple(fc.nat(row.length), fc.constantFrom('"', ',', '\r', '""', ',,,,')).map(([n, s]) => row.slice(0, n) + s + row.slice(n)), // stray quote, extra columns
    fc.nat(20).map((n) => row.split(',').slice(0, n).join(',')), // too few columns
    fc.constantFrom('2026-13-45 99:99:99', '2026-03-08 02:30:00', 'yesterday', '').map((d) => row.replace(/2026-01-05 10:00:0[02]|2020\/2\/10 22:41/, d)), // bad dates
    fc.constantFrom('x', 'é', '"').map((c) => row.replace(',', `,${c.repeat(70_000)}`)), // a huge field
    fc.tuple(fc.nat(row.length), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([n, bytes]) => Buffer.concat([Buffer.from(row.slice(0, n)), Buffer.from(bytes.map((b) => b | 0x80)), Buffer.from(row.slice(n))])), // not UTF-8
    fc.string({ maxLength: 200 }),
  );

const file = (row: string) =>
  fc
    .tuple(fc.array(damagedLine(row), { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
    .map(([lines, eol, trailing]) => Buffer.concat([...lines.flatMap((l, i) => [Buffer.from(l), ...(i < lines.length - 1 || trailing ? [Buffer.from(eol)] : [])])]));

const anyInput = fc.oneof(fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b)), file(ASTERISK_ROW), file(FREESWITCH_ROW), file(JSON_ROW));

/** Cuts a buffer into chunks at the given points, so records and characters straddle chunk edges. */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  return chunks.filter((c) => c.length > 0);
}

async function read(format: FormatName, chunks: Buffer[]): Promise<AdaptedRecord[]> {
  const out: AdaptedRecord[] = [];
  for await (const r of adapt(format, Readable.from(chunks), OPTIONS)) out.push(r);
  return out;
}

/** The lines a record must come from: every line with something on it (CRLF, a first-line BOM and blanks aside). */
function nonBlankLines(bytes: Buffer): number[] {
  const lines: number[] = [];
  let start = 0;
  for (let no = 1; start <= bytes.length; no++) {
    const nl = bytes.indexOf(0x0a, start);
    let line = bytes.subarray(start, nl === -1 ? bytes.length : nl);
    if (no === 1 && line.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))) line = line.subarray(3);
    if (!line.every((b) => b === 0x20 || b === 0x09 || b === 0x0d)) lines.push(no);
    if (nl === -1) break;
    start = nl + 1;
  }
  return lines;
}

describe('every adapter, on any input', () => {
  it.each(FORMATS)('%s: accepted or rejected with a reason, never a crash, never a silent drop, chunking changes nothing', async (format) => {
    await fc.assert(
      fc.asyncProperty(anyInput, fc.array(fc.nat(), { maxLength: 6 }), async (bytes, cuts) => {
        const records = await read(format, [bytes]);
        for (const r of records) {
          if (r.result.ok) expect(parseCdrAllowingExtensions(r.result.cdr).ok).toBe(true);
          else {
            expect(r.result.problems.length).toBeGreaterThan(0);
            for (const p of r.result.problems) expect(p.field.length * p.reason.length).toBeGreaterThan(0);
          }
          expect(r.raw.length + (r.rawBase64?.length ?? 0)).toBeGreaterThan(0);
        }
        // Each record covers the lines from its first to as many as its raw text has; together they cover every line.
        const covered = new Set(records.flatMap((r) => Array.from({ length: r.index === undefined ? r.raw.split('\n').length : 1 }, (_, i) => r.line + i)));
        for (const line of nonBlankLines(bytes)) expect(covered.has(line), `line ${line} lost`).toBe(true);
        expect(records.map((r) => r.line)).toEqual([...records.map((r) => r.line)].sort((a, b) => a - b));

        const again = await read(format, chunked(bytes, cuts));
        expect(again).toEqual(records);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
