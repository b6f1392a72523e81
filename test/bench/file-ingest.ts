// File-ingest benchmark: switch files (Asterisk cdr_csv and canonical JSON lines) through `disputes ingest`'s code
// path on the local emulators.
//  1. End to end: read → adapt → SQS → ingest handler (one local poller, as `npm start` runs it) → DynamoDB Local,
//     until the run's counters say every record is stored: records per second.
//  2. Memory: the ingesting process alone (read → adapt → batch → SendMessageBatch to the SQS emulator), in a child
//     process, for 1,000 lines and for BENCH_FILE_LINES lines: peak RSS and live heap after a full GC, first with
//     V8's default heap sizing (which collects lazily, so RSS follows V8's appetite), then with the same small heap
//     budget for both sizes: the large file completing in the budget of the small one is what "needs no more" means.
//   BENCH_FILE_RECORDS (10000)  BENCH_FILE_LINES (1000000)  BENCH_FILE_HEAP_MB (64)
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { newSqsClient } from '../../lib/adapters/aws';
import { QUEUES } from '../../lib/adapters/resources';
import type { AdapterOptions } from '../../lib/adapters/switch-files/index';
import { localAwsEnv, startEmulators } from '../../infra/local/emulators';
import { REQUESTS_IN_FLIGHT, sendFile, waitForRun } from '../../lib/use-cases/ingest/import-file';
import { provision } from '../../infra/local/provision';
import { provisionLocalStack } from '../../infra/local/stack';
import { intEnv } from './options';

const E2E_RECORDS = intEnv('BENCH_FILE_RECORDS', 10_000);
const LARGE_LINES = intEnv('BENCH_FILE_LINES', 1_000_000);
const HEAP_MB = intEnv('BENCH_FILE_HEAP_MB', 64);
const SMALL_LINES = 1_000;

const OPTIONS: Record<'asterisk' | 'jsonl', AdapterOptions> = {
  asterisk: { source: 'bench-asterisk', country: 'US', timezone: 'America/Chicago', accountColumn: 'accountcode', rate: 2, increment: { minimumSeconds: 6, incrementSeconds: 6 } },
  jsonl: { source: 'bench-jsonl' },
};
type BenchFormat = keyof typeof OPTIONS;

const pad = (n: number) => String(n).padStart(2, '0');
const DESTINATIONS = Array.from({ length: 500 }, (_, i) => `614555${String(1000 + i).padStart(4, '0')}`);

/** One call of a generated day: varied destinations, times, answered and failed attempts. */
function call(i: number) {
  const second = Math.floor((i * 86_400) / 1_000_003) % 86_400; // spread over a day whatever the count
  const [h, m, s] = [Math.floor(second / 3600), Math.floor(second / 60) % 60, second % 60];
  const answered = i % 10 < 6;
  const tta = 2 + (i % 7);
  const talk = answered ? 5 + ((i * 37) % 600) : 0;
  return { i, at: `2026-02-10 ${pad(h)}:${pad(m)}:${pad(s)}`, dst: DESTINATIONS[i % DESTINATIONS.length]!, account: `acct-${i % 2000}`, answered, tta, talk };
}

const plus = (at: string, seconds: number) => {
  const d = new Date(`${at.replace(' ', 'T')}Z`);
  d.setUTCSeconds(d.getUTCSeconds() + seconds);
  return d.toISOString().slice(0, 19).replace('T', ' ');
};

function asteriskLine(i: number): string {
  const c = call(i);
  const end = plus(c.at, c.tta + c.talk);
  const answer = c.answered ? plus(c.at, c.tta) : '';
  const disposition = c.answered ? 'ANSWERED' : ['NO ANSWER', 'BUSY', 'FAILED', 'CONGESTION'][i % 4];
  return `"${c.account}","3125550100","${c.dst}","from-internal","""Caller"" <3125550100>","PJSIP/100-${i}","PJSIP/trunk-${i}","Dial","PJSIP/trunk/${c.dst},60","${c.at}","${answer}","${end}",${c.tta + c.talk},${c.talk},"${disposition}","DOCUMENTATION","1770700000.${i}","",""`.replace(/,""$/, '');
}

function jsonLine(i: number): string {
  const c = call(i);
  const iso = (at: string) => `${at.replace(' ', 'T')}-06:00`;
  return JSON.stringify({
    callId: `bench-${i}`,
    source: 'bench-jsonl',
    accountId: c.account,
    callingNumber: '+13125550100',
    calledNumber: `+1${c.dst}`,
    startedAt: iso(c.at),
    answeredAt: c.answered ? iso(plus(c.at, c.tta)) : null,
    endedAt: iso(plus(c.at, c.tta + c.talk)),
    disposition: c.answered ? 'ANSWERED' : 'NO_ANSWER',
    releaseCause: c.answered ? 16 : 19,
    billedSeconds: c.talk,
    charge: { amountMinor: Math.ceil(c.talk / 30), currency: 'USD' },
  });
}

async function writeFile(path: string, lines: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < lines; i++) if (!out.write(`${line(i)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** The child: what `disputes ingest` does up to the queue, then its memory figures. */
async function child(format: BenchFormat, path: string): Promise<void> {
  const t = performance.now();
  const sent = await sendFile(path, { format, adapter: OPTIONS[format] });
  const seconds = (performance.now() - t) / 1000;
  (globalThis as { gc?: () => void }).gc?.();
  console.log(JSON.stringify({ records: sent.records, rejected: sent.rejectedAtEdge, seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), liveHeapMb: Math.round(process.memoryUsage().heapUsed / 1048576) }));
}

const run = promisify(execFile);
const THIS_FILE = fileURLToPath(import.meta.url);

async function measure(format: BenchFormat, path: string, env: Record<string, string>, heapMb?: number) {
  const args = [...(heapMb ? [`--max-old-space-size=${heapMb}`] : []), '--expose-gc', '--import', 'tsx', THIS_FILE, '--child', format, path];
  const { stdout } = await run(process.execPath, args, { env: { ...process.env, ...env }, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { records: number; rejected: number; seconds: number; peakRssMb: number; liveHeapMb: number };
}

async function main(): Promise<boolean> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const dir = mkdtempSync(join(tmpdir(), 'bench-file-'));
  const emulators = await startEmulators();
  let ok = true;
  try {
    const stack = await provisionLocalStack(emulators, 'bench-file-');
    const lineOf = { asterisk: asteriskLine, jsonl: jsonLine };

    console.log(`file ingest end to end (read → adapt → SQS → ingest handler, one poller → DynamoDB Local), ${E2E_RECORDS} records per file:`);
    const pollers = stack.startPollers();
    try {
      for (const format of ['asterisk', 'jsonl'] as const) {
        const path = join(dir, `e2e.${format}`);
        await writeFile(path, E2E_RECORDS, lineOf[format]);
        const t = performance.now();
        const sent = await sendFile(path, { format, adapter: OPTIONS[format] });
        const sentSeconds = (performance.now() - t) / 1000;
        const summary = await waitForRun(sent.ingestRun, sent.records, { pollMs: 100, stallSeconds: 120 });
        const seconds = (performance.now() - t) / 1000;
        const good = summary.complete && summary.accepted === E2E_RECORDS;
        ok &&= good;
        console.log(`  ${format.padEnd(8)} ${Math.round(E2E_RECORDS / seconds)} records/s end to end (${seconds.toFixed(1)} s; the file read and sent in ${sentSeconds.toFixed(1)} s) accepted ${summary.accepted}, duplicates ${summary.duplicates}, conflicts ${summary.conflicts}, rejected ${summary.rejected}${good ? '' : '  MISMATCH'}`);
      }
    } finally {
      await Promise.all(pollers.map((p) => p.stop()));
    }

    // The memory runs send to a queue of their own, emptied after each run; nothing consumes it.
    const memory = await provision({ prefix: 'bench-file-mem-' });
    const childEnv = { ...localAwsEnv(emulators), ...memory, POWERTOOLS_LOG_LEVEL: 'SILENT' };
    const purge = () => newSqsClient().send(new PurgeQueueCommand({ QueueUrl: memory[QUEUES.cdrIngest.env] }));
    console.log(`memory of the ingesting process (read → adapt → batch → SendMessageBatch to the SQS emulator, at most ${REQUESTS_IN_FLIGHT} requests in flight):`);
    for (const format of ['asterisk', 'jsonl'] as const) {
      const sizes = [...new Set([SMALL_LINES, Math.min(100_000, LARGE_LINES), LARGE_LINES])];
      const files = new Map<number, string>();
      for (const lines of sizes) {
        files.set(lines, join(dir, `${lines}.${format}`));
        await writeFile(files.get(lines)!, lines, lineOf[format]);
      }
      for (const [heap, measured] of [[HEAP_MB, sizes], [undefined, [SMALL_LINES, LARGE_LINES]]] as const) {
        const results = [];
        for (const lines of measured) {
          const result = await measure(format, files.get(lines)!, childEnv, heap);
          await purge();
          ok &&= result.records === lines && result.rejected === 0;
          results.push({ lines, ...result });
        }
        const largest = results.at(-1)!;
        const budget = heap ? `heap budget ${heap} MB:` : 'default heap:';
        console.log(
          `  ${format.padEnd(8)} ${budget.padEnd(20)} peak RSS ${results.map((r) => `${r.peakRssMb} MB at ${r.lines.toLocaleString('en-US')} lines`).join(', ')} (${Math.round(largest.records / largest.seconds)} records/s); live heap after a full GC ${results.map((r) => r.liveHeapMb).join(' / ')} MB`,
        );
      }
      for (const path of files.values()) rmSync(path);
    }
  } finally {
    await emulators.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return ok;
}

if (process.argv[2] === '--child') {
  child(process.argv[3] as BenchFormat, process.argv[4]!).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().then(
    (ok) => process.exit(ok ? 0 : 1),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
