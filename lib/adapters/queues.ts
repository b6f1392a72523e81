// Sending to the pipeline's queues.
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { queueUrl, sqsClient } from './aws';
import type { z } from 'zod';
import type { QueueKey } from './resources';

export async function enqueue(queue: QueueKey, body: unknown): Promise<void> {
  await sqsClient().send(new SendMessageCommand({ QueueUrl: queueUrl(queue), MessageBody: JSON.stringify(body) }));
}

/** Sends up to 10 bodies in one request; throws if any entry failed, so nothing is dropped silently. */
export async function enqueueBatch(queue: QueueKey, bodies: string[]): Promise<void> {
  const out = await sqsClient().send(
    new SendMessageBatchCommand({ QueueUrl: queueUrl(queue), Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody })) }),
  );
  if (out.Failed && out.Failed.length > 0) throw new Error(`SQS refused ${out.Failed.length} messages: ${out.Failed.map((f) => f.Message).join('; ')}`);
}

/** A queue message's body as `schema` reads it, or undefined when it is not JSON or not that shape (never retried). */
export function parseMessage<T>(schema: z.ZodType<T>, body: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
