// The one source of truth for table and queue names, keys and indexes: the CDK stack deploys these and the
// local runner creates the same ones on DynamoDB Local and the SQS emulator.

export interface KeyDef {
  name: string;
  type: 'S' | 'N';
}

export interface TableDef {
  /** Logical name, also the physical name's suffix. */
  name: string;
  /** Environment variable that carries the physical name to the handlers. */
  env: string;
  partitionKey: KeyDef;
  sortKey?: KeyDef;
  indexes: { name: string; partitionKey: KeyDef; sortKey?: KeyDef }[];
  /** Attribute holding an epoch-seconds expiry, where retention matters. */
  ttlAttribute?: string;
  /** A change stream with old and new images, for tables whose changes are published. */
  stream?: boolean;
}

const S = (name: string): KeyDef => ({ name, type: 'S' });

export const TABLES = {
  /** One item per CDR: keyed by `callId` + `source` (the deduplication key), so a call-id lookup is a plain query. */
  cdrs: {
    name: 'Cdrs',
    env: 'CDRS_TABLE',
    partitionKey: S('callId'),
    sortKey: S('source'),
    indexes: [
      // The account's calls to a destination in a window: `accountId`, then `calledNumber#startedAt (UTC)`.
      { name: 'byAccount', partitionKey: S('accountId'), sortKey: S('destinationStartedAt') },
      // A period's calls for the audit: `hour#shard` spreads an hour over shards that are read in parallel.
      { name: 'byHour', partitionKey: S('hourShard'), sortKey: S('startedAtUtc') },
    ],
    ttlAttribute: 'expiresAt',
  },
  /**
   * Malformed and conflicting CDRs, kept with the raw record and every failing field. File-ingest runs keep their
   * counters here too, under `run#…` keys that have no `source` and so stay out of the index.
   */
  rejects: {
    name: 'Rejects',
    env: 'REJECTS_TABLE',
    partitionKey: S('rejectId'),
    // A source's rejects, oldest first: what `disputes rejects list --source S` reads.
    indexes: [{ name: 'bySource', partitionKey: S('source'), sortKey: S('rejectId') }],
    ttlAttribute: 'expiresAt',
  },
  /** Connect statistics: counters per destination per UTC hour. */
  connectStats: {
    name: 'ConnectStats',
    env: 'CONNECT_STATS_TABLE',
    partitionKey: S('calledNumber'),
    sortKey: S('hour'),
    indexes: [],
  },
  disputes: {
    name: 'Disputes',
    env: 'DISPUTES_TABLE',
    partitionKey: S('disputeId'),
    indexes: [
      // The reviewer queue: by status, oldest first.
      { name: 'byStatus', partitionKey: S('status'), sortKey: S('openedAtId') },
      { name: 'byAccount', partitionKey: S('accountId'), sortKey: S('openedAtId') },
    ],
    // Its stream drives the RECOMMENDED / DECIDED events: a transition stored is a transition published.
    stream: true,
  },
  audits: {
    name: 'Audits',
    env: 'AUDITS_TABLE',
    partitionKey: S('auditId'),
    indexes: [{ name: 'byStartedAt', partitionKey: S('kind'), sortKey: S('startedAt') }],
  },
  /** Powertools idempotency records: the first response to each `Idempotency-Key`, kept 24 h. */
  idempotency: {
    name: 'Idempotency',
    env: 'IDEMPOTENCY_TABLE',
    partitionKey: S('id'),
    indexes: [],
    ttlAttribute: 'expiration',
  },
} as const satisfies Record<string, TableDef>;

export type TableKey = keyof typeof TABLES;

export interface QueueDef {
  name: string;
  /** Environment variable that carries the queue URL to whoever sends to it. */
  env: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

export const QUEUES = {
  cdrIngest: { name: 'cdr-ingest', env: 'CDR_INGEST_QUEUE_URL', visibilityTimeoutSeconds: 120, maxReceiveCount: 5 },
  investigations: { name: 'dispute-investigations', env: 'INVESTIGATIONS_QUEUE_URL', visibilityTimeoutSeconds: 120, maxReceiveCount: 5 },
  /** Audit runs: the schedule, the API and the CLI start one here; a run that nears its time limit re-queues itself. */
  auditRuns: { name: 'audit-runs', env: 'AUDIT_RUNS_QUEUE_URL', visibilityTimeoutSeconds: 960, maxReceiveCount: 3 },
} as const satisfies Record<string, QueueDef>;

export type QueueKey = keyof typeof QUEUES;

export const dlqName = (queue: QueueDef) => `${queue.name}-dlq`;

/** How many shards an hour of CDRs is spread over in the `byHour` index. */
export const HOUR_SHARDS = 8;
