// Ingest through the SQS emulator and DynamoDB Local: bad records kept with reasons, good neighbours stored,
// redelivery never double-counts, infrastructure failures retried into the DLQ.
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient, newSqsClient } from '../../lib/adapters/aws';
import { enqueueBatch } from '../../lib/adapters/queues';
import { listRejects } from '../../lib/adapters/reject-store';
import { readStats } from '../../lib/adapters/stats-store';
import { QUEUES } from '../../lib/adapters/resources';
import { dlqEnv } from '../../infra/local/provision';
import { pollOnce } from '../../infra/local/runner';
import { testStack } from '../support/stack';

const cdr = (callId: string, overrides: Record<string, unknown> = {}) => ({
  callId,
  source: 'sw-test',
  accountId: 'acct-1',
  callingNumber: '+13125550100',
  calledNumber: '+16145550199',
  startedAt: '2026-10-27T10:15:00-05:00',
  answeredAt: '2026-10-27T10:15:04-05:00',
  endedAt: '2026-10-27T10:16:30-05:00',
  disposition: 'ANSWERED',
  releaseCause: 16,
  billedSeconds: 120,
  charge: { amountMinor: 20, currency: 'USD' },
  billingIncrement: { minimumSeconds: 60, incrementSeconds: 60 },
  ...overrides,
});

const unanswered = (callId: string) => cdr(callId, { answeredAt: null, disposition: 'NO_ANSWER', releaseCause: 19, billedSeconds: 0, charge: { amountMinor: 0, currency: 'USD' } });

async function queueDepth(url: string): Promise<number> {
  const out = await newSqsClient().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

const HOUR = '2026-10-27T15:00:00Z';
const statsOf = async () => (await readStats('+16145550199', HOUR, '2026-10-27T16:00:00Z'))[0]?.counters;

describe('ingest', () => {
  let stack: Awaited<ReturnType<typeof testStack>>;
  beforeAll(async () => {
    stack = await testStack({ visibilityTimeoutSeconds: 1 });
  });

  it('keeps a malformed CDR with every failing field, stores its neighbours, and does not retry the message', async () => {
    const bad = cdr('bad-1', { calledNumber: '6145550199', charge: { amountMinor: 1.5, currency: 'USD' }, endedAt: '2026-10-27T10:14:00-05:00' });
    await enqueueBatch('cdrIngest', [JSON.stringify([cdr('good-1'), bad, unanswered('good-2')]), '{not json']);
    await stack.drainIngest();

    const rejects = await listRejects();
    const rejected = rejects.find((r) => r.raw.includes('bad-1'))!;
    expect(rejected.kind).toBe('INVALID');
    expect(rejected.source).toBe('sw-test');
    expect(JSON.parse(rejected.raw)).toEqual(bad);
    expect(rejected.problems.map((p) => p.field).sort()).toEqual(['answeredAt', 'calledNumber', 'charge.amountMinor', 'endedAt']);
    expect(rejected.origin.index).toBe(1);
    const notJson = rejects.find((r) => r.raw === '{not json')!;
    expect(notJson.problems[0]!.field).toBe('(message)');

    const stats = await statsOf();
    expect(stats).toMatchObject({ attempts: 2, answered: 1, userFailures: 1, talkMillis: 86_000, shortCalls: 0 });
    expect(stats!.ttaHistogram).toEqual([0, 0, 1, 0, 0, 0]);
    expect(await queueDepth(stack.env[QUEUES.cdrIngest.env]!)).toBe(0);
    expect(await queueDepth(stack.env[dlqEnv(QUEUES.cdrIngest.env)]!)).toBe(0);
  });

  it('counts redelivered and repeated CDRs once, and keeps a same-key different-content CDR as a conflict', async () => {
    const before = await statsOf();
    const again = JSON.stringify([cdr('good-1'), unanswered('good-2')]);
    await enqueueBatch('cdrIngest', [again, again]);
    await stack.drainIngest();
    expect(await statsOf()).toEqual(before);

    await enqueueBatch('cdrIngest', [JSON.stringify(cdr('good-1', { billedSeconds: 180, charge: { amountMinor: 30, currency: 'USD' } }))]);
    await stack.drainIngest();
    expect(await statsOf()).toEqual(before);
    const conflict = (await listRejects()).find((r) => r.kind === 'CONFLICT')!;
    expect(JSON.parse(conflict.raw)).toMatchObject({ callId: 'good-1', billedSeconds: 180 });

    const stored = await documentClient().send(new ScanCommand({ TableName: stack.env.CDRS_TABLE }));
    expect(stored.Items!.filter((i) => i.callId === 'good-1')).toHaveLength(1);
    expect(stored.Items!.find((i) => i.callId === 'good-1')!.billedSeconds).toBe(120);
  });

  it('writes one statistics update per destination-hour for a batch, not one per CDR', async () => {
    const { consumedWriteUnits } = await import('../../lib/adapters/aws');
    const statsTable = stack.env.CONNECT_STATS_TABLE!;
    const before = consumedWriteUnits.get(statsTable) ?? 0;
    const batch = Array.from({ length: 40 }, (_, i) => cdr(`batch-${i}`));
    await enqueueBatch('cdrIngest', [JSON.stringify(batch.slice(0, 20)), JSON.stringify(batch.slice(20))]);
    await stack.drainIngest();
    expect((consumedWriteUnits.get(statsTable) ?? 0) - before).toBe(1);
    expect((await statsOf())!.attempts).toBe(42);
  });

  it('fails the record on an infrastructure error so SQS retries it, and it lands in the DLQ after maxReceiveCount', async () => {
    const table = process.env.CDRS_TABLE!;
    process.env.CDRS_TABLE = 'no-such-table';
    try {
      await enqueueBatch('cdrIngest', [JSON.stringify([cdr('infra-1')])]);
      const dlq = stack.env[dlqEnv(QUEUES.cdrIngest.env)]!;
      for (let i = 0; i < 20 && (await queueDepth(dlq)) === 0; i++) {
        await pollOnce(stack.env[QUEUES.cdrIngest.env]!, 'ingest-cdrs', stack.handlers.ingest);
        await new Promise((r) => setTimeout(r, 1100));
      }
      expect(await queueDepth(dlq)).toBe(1);
    } finally {
      process.env.CDRS_TABLE = table;
    }
    expect(await queueDepth(stack.env[QUEUES.cdrIngest.env]!)).toBe(0);
  }, 60_000);
});
