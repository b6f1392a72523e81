// Cuts a byte stream into records with their line numbers, in constant memory whatever the input: a record is one
// line, or for CSV the lines a quoted field spans. Framing here (not in the CSV parser) is what keeps one bad quote
// from swallowing the rest of a file: csv-parse, given the whole stream, reads everything after a stray quote as
// one field, and its skip-on-error mode drops that record silently. csv-parse still parses every framed record.

/**
 * Longer records are rejected, and only their first MAX_KEPT_RAW bytes kept. A switch writes a few hundred bytes
 * a call; the cap keeps any record, escaped into JSON with its problems, well inside one SQS message and one
 * DynamoDB item.
 */
export const MAX_RECORD_BYTES = 16 * 1024;
export const MAX_KEPT_RAW = 4 * 1024;
/** A quoted field still open after this many lines is taken for a missing quote rather than a multi-line field. */
export const MAX_RECORD_LINES = 20;

export interface RawRecord {
  /** First physical line, from 1. */
  line: number;
  text: string;
  /** False when the bytes are not valid UTF-8 (`text` then has U+FFFD where they were). */
  utf8: boolean;
  bytes: Buffer;
  /** Set for a record longer than MAX_RECORD_BYTES: its full length; `text` is then its first MAX_KEPT_RAW bytes. */
  oversize?: number;
}

interface Line {
  no: number;
  bytes: Buffer;
  oversize?: number;
}

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NEWLINE = Buffer.from('\n');

function record(line: number, bytes: Buffer, oversize?: number): RawRecord {
  const kept = oversize === undefined ? bytes : bytes.subarray(0, MAX_KEPT_RAW);
  try {
    return { line, text: strict.decode(kept), utf8: true, bytes: kept, oversize };
  } catch {
    return { line, text: lenient.decode(kept), utf8: false, bytes: kept, oversize };
  }
}

const isBlank = (bytes: Buffer) => bytes.every((b) => b === 0x20 || b === 0x09 || b === 0x0d);

function quotes(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(0x22); i !== -1; i = bytes.indexOf(0x22, i + 1)) n++;
  return n;
}

/** Physical lines (LF or CRLF), each cut at MAX_RECORD_BYTES; memory stays bounded by that, not by the line. */
async function* lines(input: AsyncIterable<Uint8Array | string>): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let kept = 0;
  let total = 0;
  let no = 0;
  const append = (piece: Buffer) => {
    total += piece.length;
    const room = MAX_RECORD_BYTES + 1 - kept; // one byte over the limit tells an oversize line from a full one
    if (room > 0 && piece.length > 0) {
      const taken = piece.length > room ? piece.subarray(0, room) : piece;
      parts.push(Buffer.from(taken)); // a copy: a slice would pin the whole read chunk
      kept += taken.length;
    }
  };
  const finish = (): Line => {
    no++;
    let bytes = Buffer.concat(parts, kept);
    if (no === 1 && bytes.subarray(0, 3).equals(BOM)) bytes = bytes.subarray(3);
    if (bytes.at(-1) === 0x0d) bytes = bytes.subarray(0, -1);
    const line: Line = total > MAX_RECORD_BYTES ? { no, bytes, oversize: total } : { no, bytes };
    [parts, kept, total] = [[], 0, 0];
    return line;
  };
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      append(buf.subarray(start, nl));
      yield finish();
      start = nl + 1;
    }
    append(buf.subarray(start));
  }
  if (total > 0) yield finish();
}

/**
 * Records of a line-based file. With `quoted` (CSV), a line that leaves a quote open continues on the next, up to
 * MAX_RECORD_LINES and as long as the joined lines `fit` the format; otherwise the first line alone is given out
 * (the parser rejects its open quote) and the lines after it are framed again, so a stray quote costs one line.
 * Blank lines are not records.
 */
export async function* rawRecords(input: AsyncIterable<Uint8Array | string>, options: { quoted: boolean; fits?: (text: string) => boolean }): AsyncGenerator<RawRecord> {
  const pending: Line[] = [];

  // Frames `pending`: yields what is complete and keeps an open record for the next line.
  function* frame(force: boolean): Generator<RawRecord> {
    while (pending.length > 0) {
      const first = pending[0]!;
      if (first.oversize !== undefined || isBlank(first.bytes)) {
        pending.shift();
        if (first.oversize !== undefined) yield record(first.no, first.bytes, first.oversize);
        continue;
      }
      if (!options.quoted) {
        pending.shift();
        yield record(first.no, first.bytes);
        continue;
      }
      let open = false;
      let size = 0;
      let end = -1;
      for (let i = 0; i < pending.length; i++) {
        const line = pending[i]!;
        if (i > 0 && line.oversize !== undefined) break;
        size += line.bytes.length + 1;
        open = quotes(line.bytes) % 2 === 1 ? !open : open;
        if (!open) {
          end = i;
          break;
        }
      }
      if (end === 0) {
        pending.shift();
        yield record(first.no, first.bytes);
        continue;
      }
      if (end > 0) {
        const joined = Buffer.concat(pending.slice(0, end + 1).flatMap((l, i) => (i === 0 ? [l.bytes] : [NEWLINE, l.bytes])));
        // Lines joined by a quote must make a record of the format's shape: two damaged lines whose stray quotes
        // pair up are two bad records, not one that swallows the good lines between them.
        const framed = record(first.no, joined);
        if (!options.fits || options.fits(framed.text)) {
          pending.splice(0, end + 1);
          yield framed;
          continue;
        }
        pending.shift();
        yield record(first.no, first.bytes);
        continue;
      }
      const blocked = pending.some((l, i) => i > 0 && l.oversize !== undefined);
      if (force || blocked || pending.length >= MAX_RECORD_LINES || size > MAX_RECORD_BYTES) {
        pending.shift();
        yield record(first.no, first.bytes);
        continue;
      }
      return; // an open quoted field: wait for more lines
    }
  }

  for await (const line of lines(input)) {
    pending.push(line);
    yield* frame(false);
  }
  yield* frame(true);
}
