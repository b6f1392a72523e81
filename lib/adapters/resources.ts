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
  /** `include`: the only non-key attributes the index copies (INCLUDE); without it, every attribute (ALL). */
  indexes: IndexDef[];
  /** Attribute holding an epoch-seconds expiry, where retention matters. */
  ttlAttribute?: string;
  /** A change stream with old and new images, for tables whose changes are published. */
  stream?: boolean;
}

export interface IndexDef {
  name: string;
  partitionKey: KeyDef;
  sortKey?: KeyDef;
  include?: readonly string[];
}

const S = (name: string): KeyDef => ({ name, type: 'S' });

/** What the status indexes of Disputes copy besides keys: their filters' and the overdue sweep's attributes. */
const DISPUTE_LISTED = ['accountId', 'ticketId', 'origin', 'openedAt', 'dueBy', 'overdueAt'] as const;

export const TABLES = {
  /**
   * One item per CDR, under its account: `accountId`, then `calledNumber#source#callId`. An investigation's reads
   * are one Query of the account's calls to a number (or of the account, for call ids), and no index copies the item:
   * a stored CDR costs one write unit. Its stream is what the connect statistics and the hour index are made from
   * (lib/use-cases/statistics/count-cdrs.ts).
   */
  cdrs: {
    name: 'Cdrs',
    env: 'CDRS_TABLE',
    partitionKey: S('accountId'),
    sortKey: S('callKey'),
    indexes: [],
    ttlAttribute: 'expiresAt',
    stream: true,
  },
  /**
   * The audit's way into an hour of CDRs: pages of item keys (`[sequence, accountId, callKey]`, up to 2,000 a page),
   * written from the Cdrs stream, one page per stream batch, UTC hour and hour part. `hour#part` spreads an hour over
   * HOUR_PARTS partitions by stream shard; `shardId#firstSequence` orders a shard's pages, so a retried batch's page
   * overlaps an earlier one and the reader skips what it has read (cdr-hours.ts).
   */
  cdrHours: {
    name: 'CdrHours',
    env: 'CDR_HOURS_TABLE',
    partitionKey: S('hourPart'),
    sortKey: S('page'),
    indexes: [],
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
  /**
   * Connect statistics: counters per destination per UTC hour, with the stream shards' watermarks that make counting
   * exactly once. No TTL: statistics outlive the CDRs they were counted from.
   */
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
    // The indexes hold keys and a few small attributes (what their filters and the overdue sweep read), never the
    // recommendation's call list: a dispute of 200 calls is an item of about 80 KB, and an index projecting all of
    // it would copy those 80 KB on every write. Listings read the items themselves by key (dispute-reads.ts).
    indexes: [
      // The reviewer queue: by status, oldest first.
      { name: 'byStatus', partitionKey: S('status'), sortKey: S('openedAtId'), include: DISPUTE_LISTED },
      { name: 'byAccount', partitionKey: S('accountId'), sortKey: S('openedAtId'), include: ['status'] },
      // What an investigation reads of the account's history (repeat disputes, goodwill): one small entry item per
      // dispute (`account-history#<disputeId>`, dispute-store.ts), written with the dispute when it is opened and
      // decided. Only entries carry `historyOf`, so the index never copies a dispute with its call list.
      { name: 'historyByAccount', partitionKey: S('historyOf'), sortKey: S('openedAtId') },
      // The queue by due date (`dueBy#disputeId`): sorted by it, and `overdue=true` is the key range before now.
      { name: 'byStatusDue', partitionKey: S('status'), sortKey: S('dueById'), include: DISPUTE_LISTED },
      // Changes for polling ticket tools (`GET /v1/disputes?updatedSince=`): `updatedAt#disputeId` under one constant
      // key (`feed`). A write that moves updatedAt (a transition, the overdue mark; not a lease) moves the entry: 2
      // small writes. One key value takes about 1,000 write units a second, far above this product's rate of changes.
      { name: 'byUpdatedAt', partitionKey: S('feed'), sortKey: S('updatedAtId'), include: ['accountId', 'status'] },
    ],
    // Its stream drives the RECOMMENDED / DECIDED / overdue events and creates the adjustments of crediting decisions.
    stream: true,
  },
  /**
   * Adjustments to billing: one per crediting decision (`adj-<disputeId>-<history index>`), created by a conditional
   * put from the Disputes stream. Its stream publishes `adjustment.approved` / `adjustment.posted`, once per change.
   */
  adjustments: {
    name: 'Adjustments',
    env: 'ADJUSTMENTS_TABLE',
    partitionKey: S('adjustmentId'),
    // The billing system's feed: by status, in the order they reached it (`statusAt#adjustmentId`).
    indexes: [{ name: 'byStatus', partitionKey: S('status'), sortKey: S('statusAtId') }],
    stream: true,
  },
  audits: {
    name: 'Audits',
    env: 'AUDITS_TABLE',
    partitionKey: S('auditId'),
    indexes: [{ name: 'byStartedAt', partitionKey: S('kind'), sortKey: S('startedAt') }],
  },
  /** Webhook endpoints (lib/domain/webhooks/endpoint.ts): a client's own, with its signing secrets. */
  webhookEndpoints: {
    name: 'WebhookEndpoints',
    env: 'WEBHOOK_ENDPOINTS_TABLE',
    partitionKey: S('endpointId'),
    indexes: [
      // A client's endpoints, oldest first: what `GET /v1/webhook-endpoints` reads.
      { name: 'byOwner', partitionKey: S('owner'), sortKey: S('createdAt') },
      // The enabled ones, which the fan-out reads for every event (no Scan).
      { name: 'byStatus', partitionKey: S('status'), sortKey: S('endpointId') },
    ],
  },
  /** One item per event and endpoint (a stable id), with its last attempts; kept 30 days. */
  webhookDeliveries: {
    name: 'WebhookDeliveries',
    env: 'WEBHOOK_DELIVERIES_TABLE',
    partitionKey: S('deliveryId'),
    // An endpoint's delivery log, newest first.
    indexes: [{ name: 'byEndpoint', partitionKey: S('endpointId'), sortKey: S('createdAt') }],
    ttlAttribute: 'expiresAt',
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
  /** Every published event once (the EventBridge rule's target in AWS): the fan-out makes one delivery per endpoint. */
  webhookEvents: { name: 'webhook-events', env: 'WEBHOOK_EVENTS_QUEUE_URL', visibilityTimeoutSeconds: 60, maxReceiveCount: 5 },
  /**
   * One message per delivery. A failed attempt hides its message until the next one is due (ChangeMessageVisibility,
   * at most 12 h), so the queue itself retries: 72 h of backoff from 1 minute is under 30 receives.
   */
  webhookDeliveries: { name: 'webhook-deliveries', env: 'WEBHOOK_DELIVERIES_QUEUE_URL', visibilityTimeoutSeconds: 120, maxReceiveCount: 60 },
} as const satisfies Record<string, QueueDef>;

export type QueueKey = keyof typeof QUEUES;

export const dlqName = (queue: QueueDef) => `${queue.name}-dlq`;

/** How many partitions an hour of the CdrHours index is spread over (by stream shard). */
export const HOUR_PARTS = 16;
