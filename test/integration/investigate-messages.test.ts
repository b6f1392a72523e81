// A message on the investigations queue that can never name a dispute is logged with its message id and
// acknowledged: redelivering it cannot help, so it must neither loop nor land in the DLQ.
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { newSqsClient } from '../../lib/adapters/aws';
import { logger } from '../../lib/adapters/logger';
import { QUEUES } from '../../lib/adapters/resources';
import { dlqEnv } from '../../infra/local/provision';
import { testStack } from '../support/stack';

async function queueDepth(url: string): Promise<number> {
  const out = await newSqsClient().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

async function send(url: string, body: string): Promise<string> {
  const out = await newSqsClient().send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
  return out.MessageId!;
}

/** Every JSON log line written while `run` runs (the logger is silent in tests otherwise). */
async function logLines(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => (written.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  logger.setLogLevel('INFO');
  try {
    await run();
  } finally {
    logger.setLogLevel('SILENT');
    vi.restoreAllMocks();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('an unreadable investigation message', () => {
  let stack: Awaited<ReturnType<typeof testStack>>;
  beforeAll(async () => {
    // A failed message comes back after 1 s, so a retry would show within the test.
    stack = await testStack({ visibilityTimeoutSeconds: 1 });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    logger.setLogLevel('SILENT');
  });

  it('is acknowledged, not retried and not dead-lettered, and logged as an error with its message id', async () => {
    const url = stack.env[QUEUES.investigations.env]!;
    const notJson = await send(url, '{not json');
    const noDisputeId = await send(url, JSON.stringify({ dispute: '01JC2Z8Q6S8W3X4Y5Z6A7B8C9D' }));

    let received = 0;
    const lines = await logLines(async () => {
      received = await stack.drainInvestigations();
    });
    expect(received).toBe(2);

    const errors = lines.filter((l) => l.level === 'ERROR' && l.message === 'unreadable investigation message');
    expect(errors.map((l) => l.messageId).sort()).toEqual([notJson, noDisputeId].sort());

    expect(await queueDepth(url)).toBe(0);
    expect(await queueDepth(stack.env[dlqEnv(QUEUES.investigations.env)]!)).toBe(0);
    // Past the visibility timeout nothing comes back.
    await new Promise((r) => setTimeout(r, 1200));
    expect(await stack.drainInvestigations()).toBe(0);
  });
});
