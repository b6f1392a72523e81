// A whole local stack on the emulators: resources provisioned from the shared definitions and the real handlers,
// wired the way AWS wires them. Used by `npm start`, the tests and the benchmark.
import { QUEUES, TABLES } from '../../lib/adapters/resources';
import { localAwsEnv } from './emulators';
import type { StreamCheckpoint } from './persistence';
import { provision } from './provision';
import { drain, pollOnce, startPoller } from './runner';
import { streamMapping } from './stream-runner';
import { lambdaContext } from './runner';
import { setting } from '../../lib/config';

/** Runs `task` every `seconds` until stopped, as a schedule would: a failed run is logged and the next one comes. */
function everySeconds(seconds: number, name: string, task: () => Promise<unknown>): { stop: () => Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(task).catch((error: unknown) => console.error(`[${name}] failed: ${(error as Error).message}`));
  }, seconds * 1000);
  return { stop: async () => (clearInterval(timer), await running, undefined) };
}

export interface Endpoints {
  dynamoEndpoint: string;
  sqsEndpoint: string;
}

export async function loadHandlers() {
  const [ingest, countCdrs, investigate, api, audit, publishEvents] = await Promise.all([
    import('../../functions/ingest-cdrs/index'),
    import('../../functions/count-cdrs/index'),
    import('../../functions/investigate-dispute/index'),
    import('../../functions/api/index'),
    import('../../functions/run-audit/index'),
    import('../../functions/publish-dispute-events/index'),
  ]);
  return { ingest: ingest.handler, countCdrs: countCdrs.handler, investigate: investigate.handler, api: api.handler, audit: audit.handler, publishEvents: publishEvents.handler };
}

export type Handlers = Awaited<ReturnType<typeof loadHandlers>>;

/** The webhook functions (infra/aws/webhooks.ts deploys them). */
export async function loadWebhookHandlers() {
  const [fanOut, deliver] = await Promise.all([import('../../functions/fan-out-webhooks/index'), import('../../functions/deliver-webhooks/index')]);
  return { fanOutWebhooks: fanOut.handler, deliverWebhooks: deliver.handler };
}

/** Points this process's AWS SDK clients at the emulators and creates a stack's resources under `prefix`. */
export async function provisionLocalStack(endpoints: Endpoints, prefix: string, options: { visibilityTimeoutSeconds?: number; streamCheckpoint?: (tableName: string) => StreamCheckpoint } = {}) {
  Object.assign(process.env, localAwsEnv(endpoints));
  const env = await provision({ prefix, visibilityTimeoutSeconds: options.visibilityTimeoutSeconds });
  // No EventBridge locally: the publisher also feeds the webhook fan-out's queue, as the rule does in AWS.
  env.LOCAL_WEBHOOK_EVENTS_QUEUE_URL = env[QUEUES.webhookEvents.env]!;
  Object.assign(process.env, env);
  const handlers = await loadHandlers();
  const webhooks = await loadWebhookHandlers();
  const webhookEventsUrl = env[QUEUES.webhookEvents.env]!;
  const webhookDeliveriesUrl = env[QUEUES.webhookDeliveries.env]!;
  const ingestUrl = env[QUEUES.cdrIngest.env]!;
  const investigationsUrl = env[QUEUES.investigations.env]!;
  const auditRunsUrl = env[QUEUES.auditRuns.env]!;
  const disputesTable = env[TABLES.disputes.env]!;
  const cdrsTable = env[TABLES.cdrs.env]!;
  // `npm start` resumes each stream where its last run stopped; the tests start from the oldest record.
  const disputeChanges = streamMapping(disputesTable, 'publish-dispute-events', handlers.publishEvents, { checkpoint: options.streamCheckpoint?.(disputesTable) });
  const cdrChanges = streamMapping(cdrsTable, 'count-cdrs', handlers.countCdrs, { batchSize: 1000, checkpoint: options.streamCheckpoint?.(cdrsTable) });
  // The Adjustments stream feeds the same publisher (adjustment.approved / adjustment.posted), as in AWS.
  const adjustmentsTable = env[TABLES.adjustments.env]!;
  const adjustmentChanges = streamMapping(adjustmentsTable, 'publish-dispute-events', handlers.publishEvents, { checkpoint: options.streamCheckpoint?.(adjustmentsTable) });
  const { handler: sweepHandler } = await import('../../functions/sweep-overdue/index');
  /** The overdue sweep as its schedule invokes it in AWS. */
  const sweepOverdue = () => sweepHandler({}, lambdaContext('sweep-overdue'));
  /** Runs the ingest mapping until its queue is empty, then the Cdrs stream until the statistics have counted it all. */
  const drainIngest = async (batchSize = 10) => {
    const messages = await drain(ingestUrl, 'ingest-cdrs', handlers.ingest, { batchSize });
    await cdrChanges.drain();
    return messages;
  };
  return {
    env,
    handlers,
    drainIngest,
    /** Runs the ingest mapping until its queue is empty, and only that (the benchmark times the stream apart). */
    drainIngestQueue: (batchSize = 10) => drain(ingestUrl, 'ingest-cdrs', handlers.ingest, { batchSize }),
    /** Runs the Cdrs stream mapping until the stream has nothing new: every stored CDR is then counted. */
    drainCdrChanges: () => cdrChanges.drain(),
    /** The Cdrs stream mapping itself (the fault-injection suite reads what it gave up on). */
    cdrChanges,
    drainInvestigations: () => drain(investigationsUrl, 'investigate-dispute', handlers.investigate),
    /** Runs the Disputes stream mapping until the stream has nothing new: the events are then on the events queue. */
    drainDisputeChanges: () => disputeChanges.drain(),
    /** Runs the Disputes stream, then the Adjustments stream, until neither has anything new (adjustments are made from the first). */
    drainAdjustmentChanges: async () => (await disputeChanges.drain()) + (await adjustmentChanges.drain()),
    /** One run of the overdue sweep (its own schedule in AWS; every OVERDUE_SWEEP_SECONDS in `npm start`). */
    sweepOverdue,
    /** Runs the audit mapping (one message at a time, as deployed) until its queue is empty. */
    drainAuditRuns: () => drain(auditRunsUrl, 'run-audit', handlers.audit, { batchSize: 1 }),
    pollIngestOnce: (batchSize = 10) => pollOnce(ingestUrl, 'ingest-cdrs', handlers.ingest, { batchSize }),
    /** Runs the webhook fan-out until its queue is empty: every published event is then a queued delivery. */
    drainWebhookEvents: () => drain(webhookEventsUrl, 'fan-out-webhooks', webhooks.fanOutWebhooks),
    startPollers: () => [
      startPoller(ingestUrl, 'ingest-cdrs', handlers.ingest, { batchSize: 10 }),
      startPoller(investigationsUrl, 'investigate-dispute', handlers.investigate),
      startPoller(auditRunsUrl, 'run-audit', handlers.audit, { batchSize: 1 }),
      disputeChanges.start(),
      cdrChanges.start(),
      adjustmentChanges.start(),
      everySeconds(setting('OVERDUE_SWEEP_SECONDS'), 'sweep-overdue', sweepOverdue),
      startPoller(webhookEventsUrl, 'fan-out-webhooks', webhooks.fanOutWebhooks),
      startPoller(webhookDeliveriesUrl, 'deliver-webhooks', webhooks.deliverWebhooks),
    ],
  };
}

export type LocalStack = Awaited<ReturnType<typeof provisionLocalStack>>;
