// A whole local stack on the emulators: resources provisioned from the shared definitions and the real handlers,
// wired the way AWS wires them. Used by `npm start`, the tests and the benchmark.
import { QUEUES, TABLES } from '../adapters/resources';
import { localAwsEnv } from './emulators';
import { provision } from './provision';
import { drain, pollOnce, startPoller } from './runner';
import { streamMapping } from './stream-runner';

export interface Endpoints {
  dynamoEndpoint: string;
  sqsEndpoint: string;
}

export async function loadHandlers() {
  const [ingest, investigate, api, audit, publishEvents] = await Promise.all([
    import('../../functions/ingest-cdrs/index'),
    import('../../functions/investigate-dispute/index'),
    import('../../functions/api/index'),
    import('../../functions/run-audit/index'),
    import('../../functions/publish-dispute-events/index'),
  ]);
  return { ingest: ingest.handler, investigate: investigate.handler, api: api.handler, audit: audit.handler, publishEvents: publishEvents.handler };
}

export type Handlers = Awaited<ReturnType<typeof loadHandlers>>;

/** Points this process's AWS SDK clients at the emulators and creates a stack's resources under `prefix`. */
export async function provisionLocalStack(endpoints: Endpoints, prefix: string, options: { visibilityTimeoutSeconds?: number } = {}) {
  Object.assign(process.env, localAwsEnv(endpoints));
  const env = await provision({ prefix, ...options });
  Object.assign(process.env, env);
  const handlers = await loadHandlers();
  const ingestUrl = env[QUEUES.cdrIngest.env]!;
  const investigationsUrl = env[QUEUES.investigations.env]!;
  const auditRunsUrl = env[QUEUES.auditRuns.env]!;
  const disputeChanges = streamMapping(env[TABLES.disputes.env]!, 'publish-dispute-events', handlers.publishEvents);
  return {
    env,
    handlers,
    /** Runs the ingest mapping until its queue is empty. */
    drainIngest: (batchSize = 10) => drain(ingestUrl, 'ingest-cdrs', handlers.ingest, { batchSize }),
    drainInvestigations: () => drain(investigationsUrl, 'investigate-dispute', handlers.investigate),
    /** Runs the Disputes stream mapping until the stream has nothing new: the events are then on the events queue. */
    drainDisputeChanges: () => disputeChanges.drain(),
    /** Runs the audit mapping (one message at a time, as deployed) until its queue is empty. */
    drainAuditRuns: () => drain(auditRunsUrl, 'run-audit', handlers.audit, { batchSize: 1 }),
    pollIngestOnce: (batchSize = 10) => pollOnce(ingestUrl, 'ingest-cdrs', handlers.ingest, { batchSize }),
    startPollers: () => [
      startPoller(ingestUrl, 'ingest-cdrs', handlers.ingest, { batchSize: 10 }),
      startPoller(investigationsUrl, 'investigate-dispute', handlers.investigate),
      startPoller(auditRunsUrl, 'run-audit', handlers.audit, { batchSize: 1 }),
      disputeChanges.start(),
    ],
  };
}

export type LocalStack = Awaited<ReturnType<typeof provisionLocalStack>>;
