// Ingest benchmark: a realistic day of CDRs through SQS into the real ingest handler on the local emulators.
// Reports throughput and DynamoDB write units per CDR, checks that the statistics count every CDR exactly once,
// and that redelivered messages do not count twice.
//   BENCH_CDRS (100000)  BENCH_PER_MESSAGE (100)  BENCH_BATCH_MESSAGES (100, the deployed event source's batchSize)
import { performance } from 'node:perf_hooks';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { consumedWriteUnits, documentClient } from '../../lib/adapters/aws';
import { enqueueBatch } from '../../lib/adapters/queues';
import { TABLES } from '../../lib/adapters/resources';
import { type Cdr, parseCdr } from '../../lib/domain/cdr';
import { type ConnectCounters, bucketize, emptyCounters, sumCounters } from '../../lib/domain/stats';
import { startEmulators } from '../../lib/local/emulators';
import { provisionLocalStack } from '../../lib/local/stack';
import { generateDay } from './traffic';

const intEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
};
const CDRS = intEnv('BENCH_CDRS', 100_000);
const PER_MESSAGE = intEnv('BENCH_PER_MESSAGE', 100);
const BATCH_MESSAGES = intEnv('BENCH_BATCH_MESSAGES', 100);
const SQS_BATCH_BYTES = 1_048_576;

const seconds = (since: number) => (performance.now() - since) / 1000;
const round = (n: number, digits = 3) => Number(n.toFixed(digits));

/** Sends bodies 10 to a SendMessageBatch, fewer when 10 would exceed the batch's 1 MiB. */
async function send(bodies: string[]): Promise<void> {
  let chunk: string[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = Buffer.byteLength(body);
    if (chunk.length === 10 || (chunk.length > 0 && bytes + size > SQS_BATCH_BYTES)) {
      await enqueueBatch('cdrIngest', chunk);
      [chunk, bytes] = [[], 0];
    }
    chunk.push(body);
    bytes += size;
  }
  if (chunk.length > 0) await enqueueBatch('cdrIngest', chunk);
}

/** Every ConnectStats item, summed: the query-free correctness check. */
async function statsTotals(table: string): Promise<{ buckets: number; totals: ConnectCounters }> {
  const all: ConnectCounters[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    for (const item of page.Items ?? []) {
      const c = emptyCounters();
      for (const key of Object.keys(c) as (keyof ConnectCounters)[]) if (key !== 'ttaHistogram') c[key] = Number(item[key] ?? 0);
      c.ttaHistogram = c.ttaHistogram.map((_, i) => Number(item[`tta${i}`] ?? 0));
      all.push(c);
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return { buckets: all.length, totals: sumCounters(all) };
}

const units = (table: string) => consumedWriteUnits.get(table) ?? 0;

async function main(): Promise<boolean> {
  // Before provisioning: the handlers' logger is created when provisionLocalStack imports them.
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const emulators = await startEmulators();
  try {
    const stack = await provisionLocalStack(emulators, 'bench-');
    const table = (key: keyof typeof TABLES) => stack.env[TABLES[key].env]!;

    let t = performance.now();
    const cdrs = generateDay({ cdrs: CDRS });
    const generateSeconds = seconds(t);
    t = performance.now();
    const parsed: Cdr[] = cdrs.map((raw, i) => {
      const p = parseCdr(raw);
      if (!p.ok) throw new Error(`generated CDR ${i} is invalid: ${JSON.stringify(p.problems)}`);
      return p.cdr;
    });
    const parseSeconds = seconds(t);
    // What the stored statistics must add up to, computed in memory from the same CDRs.
    const expectedBuckets = bucketize(parsed);
    const expected = sumCounters(expectedBuckets.map((b) => b.counters));

    const bodies: string[] = [];
    for (let i = 0; i < cdrs.length; i += PER_MESSAGE) bodies.push(JSON.stringify(cdrs.slice(i, i + PER_MESSAGE)));
    t = performance.now();
    await send(bodies);
    const sendSeconds = seconds(t);

    consumedWriteUnits.clear();
    t = performance.now();
    const received = await stack.drainIngest(BATCH_MESSAGES);
    const ingestSeconds = seconds(t);
    const written = new Map(consumedWriteUnits);

    const stored = await statsTotals(table('connectStats'));
    const perCdr = (n: number) => round(n / CDRS);
    const cdrsUnits = units(table('cdrs'));
    const statsUnits = units(table('connectStats'));
    const rejectsUnits = units(table('rejects'));
    const indexUnits = [...written].filter(([name]) => name.endsWith(' (indexes)')).reduce((sum, [, n]) => sum + n, 0);
    const countsMatch = stored.totals.attempts === CDRS && JSON.stringify(stored.totals) === JSON.stringify(expected) && stored.buckets === expectedBuckets.length;

    // Redelivery: the first 10% of messages again, as SQS at-least-once delivery may do.
    const again = bodies.slice(0, Math.max(1, Math.floor(bodies.length / 10)));
    await send(again);
    consumedWriteUnits.clear();
    t = performance.now();
    const redeliveredReceived = await stack.drainIngest(BATCH_MESSAGES);
    const redeliverySeconds = seconds(t);
    const afterRedelivery = await statsTotals(table('connectStats'));
    const unchanged = JSON.stringify(afterRedelivery) === JSON.stringify(stored);

    const report = {
      cdrs: CDRS,
      messages: bodies.length,
      cdrsPerMessage: PER_MESSAGE,
      messagesPerInvocation: BATCH_MESSAGES,
      messagesReceived: received,
      sendSeconds: round(sendSeconds, 2),
      seconds: round(ingestSeconds, 2),
      cdrsPerSecond: Math.round(CDRS / ingestSeconds),
      cdrsWriteUnitsPerCdr: perCdr(cdrsUnits),
      connectStatsWriteUnitsPerCdr: perCdr(statsUnits),
      rejectsWriteUnitsPerCdr: perCdr(rejectsUnits),
      tableWritesPerCdr: perCdr(cdrsUnits + statsUnits + rejectsUnits),
      indexWritesPerCdr: perCdr(indexUnits),
      statsBuckets: stored.buckets,
      expectedStatsBuckets: expectedBuckets.length,
      attemptsTotal: stored.totals.attempts,
      countsMatch,
      redeliveredMessages: again.length,
      redeliveredReceived,
      redeliverySeconds: round(redeliverySeconds, 2),
      redeliveryWriteUnits: Object.fromEntries(consumedWriteUnits),
      statsUnchangedAfterRedelivery: unchanged,
    };
    const o = report;
    console.log(`generated ${CDRS} CDRs in ${generateSeconds.toFixed(2)} s, all valid (parseCdr, ${parseSeconds.toFixed(2)} s)`);
    console.log(`sent ${o.messages} messages of ${PER_MESSAGE} CDRs in ${o.sendSeconds} s`);
    console.log(`ingested ${o.messagesReceived} messages, ${BATCH_MESSAGES} per invocation, in ${o.seconds} s: ${o.cdrsPerSecond} CDRs/s`);
    console.log(`write units per CDR: Cdrs ${o.cdrsWriteUnitsPerCdr} + ConnectStats ${o.connectStatsWriteUnitsPerCdr} + Rejects ${o.rejectsWriteUnitsPerCdr} = ${o.tableWritesPerCdr} (table writes), plus ${o.indexWritesPerCdr} index writes`);
    console.log(`statistics: ${o.statsBuckets} destination-hour buckets (expected ${o.expectedStatsBuckets}), attempts ${o.attemptsTotal} of ${CDRS} CDRs: ${countsMatch ? 'OK' : 'MISMATCH'}`);
    if (!countsMatch) console.log(`  stored ${JSON.stringify(stored.totals)}\n  expected ${JSON.stringify(expected)}`);
    console.log(`redelivered ${again.length} messages (${o.redeliverySeconds} s, write units ${JSON.stringify(o.redeliveryWriteUnits)}): statistics ${unchanged ? 'unchanged, OK' : 'CHANGED'}`);
    console.log(JSON.stringify(report));
    return countsMatch && unchanged && received === bodies.length;
  } finally {
    await emulators.stop();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
