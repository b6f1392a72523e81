// The one place that reads environment variables. Each read validates what it needs, so a missing or malformed
// setting fails with the variable's name instead of somewhere downstream. Values are read when asked for, not at
// import: the local runner sets the environment after the modules are loaded.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ValidationError } from './domain/errors';
import { DEFAULT_APPROVAL_LIMITS, parseApprovalLimits } from './domain/adjustments/adjustment';
import { parseServiceLevels } from './domain/disputes/due-date';
import { QUEUES, type QueueKey, TABLES, type TableKey } from './adapters/resources';

/** The repository's root: where the local stack keeps its state and the demo data lives. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const Port = z.coerce.number().int().min(0).max(65_535);
/** A yes/no variable as Powertools reads them (true/false, 1/0, yes/no, on/off); undefined when not set. */
const Flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v))
  .optional();
const Caller = z.object({ subject: z.string().min(1), roles: z.array(z.enum(['ticketing', 'reviewer', 'auditor', 'billing'])) });

const SETTINGS = {
  /** `jwt` in AWS (claims from the API Gateway authoriser); anything else means bearer tokens from API_TOKENS. */
  AUTH_MODE: z.enum(['jwt', 'tokens']).default('tokens'),
  /** Locally: a JSON map of bearer token → { subject, roles }. */
  API_TOKENS: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return z.record(z.string(), Caller).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON map of token to { subject, roles }' });
        return z.NEVER;
      }
    }),
  /** A policy file (locally), else the SSM parameter (in AWS), else the built-in policy. */
  POLICY_FILE: z.string().min(1).optional(),
  POLICY_PARAMETER: z.string().min(1).optional(),
  /** Where dispute events go: the EventBridge bus in AWS, a queue locally. */
  EVENT_BUS_NAME: z.string().min(1).optional(),
  DISPUTE_EVENTS_QUEUE_URL: z.string().min(1).optional(),
  POWERTOOLS_SERVICE_NAME: z.string().min(1).default('dispute-pipeline'),
  /** The CloudWatch namespace of the handlers' metrics (set by the CDK stack). */
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1).max(255).optional(),
  /** Metrics on or off; unset: on in Lambda, off elsewhere (see metricsDisabled). */
  POWERTOOLS_METRICS_DISABLED: Flag,
  /** X-Ray tracing on or off; unset: on in Lambda, off elsewhere (see tracingEnabled). */
  POWERTOOLS_TRACE_ENABLED: Flag,
  /** Set by the Lambda runtime: tells a function in AWS from the same code run locally. */
  AWS_LAMBDA_FUNCTION_NAME: z.string().min(1).optional(),
  /** The CLI: which running local stack to talk to. */
  DISPUTES_STATE: z.string().min(1).default(join(ROOT, '.local', 'stack.json')),
  /** Hours from opening to the decision due, per origin (`TICKET=48,AUDIT=120`); origins not named keep their default. */
  SERVICE_LEVEL_HOURS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        return parseServiceLevels(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Credits above these amounts (minor units per currency, `USD=5000,EUR=5000`) need a second reviewer's approval. */
  ADJUSTMENT_APPROVAL_LIMITS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      try {
        return text === undefined || text.trim() === '' ? DEFAULT_APPROVAL_LIMITS : parseApprovalLimits(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** `npm start`: how often the overdue sweep runs (in AWS its own schedule, context `overdueSweepRate`). */
  OVERDUE_SWEEP_SECONDS: z.coerce.number().positive().default(60),
  /** `npm start`. */
  API_PORT: Port.default(3000),
  DYNAMO_PORT: Port.default(8000),
  SQS_PORT: Port.default(4566),
  AUDIT_INTERVAL_MINUTES: z.coerce.number().positive().default(60),
  /**
   * How long a CDR is kept after it started (days): older ones are refused at ingest (OUTSIDE_RETENTION) and stored
   * ones expire after it plus a grace (lib/domain/retention.ts). Tests of historical sample files raise it.
   */
  CDR_RETENTION_DAYS: z.coerce.number().int().positive().default(400),
  START_EXIT_AFTER_DEMO: z.enum(['0', '1']).default('0'),
  /** `npm start`: where DynamoDB Local keeps its data, the queues' messages at stop and the stream positions. */
  DATA_DIR: z.string().min(1).default(join(ROOT, '.local', 'data')),
  /**
   * Webhook retries (lib/domain/webhooks/retry.ts): the first backoff, the longest, how long a delivery is retried and
   * how long an endpoint may fail without a success before it is disabled. The tests shorten them.
   */
  WEBHOOK_BASE_DELAY_MS: z.coerce.number().int().positive().default(60_000),
  WEBHOOK_MAX_DELAY_MS: z.coerce.number().int().positive().max(12 * 3_600_000).default(12 * 3_600_000),
  WEBHOOK_RETRY_HORIZON_MS: z.coerce.number().int().positive().default(72 * 3_600_000),
  WEBHOOK_DISABLE_AFTER_MS: z.coerce.number().int().positive().default(72 * 3_600_000),
  /** How long one delivery waits for the receiver's answer. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().max(30_000).default(10_000),
  /**
   * Locally, where no EventBridge rule runs: the queue the rule targets in AWS (webhook-events). The local publisher
   * sends each event there too (lib/adapters/events.ts).
   */
  LOCAL_WEBHOOK_EVENTS_QUEUE_URL: z.string().min(1).optional(),
} as const;

type Settings = { [K in keyof typeof SETTINGS]: z.output<(typeof SETTINGS)[K]> };

/** One setting, validated. */
export function setting<K extends keyof Settings>(name: K): Settings[K] {
  const parsed = SETTINGS[name].safeParse(process.env[name]);
  if (!parsed.success) throw new ValidationError(name, `environment variable ${name}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data as Settings[K];
}

const inLambda = () => setting('AWS_LAMBDA_FUNCTION_NAME') !== undefined;

/**
 * Whether the handlers' metrics are off: as POWERTOOLS_METRICS_DISABLED says, else off outside Lambda, where the EMF
 * lines Powertools prints to stdout would only clutter `npm start` and the tests.
 */
export const metricsDisabled = (): boolean => setting('POWERTOOLS_METRICS_DISABLED') ?? !inLambda();

/**
 * Whether webhooks may go to http:// on this machine: only outside Lambda (the local stack and its tests). In Lambda a
 * loopback URL would reach the runtime's own API, so only https:// is delivered to there.
 */
export const webhooksAllowLoopback = (): boolean => !inLambda();

/** Whether X-Ray tracing is on: as POWERTOOLS_TRACE_ENABLED says, else on in Lambda only (there is no X-Ray locally). */
export const tracingEnabled = (): boolean => setting('POWERTOOLS_TRACE_ENABLED') ?? inLambda();

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new ValidationError(name, `environment variable ${name} is not set`);
  return value;
}

/** A table's name, from the variable its definition names (CDRS_TABLE, …). */
export const tableName = (table: TableKey): string => required(TABLES[table].env);
/** A queue's URL, from the variable its definition names (CDR_INGEST_QUEUE_URL, …). */
export const queueUrl = (queue: QueueKey): string => required(QUEUES[queue].env);
