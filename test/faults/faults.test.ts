// The fault-injection suite (issue 11, `npm run test:faults`): faults injected into the real AWS SDK clients drive
// the real handlers and the local event-source runners (SQS and the Cdrs stream) against the emulators. After each
// scenario: stored CDRs = the distinct valid records sent; statistics = a recount of the stored CDRs (and of what was
// sent); one reject per distinct bad record; nothing left in the ingest DLQ, no stream record given up on.
// It ends by printing one line: `faults: <N> scenarios, <C> CDRs, lost <x>, double-counted <y>, rejects kept <R>/<R>`.
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, newSqsClient } from '../../lib/adapters/aws';
import { cdrPagesInHourPart } from '../../lib/adapters/cdr-hours';
import { putCdrsUnchecked, toCdr } from '../../lib/adapters/cdr-store';
import { enqueueBatch } from '../../lib/adapters/queues';
import { listRejects } from '../../lib/adapters/reject-store';
import { HOUR_PARTS, QUEUES } from '../../lib/adapters/resources';
import { readStats, replaceStats } from '../../lib/adapters/stats-store';
import type { DriftFinding } from '../../lib/domain/audit/findings';
import type { Cdr } from '../../lib/domain/cdr';
import { OUTSIDE_RETENTION } from '../../lib/domain/retention';
import { type ConnectCounters, bucketize, utcHour } from '../../lib/domain/statistics/connect-statistics';
import { runAudit } from '../../lib/use-cases/audit/run-audit';
import { dlqEnv } from '../../infra/local/provision';
import { lambdaContext } from '../../infra/local/runner';
import { testStack } from '../support/stack';
import { faultInjector } from './inject';

const HOUR = 3_600_000;
const BASE = Date.parse(utcHour(Date.now() - 3 * 24 * HOUR));
const iso = (ms: number) => new Date(ms).toISOString();

let stack: Awaited<ReturnType<typeof testStack>>;
let faults: ReturnType<typeof faultInjector>;
const totals = { scenarios: 0, cdrs: 0, lost: 0, double: 0, rejectsKept: 0, rejectsExpected: 0 };

/** A valid CDR of scenario `tag`: answered or not, to `number`, in hour `h` after BASE. */
function cdr(tag: string, i: number, number: string, h = 0, over: Record<string, unknown> = {}) {
  const start = BASE + h * HOUR + i * 7_000;
  const answered = i % 3 !== 0;
  return {
    callId: `${tag}-${i}`,
    source: 'sw-faults',
    accountId: `acct-${tag}`,
    callingNumber: '+13125550100',
    calledNumber: number,
    startedAt: iso(start),
    answeredAt: answered ? iso(start + (i % 5) * 1000 + 500) : null,
    endedAt: iso(start + 40_000),
    disposition: answered ? 'ANSWERED' : 'NO_ANSWER',
    releaseCause: answered ? 16 : 19,
    billedSeconds: answered ? 40 : 0,
    charge: { amountMinor: answered ? 7 : 0, currency: 'USD' },
    billingIncrement: { minimumSeconds: 1, incrementSeconds: 1 },
    ...over,
  };
}

async function queueDepth(url: string): Promise<number> {
  const out = await newSqsClient().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Runs the mappings until the ingest queue is empty (redeliveries included) and the stream is drained. */
async function settle(): Promise<void> {
  const url = stack.env[QUEUES.cdrIngest.env]!;
  for (let i = 0; i < 40; i++) {
    // A failed delete (an injected fault) stops a drain the way it stops a poller: the messages come back.
    await stack.drainIngest(25).catch(() => undefined);
    if ((await queueDepth(url)) === 0) break;
    await new Promise((r) => setTimeout(r, 1100)); // the visibility timeout of a failed message
  }
  await stack.drainCdrChanges();
}

async function storedOf(tag: string): Promise<Cdr[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new ScanCommand({ TableName: stack.env.CDRS_TABLE, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items.filter((i) => String(i.callId).startsWith(`${tag}-`)).map(toCdr);
}

/** The call id of a PutItem's item, before or after the document client marshals it. */
/** The call ids a BatchWriteItem puts (document or wire format). */
const callIdsOf = (input: Record<string, unknown>): string[] =>
  Object.values((input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item?: { callId?: string | { S?: string } } } }[]>)
    .flat()
    .map((r) => r.PutRequest?.Item?.callId)
    .map((id) => String(typeof id === 'object' ? id?.S : id));
/** The scenario's call ids as the audit reaches them through the hour index (CdrHours), once per time reached. */
async function indexedOf(tag: string, stored: Cdr[]): Promise<string[]> {
  const ids: string[] = [];
  for (const hour of new Set(stored.map((c) => utcHour(c.startedAt)))) {
    for (let part = 0; part < HOUR_PARTS; part++) {
      for await (const page of cdrPagesInHourPart(hour, part)) ids.push(...page.cdrs.map((c) => c.callId).filter((id) => id.startsWith(`${tag}-`)));
    }
  }
  return ids;
}

const keyOf = (b: { calledNumber: string; hour: string }) => `${b.calledNumber}|${b.hour}`;
const counterSum = (c: ConnectCounters) => c.attempts;

/** The checks after every scenario, added to the suite's totals. */
async function verify(tag: string, sent: ReturnType<typeof cdr>[], badRecords: number) {
  const distinct = [...new Map(sent.map((c) => [c.callId, c])).values()] as unknown as Cdr[];
  const stored = await storedOf(tag);
  const numbers = [...new Set(distinct.map((c) => c.calledNumber))];
  const counted = (await Promise.all(numbers.map((n) => readStats(n, iso(BASE - 24 * HOUR), iso(BASE + 48 * HOUR))))).flat().filter((b) => b.counters.attempts !== 0);
  const expected = new Map(bucketize(distinct).map((b) => [keyOf(b), b]));
  const recount = new Map(bucketize(stored).map((b) => [keyOf(b), b]));
  const got = new Map(counted.map((b) => [keyOf(b), b]));
  let lost = Math.max(0, distinct.length - stored.length);
  let double = 0;
  for (const key of new Set([...expected.keys(), ...got.keys()])) {
    const want = expected.get(key) ? counterSum(expected.get(key)!.counters) : 0;
    const have = got.get(key) ? counterSum(got.get(key)!.counters) : 0;
    lost += Math.max(0, want - have);
    double += Math.max(0, have - want);
  }
  const rejects = (await listRejects()).filter((r) => r.raw.includes(`"${tag}-`));
  const unfired = faults.unfired().map((f) => `${f.kind} ${f.command} #${f.nth}`);
  faults.clear();
  totals.scenarios++;
  totals.cdrs += distinct.length;
  totals.lost += lost;
  totals.double += double;
  totals.rejectsExpected += badRecords;
  totals.rejectsKept += Math.min(badRecords, rejects.length);

  expect(stored.map((c) => c.callId).sort()).toEqual(distinct.map((c) => c.callId).sort());
  // The audit's way in reaches every stored CDR exactly once, whatever was retried.
  expect((await indexedOf(tag, stored)).sort()).toEqual(stored.map((c) => c.callId).sort());
  for (const [key, bucket] of got) expect(bucket.counters, key).toEqual(recount.get(key)?.counters);
  expect([...got.keys()].sort()).toEqual([...recount.keys()].sort());
  expect({ lost, double }).toEqual({ lost: 0, double: 0 });
  expect(rejects).toHaveLength(badRecords);
  expect(await queueDepth(stack.env[dlqEnv(QUEUES.cdrIngest.env)]!)).toBe(0);
  expect(stack.cdrChanges.discarded()).toBe(0);
  // A scenario whose faults did not all fire proved less than it claims.
  expect(unfired).toEqual([]);
}

/** Every record the Cdrs stream holds for a scenario, with its shard: what the mapping delivered. */
async function streamRecords(tag: string): Promise<{ shardId: string; records: _Record[] }[]> {
  const dynamo = new DynamoDBClient({});
  const arn = (await dynamo.send(new DescribeTableCommand({ TableName: stack.env.CDRS_TABLE }))).Table!.LatestStreamArn!;
  dynamo.destroy();
  const streams = new DynamoDBStreamsClient({});
  const out: { shardId: string; records: _Record[] }[] = [];
  for (const shard of (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!.Shards ?? []) {
    let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    const records: _Record[] = [];
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      records.push(...(page.Records ?? []));
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
    const mine = records.filter((r) => String((r.dynamodb?.NewImage ?? r.dynamodb?.OldImage)?.callId?.S).startsWith(`${tag}-`));
    if (mine.length > 0) out.push({ shardId: shard.ShardId!, records: mine });
  }
  streams.destroy();
  return out;
}

const deliver = (shardId: string, records: _Record[]) => stack.handlers.countCdrs({ Records: records, shardId, state: {} } as unknown as DynamoDBStreamEvent & { shardId: string }, lambdaContext('count-cdrs'));

beforeAll(async () => {
  stack = await testStack({ visibilityTimeoutSeconds: 1 });
  faults = faultInjector();
});

afterAll(() => {
  process.stdout.write(`faults: ${totals.scenarios} scenarios, ${totals.cdrs} CDRs, lost ${totals.lost}, double-counted ${totals.double}, rejects kept ${totals.rejectsKept}/${totals.rejectsExpected}\n`);
});

describe('exactly once under faults', () => {
  it('ingest dies after storing, before anything else (its messages come back as duplicates)', async () => {
    const sent = Array.from({ length: 40 }, (_, i) => cdr('s1', i, '+16145550101', i % 2));
    faults.arm({ command: 'DeleteMessageBatchCommand', target: 'cdr-ingest', nth: 1, kind: 'fail' });
    await enqueueBatch('cdrIngest', [JSON.stringify(sent.slice(0, 20)), JSON.stringify(sent.slice(20))]);
    await settle();
    await verify('s1', sent, 0);
  });

  it('a whole batch fails after storing part of every message', async () => {
    // 30 CDRs a message are written 25 + 5: the write holding each message's last CDR fails, after the first stored.
    const sent = Array.from({ length: 90 }, (_, i) => cdr('s2', i, '+16145550102', i % 3));
    const lastOfEach = new Set(['s2-29', 's2-59', 's2-89']);
    faults.arm({ command: 'BatchWriteItemCommand', target: 'Cdrs', match: (input) => callIdsOf(input).some((id) => lastOfEach.has(id)), nth: 1, times: 3, kind: 'fail' });
    await enqueueBatch('cdrIngest', [0, 1, 2].map((m) => JSON.stringify(sent.slice(m * 30, m * 30 + 30))));
    await settle();
    await verify('s2', sent, 0);
  });

  it('statistics writes throttled (the SDK retries) and failed (the stream retries from the failed bucket)', async () => {
    const sent = Array.from({ length: 36 }, (_, i) => cdr('s3', i, i % 2 ? '+16145550103' : '+16145550113', i % 3));
    faults.arm(
      { command: 'UpdateItemCommand', target: 'ConnectStats', nth: 1, times: 3, kind: 'throttle' },
      { command: 'UpdateItemCommand', target: 'ConnectStats', nth: 3, times: 2, kind: 'fail' },
      { command: 'BatchGetItemCommand', target: 'ConnectStats', nth: 2, kind: 'fail' },
    );
    await enqueueBatch('cdrIngest', [JSON.stringify(sent.slice(0, 18)), JSON.stringify(sent.slice(18))]);
    await settle();
    await verify('s3', sent, 0);
  });

  it('the hour index write fails after another page of the batch was written (the batch comes again, its pages overlap)', async () => {
    const sent = Array.from({ length: 30 }, (_, i) => cdr('s14', i, '+16145550114', i % 3));
    faults.arm({ command: 'PutItemCommand', target: 'CdrHours', nth: 2, kind: 'fail' });
    await enqueueBatch('cdrIngest', [JSON.stringify(sent)]);
    await settle();
    await verify('s14', sent, 0);
  });

  it('the same messages redelivered three times', async () => {
    const sent = Array.from({ length: 24 }, (_, i) => cdr('s4', i, '+16145550104', i % 2));
    const bodies = [JSON.stringify(sent.slice(0, 12)), JSON.stringify(sent.slice(12))];
    faults.arm({ command: 'DeleteMessageBatchCommand', target: 'cdr-ingest', nth: 1, times: 2, kind: 'fail' });
    await enqueueBatch('cdrIngest', [...bodies, ...bodies, ...bodies]);
    await settle();
    await verify('s4', [...sent, ...sent, ...sent], 0);
  });

  it('the same file imported twice, bad records and all', async () => {
    const sent = Array.from({ length: 150 }, (_, i) => cdr('s5', i, '+16145550105', i % 4));
    const bad = [cdr('s5', 900, 'not a number'), cdr('s5', 901, '+16145550105', 0, { charge: { amountMinor: 1.5, currency: 'USD' } })];
    faults.arm({ command: 'UpdateItemCommand', target: 'ConnectStats', nth: 2, kind: 'fail' });
    await stack.sendCdrs([...sent, ...bad]);
    await settle();
    await stack.sendCdrs([...sent, ...bad]);
    await settle();
    await verify('s5', sent, 2);
  });

  it('two deliveries in two Lambda instances race on the same new CDRs (both read them absent, both write them)', async () => {
    const sent = Array.from({ length: 12 }, (_, i) => cdr('s10', i, '+16145550110', i % 2));
    // Just before this delivery writes, the other instance (which also read them absent) writes the same CDRs.
    const other = async () => putCdrsUnchecked(sent.map((c) => toCdr(c)));
    faults.arm({ command: 'BatchWriteItemCommand', target: 'Cdrs', match: (input) => callIdsOf(input).includes('s10-0'), nth: 1, kind: 'before', run: other });
    await enqueueBatch('cdrIngest', [JSON.stringify(sent)]);
    await settle();
    await verify('s10', [...sent, ...sent], 0);
  });

  it('two racing deliveries of the same new CDRs with different content: the later is stored and counted, the earlier kept as a conflict', async () => {
    const earlier = Array.from({ length: 6 }, (_, i) => cdr('s11', i, '+16145550111', i % 2));
    // The answered ones differ (billed 60 s, not 40); the unanswered ones are the same in both.
    const later = earlier.map((c) => (c.answeredAt ? { ...c, billedSeconds: 60, charge: { ...c.charge, amountMinor: 11 } } : c));
    const changed = earlier.filter((c) => c.answeredAt);
    const other = async () => putCdrsUnchecked(earlier.map((c) => toCdr(c)));
    faults.arm({ command: 'BatchWriteItemCommand', target: 'Cdrs', match: (input) => callIdsOf(input).includes('s11-0'), nth: 1, kind: 'before', run: other });
    await enqueueBatch('cdrIngest', [JSON.stringify(later)]);
    await settle();
    const conflicts = (await listRejects()).filter((r) => r.raw.includes('"s11-'));
    expect(conflicts.map((r) => [r.kind, r.incomingCdr?.callId, r.incomingCdr?.billedSeconds, r.storedCdr?.billedSeconds]).sort()).toEqual(changed.map((c) => ['CONFLICT', c.callId, 40, 60]).sort());
    await verify('s11', [...earlier, ...later], changed.length);
  });

  it('a stream batch delivered again with other boundaries, and with more records', async () => {
    const sent = Array.from({ length: 25 }, (_, i) => cdr('s6', i, '+16145550106', i % 2));
    faults.arm({ command: 'UpdateItemCommand', target: 'ConnectStats', nth: 2, kind: 'fail' });
    await enqueueBatch('cdrIngest', [JSON.stringify(sent)]);
    await settle();
    const shards = await streamRecords('s6');
    expect(shards.flatMap((s) => s.records)).toHaveLength(25);
    for (const { shardId, records } of shards) {
      // As a retry from the middle, a bisected half, the whole batch again and a longer one with its successors.
      for (const slice of [records.slice(5), records.slice(0, Math.ceil(records.length / 2)), records, records.slice(3)]) {
        expect(await deliver(shardId, slice)).toMatchObject({ batchItemFailures: [] });
      }
    }
    await verify('s6', sent, 0);
  });

  it('an audit repairs while ingest runs: late CDRs are never erased, a bucket changed under the repair is left for the next run', async () => {
    const number = '+16145550107';
    const first = Array.from({ length: 20 }, (_, i) => cdr('s7', i, number, i % 2));
    await enqueueBatch('cdrIngest', [JSON.stringify(first)]);
    await settle();
    // Hour 1's bucket is corrupted (what a bug or a hand edit might leave).
    const [bucket] = await readStats(number, iso(BASE + HOUR), iso(BASE + 2 * HOUR));
    await replaceStats([{ ...bucket!, counters: { ...bucket!.counters, attempts: bucket!.counters.attempts + 4 } }]);
    const lateA = Array.from({ length: 5 }, (_, i) => cdr('s7', 100 + i, number, 0));
    const lateB = Array.from({ length: 3 }, (_, i) => cdr('s7', 200 + i, number, 1));
    const ingest = async (cdrs: unknown[]) => {
      await enqueueBatch('cdrIngest', [JSON.stringify(cdrs)]);
      await stack.drainIngest();
    };
    faults.arm(
      // Between the audit's hour scan and its read of the statistics, late CDRs of hour 0 are stored and counted.
      { command: 'QueryCommand', target: 'ConnectStats', nth: 1, kind: 'before', run: () => ingest(lateA) },
      // Just before it rewrites hour 1, late CDRs of hour 1 are stored and counted.
      { command: 'UpdateItemCommand', target: 'ConnectStats', match: (input) => String(input.UpdateExpression).startsWith('SET'), nth: 1, kind: 'before', run: () => ingest(lateB) },
    );
    const period = { from: iso(BASE), to: iso(BASE + 2 * HOUR), trigger: 'cli' as const, repair: true };
    const during = await runAudit(period, new Date(), { repairSettleMs: 0 });
    const drift = (r: typeof during) => r.findings.filter((f): f is DriftFinding => f.type === 'STATS_DRIFT').map((d) => [d.hour, d.repair]);
    expect(drift(during)).toEqual([[utcHour(BASE + HOUR), 'CHANGED_SINCE_READ']]);
    await settle();
    const next = await runAudit(period, new Date(), { repairSettleMs: 0 });
    expect(drift(next)).toEqual([[utcHour(BASE + HOUR), 'REPAIRED']]);
    expect(drift(await runAudit(period, new Date(), { repairSettleMs: 0 }))).toEqual([]);
    await verify('s7', [...first, ...lateA, ...lateB], 0);
  });

  it('a CDR older than the retention is refused every time it comes, never stored or counted', async () => {
    const old = cdr('s8', 0, '+16145550108', 0, { startedAt: iso(Date.now() - 401 * 24 * HOUR), answeredAt: null, endedAt: iso(Date.now() - 401 * 24 * HOUR + 20_000), disposition: 'NO_ANSWER', releaseCause: 19, billedSeconds: 0, charge: { amountMinor: 0, currency: 'USD' } });
    const fresh = Array.from({ length: 5 }, (_, i) => cdr('s8', 10 + i, '+16145550108', 0));
    await enqueueBatch('cdrIngest', [JSON.stringify([old, ...fresh])]);
    await settle();
    await enqueueBatch('cdrIngest', [JSON.stringify([old])]);
    await settle();
    const [reject] = (await listRejects()).filter((r) => r.raw.includes('"s8-0"'));
    expect(reject!.problems).toEqual([{ field: 'startedAt', reason: OUTSIDE_RETENTION }]);
    await verify('s8', fresh, 1);
  });

  it('poison records (a 3 KB source, a 450 KB record) are kept bounded and let their neighbours through', async () => {
    const good = Array.from({ length: 6 }, (_, i) => cdr('s9', i, '+16145550109', 0));
    const longSource = cdr('s9', 50, '+16145550109', 0, { source: `s9-${'x'.repeat(3 * 1024)}` });
    const huge = cdr('s9', 51, '+16145550109', 0, { accountId: 'a'.repeat(450 * 1024) });
    await enqueueBatch('cdrIngest', [JSON.stringify([good[0], longSource, good[1], good[2]]), JSON.stringify([good[3], huge, good[4], good[5]])]);
    await settle();
    await verify('s9', good, 2);
  });
});
