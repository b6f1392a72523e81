// Publishing dispute events: to an EventBridge bus in AWS (EVENT_BUS_NAME); locally, where EventBridge has no
// emulator, the same envelope goes to a queue (DISPUTE_EVENTS_QUEUE_URL) where tests and people can read it.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { EVENT_SOURCE } from '../domain/disputes/events';
import type { PipelineEvent } from '../domain/adjustments/pipeline-events';
import { sqsClient } from './aws';
import { setting } from '../config';

let eventBridge: EventBridgeClient | undefined;

const chunks = <T>(items: T[], size: number) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Publishes every event or throws, so the stream record is retried (at least once; `eventId` deduplicates). Dispute
 * Recommended / Decided, and Dispute Overdue, Adjustment Approved / Posted (lib/domain/adjustments/pipeline-events.ts).
 */
export async function publishEvents(events: PipelineEvent[]): Promise<void> {
  const bus = setting('EVENT_BUS_NAME');
  for (const batch of chunks(events, 10)) {
    if (bus) {
      eventBridge ??= new EventBridgeClient({ maxAttempts: 8 });
      const out = await eventBridge.send(
        new PutEventsCommand({ Entries: batch.map((e) => ({ EventBusName: bus, Source: EVENT_SOURCE, DetailType: e.detailType, Detail: JSON.stringify(e.detail), Time: new Date(e.detail.at) })) }),
      );
      if (out.FailedEntryCount) throw new Error(`EventBridge refused ${out.FailedEntryCount} events: ${out.Entries?.map((e) => e.ErrorCode).filter(Boolean).join(', ')}`);
      continue;
    }
    const queueUrl = setting('DISPUTE_EVENTS_QUEUE_URL');
    if (!queueUrl) throw new Error('neither EVENT_BUS_NAME nor DISPUTE_EVENTS_QUEUE_URL is set');
    const out = await sqsClient().send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((e, i) => ({ Id: String(i), MessageBody: JSON.stringify({ source: EVENT_SOURCE, 'detail-type': e.detailType, time: e.detail.at, detail: e.detail }) })),
      }),
    );
    if (out.Failed?.length) throw new Error(`SQS refused ${out.Failed.length} events`);
    // Locally, what the EventBridge rule does in AWS (infra/aws/webhooks.ts): the same envelopes to the webhook fan-out.
    const ruleTarget = setting('LOCAL_WEBHOOK_EVENTS_QUEUE_URL');
    if (!ruleTarget) continue;
    const copied = await sqsClient().send(
      new SendMessageBatchCommand({
        QueueUrl: ruleTarget,
        Entries: batch.map((e, i) => ({ Id: String(i), MessageBody: JSON.stringify({ source: EVENT_SOURCE, 'detail-type': e.detailType, time: e.detail.at, detail: e.detail }) })),
      }),
    );
    if (copied.Failed?.length) throw new Error(`SQS refused ${copied.Failed.length} events for the webhook fan-out`);
  }
}
