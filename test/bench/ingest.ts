// Ingest benchmark: a realistic day of CDRs through SQS into the real ingest handler on the local emulators, at 1 and
// at 100 CDRs a message. Prints the write units per CDR (every table and index, statistics included), storage per CDR,
// ingest throughput against DynamoDB Local's own BatchWriteItem rate, and checks every CDR is counted exactly once.
//   BENCH_CDRS (100000)  BENCH_SINGLE_CDRS (5000)  BENCH_PER_MESSAGE (100)  BENCH_BATCH_MESSAGES (100, as deployed)
import { performance } from 'node:perf_hooks';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type BatchWriteCommandOutput, ScanCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { cdrItem } from '../../lib/adapters/cdr-store';
import { consumedWriteUnits, documentClient } from '../../lib/adapters/aws';
import { enqueueBatch } from '../../lib/adapters/queues';
import { TABLES } from '../../lib/adapters/resources';
import { type Cdr, parseCdr } from '../../lib/domain/cdr';
import { type ConnectCounters, bucketize, emptyCounters, sumCounters } from '../../lib/domain/statistics/connect-statistics';
import { startEmulators } from '../../infra/local/emulators';
import { provisionLocalStack } from '../../infra/local/stack';
import { generateDay } from './traffic';
import { intEnv } from './options';

const CDRS = intEnv('BENCH_CDRS', 100_000);
const PER_MESSAGE = intEnv('BENCH_PER_MESSAGE', 100);
/** The one-CDR-a-message run is smaller: a message per CDR is slow to send locally, and the ratios do not need more. */
const SINGLE_CDRS = intEnv('BENCH_SINGLE_CDRS', 5_000);
const BATCH_MESSAGES = intEnv('BENCH_BATCH_MESSAGES', 100);
const SQS_BATCH_BYTES = 1_048_576;

const seconds = (since: number) => (performance.now() - since) / 1000;

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

interface Run {
  perMessage: number;
  cdrs: number;
  messages: number;
  ingestSeconds: number;
  streamSeconds: number;
  /** Write units per CDR: the Cdrs table, the hour index, the statistics, the rejects, any table's secondary indexes. */
  units: { cdrs: number; cdrHours: number; stats: number; rejects: number; indexes: number; total: number };
  storageBytesPerCdr?: number;
  countsMatch: boolean;
  unchangedAfterRedelivery: boolean;
}

/** DynamoDB's own size of these tables and their indexes, per stored CDR (the first table's items; DescribeTable). */
async function storagePerCdr(tables: string[]): Promise<number | undefined> {
  const client = new DynamoDBClient({});
  const described = await Promise.all(tables.map(async (TableName) => (await client.send(new DescribeTableCommand({ TableName }))).Table));
  client.destroy();
  const cdrs = described[0]?.ItemCount;
  if (!cdrs) return undefined;
  const bytes = described.reduce((sum, t) => sum + (t?.TableSizeBytes ?? 0) + (t?.GlobalSecondaryIndexes ?? []).reduce((s, i) => s + (i.IndexSizeBytes ?? 0), 0), 0);
  return bytes / cdrs;
}

/** One run on a fresh stack: the CDRs through SQS at `perMessage` a message, then the stream, then 10% again. */
async function run(emulators: Awaited<ReturnType<typeof startEmulators>>, cdrs: Cdr[], perMessage: number): Promise<Run> {
  const stack = await provisionLocalStack(emulators, `bench-${perMessage}-`);
  const table = (key: keyof typeof TABLES) => stack.env[TABLES[key].env]!;
  const expectedBuckets = bucketize(cdrs);
  const expected = sumCounters(expectedBuckets.map((b) => b.counters));
  const bodies: string[] = [];
  for (let i = 0; i < cdrs.length; i += perMessage) bodies.push(JSON.stringify(perMessage === 1 ? cdrs[i] : cdrs.slice(i, i + perMessage)));
  await send(bodies);

  consumedWriteUnits.clear();
  let t = performance.now();
  const received = await stack.drainIngestQueue(BATCH_MESSAGES);
  const ingestSeconds = seconds(t);
  t = performance.now();
  await stack.drainCdrChanges();
  const streamSeconds = seconds(t);
  const perCdr = (n: number) => n / cdrs.length;
  const units = {
    cdrs: perCdr(consumedWriteUnits.get(table('cdrs')) ?? 0),
    cdrHours: perCdr(consumedWriteUnits.get(table('cdrHours')) ?? 0),
    // Every secondary index of every table these writes touched (Cdrs has none: an index write would show here).
    indexes: perCdr([...consumedWriteUnits].filter(([name]) => name.endsWith(' (indexes)')).reduce((sum, [, units]) => sum + units, 0)),
    stats: perCdr(consumedWriteUnits.get(table('connectStats')) ?? 0),
    rejects: perCdr(consumedWriteUnits.get(table('rejects')) ?? 0),
    total: 0,
  };
  units.total = units.cdrs + units.cdrHours + units.stats + units.rejects + units.indexes;
  const stored = await statsTotals(table('connectStats'));
  const countsMatch = received === bodies.length && stored.totals.attempts === cdrs.length && JSON.stringify(stored.totals) === JSON.stringify(expected) && stored.buckets === expectedBuckets.length;

  // Redelivery: the first 10% of messages again, as SQS at-least-once delivery may do.
  await send(bodies.slice(0, Math.max(1, Math.floor(bodies.length / 10))));
  await stack.drainIngest(BATCH_MESSAGES);
  const unchangedAfterRedelivery = JSON.stringify(await statsTotals(table('connectStats'))) === JSON.stringify(stored);
  return { perMessage, cdrs: cdrs.length, messages: bodies.length, ingestSeconds, streamSeconds, units, storageBytesPerCdr: await storagePerCdr([table('cdrs'), table('cdrHours')]), countsMatch, unchangedAfterRedelivery };
}

/** DynamoDB Local's own BatchWriteItem rate for the same items: 25 a request, as many requests in flight as ingest. */
async function batchWriteRate(emulators: Awaited<ReturnType<typeof startEmulators>>, cdrs: Cdr[]): Promise<number> {
  const stack = await provisionLocalStack(emulators, 'bench-raw-');
  const table = stack.env[TABLES.cdrs.env]!;
  const items = cdrs.map((cdr) => cdrItem(cdr, []));
  const limit = pLimit(16);
  const t = performance.now();
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await Promise.all(
    chunks.map((chunk) =>
      limit(async () => {
        let requests: { PutRequest: { Item: Record<string, unknown> } }[] | undefined = chunk.map((Item) => ({ PutRequest: { Item } }));
        while (requests && requests.length > 0) {
          const out: BatchWriteCommandOutput = await documentClient().send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
          requests = out.UnprocessedItems?.[table] as typeof requests;
        }
      }),
    ),
  );
  return cdrs.length / seconds(t);
}

async function main(): Promise<boolean> {
  // Before provisioning: the handlers' logger is created when provisionLocalStack imports them.
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const emulators = await startEmulators();
  try {
    const parse = (raw: unknown[]) =>
      raw.map((r, i) => {
        const p = parseCdr(r);
        if (!p.ok) throw new Error(`generated CDR ${i} is invalid: ${JSON.stringify(p.problems)}`);
        return p.cdr;
      });
    const many = parse(generateDay({ cdrs: CDRS }));
    const few = parse(generateDay({ cdrs: SINGLE_CDRS, seed: 7 }));
    const single = await run(emulators, few, 1);
    const batched = await run(emulators, many, PER_MESSAGE);
    const rawRate = await batchWriteRate(emulators, many);
    const ingestRate = batched.cdrs / batched.ingestSeconds;

    const f = (n: number) => n.toFixed(2);
    const breakdown = (r: Run) => `Cdrs ${f(r.units.cdrs)} + CdrHours ${f(r.units.cdrHours)} + ConnectStats ${f(r.units.stats)} + Rejects ${f(r.units.rejects)} + secondary indexes ${f(r.units.indexes)} = ${f(r.units.total)}`;
    console.log(`write units per CDR (all indexes): ${f(single.units.total)}`);
    console.log(`  at 1 CDR a message (${single.cdrs} CDRs): ${breakdown(single)}`);
    console.log(`  at ${PER_MESSAGE} CDRs a message (${batched.cdrs} CDRs): ${breakdown(batched)}`);
    console.log(`storage per CDR (Cdrs and CdrHours with any indexes, DescribeTable): ${batched.storageBytesPerCdr === undefined ? 'not reported' : `${Math.round(batched.storageBytesPerCdr)} bytes`}`);
    console.log(`local ingest throughput: ${f(ingestRate / rawRate)}× DynamoDB Local's BatchWriteItem rate for the same items (${Math.round(ingestRate)} vs ${Math.round(rawRate)} CDRs/s; the stream's statistics then took ${f(batched.streamSeconds)} s)`);
    for (const r of [single, batched]) {
      console.log(`statistics at ${r.perMessage} a message: ${r.countsMatch ? 'every CDR counted once' : 'MISMATCH'}; after redelivering 10% of the messages: ${r.unchangedAfterRedelivery ? 'unchanged' : 'CHANGED'}`);
    }
    return [single, batched].every((r) => r.countsMatch && r.unchangedAfterRedelivery);
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
