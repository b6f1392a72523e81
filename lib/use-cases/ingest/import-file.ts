// Sending files to the ingest queue. A file is streamed through its format adapter into run envelopes (records
// with file, line and run id; the edge's rejects travel with their problems), batched into SQS requests with a
// bounded number in flight: reading waits for sending, so memory stays flat whatever the file's size.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { ulid } from 'ulid';
import { NotFoundError, ValidationError } from '../../domain/errors';
import { enqueueBatch } from '../../adapters/queues';
import { type Reject, type RejectFilter, type RunCounts, getReject, getRun, markReplayed, rejects, updateProblems } from '../../adapters/reject-store';
import type { FieldProblem } from '../../domain/cdr';
import type { EnvelopeRecord } from '../../adapters/switch-files/envelope';
import { type AdaptedRecord, type AdapterOptions, FORMATS, type FormatName, NO_SOURCE, adapt, adaptText, detectFormat } from '../../adapters/switch-files/index';

export const RECORDS_PER_MESSAGE = 100;
/** SQS takes 1 MiB per message and per SendMessageBatch request; stay under both with room to spare. */
const MESSAGE_MAX_BYTES = 256 * 1024;
const REQUEST_MAX_BYTES = 900 * 1024;
export const REQUESTS_IN_FLIGHT = 4;

export type SendBodies = (bodies: string[]) => Promise<void>;
const sqsSend: SendBodies = (bodies) => enqueueBatch('cdrIngest', bodies);

/** Bodies into SendMessageBatch requests (10 bodies or REQUEST_MAX_BYTES), at most REQUESTS_IN_FLIGHT at once. */
export class BodySender {
  private bodies: string[] = [];
  private bytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  /** The first send that failed, boxed so that what it threw is rethrown as it was. */
  private failure: { error: unknown } | undefined;
  messages = 0;

  constructor(private readonly send: SendBodies = sqsSend) {}

  async add(body: string): Promise<void> {
    const size = Buffer.byteLength(body);
    if (this.bodies.length === 10 || (this.bodies.length > 0 && this.bytes + size > REQUEST_MAX_BYTES)) await this.dispatch();
    this.bodies.push(body);
    this.bytes += size;
    this.messages++;
  }

  private async dispatch(): Promise<void> {
    if (this.failure) throw this.failure.error;
    const bodies = this.bodies;
    [this.bodies, this.bytes] = [[], 0];
    if (bodies.length === 0) return;
    const sending: Promise<void> = this.send(bodies)
      .catch((error) => {
        this.failure ??= { error };
      })
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
    // Backpressure: the caller (and so the file read) waits while the queue takes what is already on its way.
    while (this.inFlight.size >= REQUESTS_IN_FLIGHT) await Promise.race(this.inFlight);
  }

  async flush(): Promise<void> {
    await this.dispatch();
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure.error;
  }
}

export interface RunHeader {
  ingestRun: string;
  file: string;
  format: FormatName;
  options: AdapterOptions;
}

/** Records into envelope bodies of up to RECORDS_PER_MESSAGE records and MESSAGE_MAX_BYTES, numbered in the run. */
export class EnvelopeWriter {
  private parts: string[] = [];
  private bytes = 0;
  private seq = 0;

  constructor(
    private readonly sender: BodySender,
    private header: RunHeader,
  ) {}

  /** Later envelopes carry this header (a replay sends each reject with its own file, format and options). */
  async setHeader(header: RunHeader): Promise<void> {
    if (JSON.stringify(header) === JSON.stringify(this.header)) return;
    await this.flush();
    this.header = header;
  }

  async add(record: EnvelopeRecord): Promise<void> {
    const part = JSON.stringify(record);
    const size = Buffer.byteLength(part) + 1;
    if (this.parts.length === RECORDS_PER_MESSAGE || (this.parts.length > 0 && this.bytes + size > MESSAGE_MAX_BYTES - 2048)) await this.flush();
    this.parts.push(part);
    this.bytes += size;
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const { ingestRun, file, format, options } = this.header;
    const head = JSON.stringify({ ingestRun, seq: this.seq++, file, format, options });
    const body = `${head.slice(0, -1)},"records":[${this.parts.join(',')}]}`;
    [this.parts, this.bytes] = [[], 0];
    await this.sender.add(body);
  }
}

export const envelopeRecord = (r: AdaptedRecord): EnvelopeRecord => {
  const at = { line: r.line, ...(r.index === undefined ? {} : { index: r.index }), raw: r.raw, ...(r.rawBase64 ? { rawBase64: r.rawBase64 } : {}) };
  return r.result.ok ? { ...at, cdr: r.result.cdr } : { ...at, source: r.source, problems: r.result.problems };
};

/** The format named by a file's first bytes, or undefined when they say nothing clear. */
export async function detectFileFormat(path: string): Promise<FormatName | undefined> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return detectFormat(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

export interface SendProgress {
  records: number;
  rejectedAtEdge: number;
  bytesRead: number;
}

export interface SentFile {
  ingestRun: string;
  file: string;
  format: FormatName;
  /** The operator's --source; undefined when every record (JSON lines) names its own. */
  source?: string;
  /** Records read from the file: what the run's counters must add up to. */
  records: number;
  rejectedAtEdge: number;
  messages: number;
}

/** The line of the first record of a JSON lines file that names no source, or undefined when every record names one. */
async function firstLineWithoutSource(path: string): Promise<number | undefined> {
  for await (const record of adapt('jsonl', createReadStream(path, { highWaterMark: 64 * 1024 }), {})) {
    if (!record.result.ok && record.result.problems.some((p) => p.field === 'source' && p.reason === NO_SOURCE.record)) return record.line;
  }
  return undefined;
}

/**
 * Refuses a file whose records would have no source, before anything is sent: deduplication is per source + call
 * id, so calls stored under a made-up source would be stored again under the real one by the next import. A PBX
 * file never names its source; a JSON lines file may, in every record (read once more to make sure).
 */
async function requireSource(path: string, format: FormatName, adapter: AdapterOptions): Promise<void> {
  if (adapter.source !== undefined) return;
  const why = 'deduplication is per source + call id: give the same --source every time this switch or feed is imported';
  if (format !== 'jsonl') throw new ValidationError('--source', `${basename(path)} (${format}) names no source: give --source, the switch or feed these calls come from (${why})`);
  const line = await firstLineWithoutSource(path);
  if (line !== undefined) throw new ValidationError('--source', `${basename(path)}: the record on line ${line} names no source: give --source, the switch or feed these calls come from, or a source in every record (${why})`);
}

/**
 * Streams a file through its adapter to the ingest queue, tagged as one run. A file whose records would have no
 * source (no `adapter.source`, and not JSON lines whose every record names one) is refused: ValidationError on
 * `--source`, nothing sent.
 */
export async function sendFile(
  path: string,
  options: { format?: FormatName; adapter?: AdapterOptions; ingestRun?: string; onProgress?: (p: SendProgress) => void; send?: SendBodies } = {},
): Promise<SentFile> {
  const adapter = options.adapter ?? {};
  // A column mapping names Asterisk fields: such a file has no width to be told by.
  const format = options.format ?? (adapter.columns ? 'asterisk' : await detectFileFormat(path));
  if (!format) throw new ValidationError('format', `cannot tell the format of ${path}: name it with --format jsonl|asterisk|freeswitch, or give an Asterisk file's columns with --columns or --columns-file`);
  for (const [option, given] of [['--columns', adapter.columns !== undefined], ['--count-forked-once', adapter.countForkedOnce === true]] as const) {
    if (given && format !== 'asterisk') throw new ValidationError(option, `${option} applies to Asterisk files; ${basename(path)} is ${format}`);
  }
  await requireSource(path, format, adapter);
  const header: RunHeader = { ingestRun: options.ingestRun ?? ulid(), file: basename(path), format, options: adapter };
  const sender = new BodySender(options.send);
  const writer = new EnvelopeWriter(sender, header);
  const input = createReadStream(path, { highWaterMark: 64 * 1024 });
  const progress: SendProgress = { records: 0, rejectedAtEdge: 0, bytesRead: 0 };
  for await (const record of adapt(format, input, header.options)) {
    await writer.add(envelopeRecord(record));
    progress.records++;
    if (!record.result.ok) progress.rejectedAtEdge++;
    if (options.onProgress && progress.records % 500 === 0) options.onProgress({ ...progress, bytesRead: input.bytesRead });
  }
  await writer.flush();
  await sender.flush();
  options.onProgress?.({ ...progress, bytesRead: input.bytesRead });
  return { ingestRun: header.ingestRun, file: header.file, format, source: header.options.source, records: progress.records, rejectedAtEdge: progress.rejectedAtEdge, messages: sender.messages };
}

export type RunSummary = RunCounts & { total: number; complete: boolean };

/**
 * Waits until the pipeline has counted `expected` records for the run. Gives up when the counters have not moved
 * for `stallSeconds` (nothing is polling the queue, or it is stuck) and says so with `complete: false`.
 */
export async function waitForRun(ingestRun: string, expected: number, options: { stallSeconds?: number; pollMs?: number; onProgress?: (counted: number) => void } = {}): Promise<RunSummary> {
  const stallMs = (options.stallSeconds ?? 60) * 1000;
  let last = -1;
  let movedAt = Date.now();
  for (;;) {
    const run = await getRun(ingestRun);
    options.onProgress?.(run.total);
    if (run.total >= expected) return { ...run, complete: true };
    if (run.total !== last) [last, movedAt] = [run.total, Date.now()];
    else if (Date.now() - movedAt > stallMs) return { ...run, complete: false };
    await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
  }
}

// Plain canonical records, sent as JSON arrays without a run: what the demo, the tests and the benchmark use.

export async function* cdrLines(path: string): AsyncGenerator<{ line: number; record: unknown }> {
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      // Sent as text: the ingest handler rejects it with its reason and keeps it, so nothing is lost.
      record = text;
    }
    yield { line, record };
  }
}

export async function readCdrLines(path: string): Promise<unknown[]> {
  const records: unknown[] = [];
  for await (const { record } of cdrLines(path)) records.push(record);
  return records;
}

/** Sends records as JSON arrays of RECORDS_PER_MESSAGE, ten messages per request. Returns how many were sent. */
export async function sendCdrs(records: Iterable<unknown> | AsyncIterable<unknown>, onProgress?: (sent: number) => void): Promise<number> {
  let sent = 0;
  let message: unknown[] = [];
  let bodies: string[] = [];
  const flushBodies = async () => {
    if (bodies.length > 0) await enqueueBatch('cdrIngest', bodies);
    bodies = [];
    onProgress?.(sent);
  };
  for await (const record of records) {
    message.push(record);
    sent++;
    if (message.length === RECORDS_PER_MESSAGE) {
      bodies.push(JSON.stringify(message));
      message = [];
      if (bodies.length === 10) await flushBodies();
    }
  }
  if (message.length > 0) bodies.push(JSON.stringify(message));
  await flushBodies();
  return sent;
}

// Replay: a kept reject re-read by the adapter that read it (fixed since, or with corrected options or text) and,
// when it now passes, sent through the normal ingest path as a run of its own.

export interface ReplayOutcome {
  ingestRun: string;
  /** Records sent to the queue: what the run's counters must add up to. */
  records: number;
  replayed: string[];
  stillRejected: { rejectId: string; problems: FieldProblem[] }[];
  skipped: { rejectId: string; why: string }[];
}

export async function replayRejects(
  selection: { ids: string[] } | { filter: RejectFilter },
  options: { overrides?: AdapterOptions; correctedRaw?: string; send?: SendBodies; now?: Date } = {},
): Promise<ReplayOutcome> {
  const outcome: ReplayOutcome = { ingestRun: ulid(), records: 0, replayed: [], stillRejected: [], skipped: [] };
  const sender = new BodySender(options.send);
  const writer = new EnvelopeWriter(sender, { ingestRun: outcome.ingestRun, file: '', format: 'jsonl', options: {} });
  const selected = 'ids' in selection ? fetchRejects(selection.ids) : rejects(selection.filter);
  // Replayed in the order they first arrived (ids are content hashes, so the store's order is arbitrary): of two
  // records with the same key, the earlier is stored again and the later is the conflict, as at first.
  const inArrivalOrder: Reject[] = [];
  for await (const reject of selected) inArrivalOrder.push(reject);
  // A file's records by run (ULIDs sort by time), then line; records sent through SQS by when they came.
  const at = (r: Reject, key: string) => Number(r.origin[key] ?? 0);
  inArrivalOrder.sort((a, b) => String(a.origin.ingestRun ?? '').localeCompare(String(b.origin.ingestRun ?? '')) || at(a, 'line') - at(b, 'line') || at(a, 'index') - at(b, 'index') || a.receivedAt.localeCompare(b.receivedAt));
  for (const reject of inArrivalOrder) {
    if (reject.kind === 'CONFLICT') {
      outcome.skipped.push({ rejectId: reject.rejectId, why: 'a conflict is kept for review: replaying it would conflict again' });
      continue;
    }
    if (reject.status === 'REPLAYED') {
      outcome.skipped.push({ rejectId: reject.rejectId, why: `already replayed in run ${reject.replayRun}` });
      continue;
    }
    if (reject.status !== undefined && reject.status !== 'OPEN') {
      outcome.skipped.push({ rejectId: reject.rejectId, why: `already ${reject.status}${reject.resolution ? ` by ${reject.resolution.by}` : ''}` });
      continue;
    }
    if (options.correctedRaw === undefined && reject.truncated?.includes('raw')) {
      outcome.skipped.push({ rejectId: reject.rejectId, why: `only the first ${reject.raw.length} characters of its ${reject.rawBytes} bytes were kept: replay it with --raw TEXT` });
      continue;
    }
    const format = FORMATS.includes(reject.format as FormatName) ? (reject.format as FormatName) : 'jsonl';
    const adapterOptions: AdapterOptions = { ...(reject.options ?? {}), ...options.overrides };
    const text = options.correctedRaw ?? (reject.rawBase64 ? Buffer.from(reject.rawBase64, 'base64') : reject.raw);
    const records = await adaptText(format, text, adapterOptions);
    const failed = records.find((r) => !r.result.ok);
    if (records.length === 0 || failed) {
      const problems = failed && !failed.result.ok ? failed.result.problems : [{ field: '(record)', reason: 'no record in the text' }];
      await updateProblems(reject.rejectId, problems);
      outcome.stillRejected.push({ rejectId: reject.rejectId, problems });
      continue;
    }
    const line = typeof reject.origin.line === 'number' ? reject.origin.line : 1;
    const file = typeof reject.origin.file === 'string' ? reject.origin.file : `reject ${reject.rejectId}`;
    await writer.setHeader({ ingestRun: outcome.ingestRun, file, format, options: adapterOptions });
    for (const record of records) await writer.add(envelopeRecord({ ...record, line }));
    outcome.records += records.length;
    outcome.replayed.push(reject.rejectId);
  }
  await writer.flush();
  await sender.flush();
  // Marked only once sent: a replay that failed half-way is simply run again (what was sent comes back a duplicate).
  for (const rejectId of outcome.replayed) await markReplayed(rejectId, outcome.ingestRun, options.correctedRaw, options.now);
  return outcome;
}

async function* fetchRejects(ids: string[]): AsyncGenerator<Reject> {
  for (const id of ids) {
    const reject = await getReject(id);
    if (!reject) throw new NotFoundError(`no reject ${id}`);
    yield reject;
  }
}
