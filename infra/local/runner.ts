// The local runner plays what AWS does around the handlers: SQS event-source mappings (poll, invoke, delete only
// what the handler did not report as failed), and the schedule; http-api.ts plays the HTTP API.
import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { newSqsClient } from '../../lib/adapters/aws';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 900_000;
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

let sqs: SQSClient | undefined;
const client = () => (sqs ??= newSqsClient());

/**
 * One poll of an event-source mapping: receive up to `batchSize` messages (in receives of 10, like a batching
 * window), invoke the handler once, delete the messages it did not report as failed. Returns how many it received.
 */
export async function pollOnce(queueUrl: string, functionName: string, handler: SqsHandler, options: { batchSize?: number; waitSeconds?: number } = {}): Promise<number> {
  const batchSize = options.batchSize ?? 10;
  const messages: Message[] = [];
  while (messages.length < batchSize) {
    const out = await client().send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, batchSize - messages.length),
        WaitTimeSeconds: messages.length === 0 ? (options.waitSeconds ?? 0) : 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    if (!out.Messages || out.Messages.length === 0) break;
    messages.push(...out.Messages);
  }
  if (messages.length === 0) return 0;
  const event: SQSEvent = {
    Records: messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueUrl.split('/').pop()}`,
      awsRegion: 'us-east-1',
    })),
  };
  let failed: Set<string>;
  try {
    const response = await handler(event, lambdaContext(functionName));
    failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  } catch {
    // A thrown handler fails the whole batch: nothing is deleted, every message comes back after its visibility timeout.
    return messages.length;
  }
  const done = messages.filter((m) => !failed.has(m.MessageId!));
  for (let i = 0; i < done.length; i += 10) {
    const chunk = done.slice(i, i + 10);
    await client().send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })) }));
  }
  return messages.length;
}

/** Polls until stopped, like an event-source mapping. */
export function startPoller(queueUrl: string, functionName: string, handler: SqsHandler, options: { batchSize?: number } = {}): { stop: () => Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        await pollOnce(queueUrl, functionName, handler, { ...options, waitSeconds: 1 });
      } catch (error) {
        if (running) console.error(`[${functionName}] poll failed: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** Polls until the queue stays empty: what tests and the demo use to wait for the pipeline to settle. */
export async function drain(queueUrl: string, functionName: string, handler: SqsHandler, options: { batchSize?: number } = {}): Promise<number> {
  let total = 0;
  for (;;) {
    const received = await pollOnce(queueUrl, functionName, handler, options);
    if (received === 0) return total;
    total += received;
  }
}

