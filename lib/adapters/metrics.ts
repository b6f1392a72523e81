// The pipeline's business metrics: every name in one place, published as CloudWatch EMF by Powertools Metrics
// (namespace POWERTOOLS_METRICS_NAMESPACE, dimension `service` = POWERTOOLS_SERVICE_NAME, both set by the CDK stack).
// Handlers and use cases count through `countMetric` / `countMetricBy`; each function's `metricsMiddleware()` (the
// Powertools `logMetrics` middleware) publishes what was counted at the end of the invocation. Outside Lambda they
// are off (metricsDisabled in lib/config.ts): counting does nothing and nothing reaches stdout.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { metricsDisabled, setting } from '../config';
import { logger } from './logger';

/**
 * Every metric the handlers publish, all counts. Those under DIMENSIONED are also published per value of their
 * dimension (besides the `service` total), each value a metric of its own in CloudWatch.
 */
export const METRICS = {
  /** ingest-cdrs: CDRs stored for the first time. */
  cdrsAccepted: 'CdrsAccepted',
  /** ingest-cdrs: CDRs already stored with the same content (counted once). */
  cdrsDuplicate: 'CdrsDuplicate',
  /** ingest-cdrs: CDRs with a stored source + call id of other content, kept in Rejects as CONFLICT. */
  cdrsConflict: 'CdrsConflict',
  /** ingest-cdrs: invalid CDRs kept in Rejects; by `Field`, each field (or column) a rejected record fails. */
  cdrsRejected: 'CdrsRejected',
  /** api: disputes opened by POST /v1/disputes (a retry that returns the same dispute is not counted). */
  disputesOpened: 'DisputesOpened',
  /** investigate-dispute: recommendations stored; by `Outcome`. */
  disputesRecommended: 'DisputesRecommended',
  /** api: reviewer decisions recorded. */
  disputesDecided: 'DisputesDecided',
  /** api: decisions that overrode the recommendation (of DisputesDecided). */
  decisionOverrides: 'DecisionOverrides',
  /** run-audit: findings of completed audits; by `FindingType`. */
  auditFindings: 'AuditFindings',
  /** run-audit: audits marked FAILED (alarmed on with the `service` dimension only: infra/aws/monitoring.ts). */
  auditFailed: 'AuditFailed',
  /** publish-dispute-events: dispute events a delivery attempt failed to publish (the stream record is retried). */
  eventDeliveryFailures: 'EventDeliveryFailures',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** The dimension each dimensioned metric is broken down by. Values come from bounded sets (fields, enums). */
export const DIMENSIONED = {
  [METRICS.cdrsRejected]: 'Field',
  [METRICS.disputesRecommended]: 'Outcome',
  [METRICS.auditFindings]: 'FindingType',
} as const satisfies Partial<Record<MetricName, string>>;

type DimensionedName = keyof typeof DIMENSIONED;

/** CloudWatch dimension values are at most 1024 characters; ours are names, kept short. */
const MAX_DIMENSION_VALUE = 128;

// Powertools' own warnings go to the log; "no metrics to publish" is normal for an invocation that counted nothing.
const quiet = {
  debug: (...args: unknown[]) => logger.debug(String(args[0])),
  info: (...args: unknown[]) => logger.info(String(args[0])),
  warn: (...args: unknown[]) => (String(args[0]).startsWith('No application metrics') ? logger.debug(String(args[0])) : logger.warn(String(args[0]))),
  error: (...args: unknown[]) => logger.error(String(args[0])),
};

let instance: Metrics | undefined;

/** The process's Metrics, created when first needed: settings are read then, not at import. */
function metrics(): Metrics {
  instance ??= new Metrics({ namespace: setting('POWERTOOLS_METRICS_NAMESPACE'), serviceName: setting('POWERTOOLS_SERVICE_NAME'), logger: quiet });
  return instance;
}

/** Adds `value` (0 too: a batch with none says so) to a metric with the `service` dimension; published when the invocation ends. */
export function countMetric(name: MetricName, value = 1): void {
  if (value < 0 || metricsDisabled()) return;
  metrics().addMetric(name, MetricUnit.Count, value);
}

/**
 * Adds counts per value of the metric's dimension, published at once (one EMF line per value), e.g.
 * `countMetricBy(METRICS.auditFindings, { BILLED_UNANSWERED: 2 })`, and `total` (by default their sum) to the
 * `service` total: a rejected record counts once under each field it fails but once in the total.
 */
export function countMetricBy(name: DimensionedName, counts: Record<string, number>, total = Object.values(counts).reduce((a, b) => a + b, 0)): void {
  if (metricsDisabled()) return;
  const dimension = DIMENSIONED[name];
  for (const [value, n] of Object.entries(counts)) {
    if (n <= 0) continue;
    const single = metrics().singleMetric();
    single.addDimension(dimension, value.slice(0, MAX_DIMENSION_VALUE) || '(none)');
    single.addMetric(name, MetricUnit.Count, n);
  }
  countMetric(name, total);
}

/**
 * The Powertools `logMetrics` middleware of a function: publishes the invocation's metrics as it ends, returns or
 * throws. Made on the first invocation, so the namespace and service are read from the settings then. While
 * metrics are off it does nothing at all (Powertools would still warn, on every invocation, of a missing namespace).
 */
export function metricsMiddleware(): ReturnType<typeof logMetrics> {
  let middleware: ReturnType<typeof logMetrics> | undefined;
  const powertools = () => (metricsDisabled() ? undefined : (middleware ??= logMetrics(metrics())));
  return {
    before: (request) => powertools()?.before?.(request),
    after: (request) => powertools()?.after?.(request),
    onError: (request) => powertools()?.onError?.(request),
  };
}
