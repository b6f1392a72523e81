// What an operator watches: one encrypted SNS topic every alarm goes to, the alarms (dead letters, function errors,
// the Disputes stream falling behind, failed audits) and one dashboard for the whole pipeline.
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  type IMetric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueKey, TableKey } from '../../lib/adapters/resources';
import type { FunctionKey } from './access';

/** The message the audit logs when it marks an audit FAILED (lib/use-cases/audit/run-audit.ts). */
export const AUDIT_FAILED_LOG_MESSAGE = 'audit failed';
/** Published by the handlers through Powertools Metrics (dimension `service`) when an audit fails. */
export const AUDIT_FAILED_METRIC = 'AuditFailed';
/** Counted from the audit's log lines by a metric filter, so the alarm works whether or not the handler emits the metric. */
export const AUDIT_FAILED_LOG_METRIC = 'AuditFailedLogLines';
/** The Disputes stream may fall this far behind before the events (and the ticket tools waiting on them) are late. */
export const STREAM_ITERATOR_AGE_ALARM = Duration.minutes(5);

export interface MonitoringProps {
  namespace: string;
  serviceName: string;
  topicKey: IKey;
  functions: Record<FunctionKey, IFunction>;
  /** The Cognito pre-token-generation trigger, when the stack has the user pool: while it fails, nobody signs in. */
  signInTrigger?: IFunction;
  auditLogGroup: ILogGroup;
  queues: Record<QueueKey, IQueue>;
  /** Every dead-letter queue, by a short name for the alarm. */
  deadLetterQueues: Record<string, IQueue>;
  tables: Record<TableKey, ITable>;
  httpApi: HttpApi;
}

export class PipelineMonitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { functions: fns, queues, tables, httpApi } = props;
    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'Dispute pipeline alarms', masterKey: props.topicKey, enforceSSL: true });
    new CfnOutput(scope, 'AlarmTopicArn', { value: this.topic.topicArn, description: 'Every alarm of the pipeline notifies this SNS topic: subscribe the on-call' });
    const action = new SnsAction(this.topic);
    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string, evaluationPeriods = 1) => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    // Anything in a dead-letter queue is work the pipeline gave up on: an operator looks, fixes and redrives.
    for (const [name, dlq] of Object.entries(props.deadLetterQueues)) {
      alarm(`DeadLetters-${name}`, dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }), 0, `Messages in the ${name} dead-letter queue: inspect them, fix the cause, redrive`);
    }
    // A function error is an invocation that failed as a whole (record-level failures go back to their queue).
    for (const [key, fn] of Object.entries(fns)) {
      alarm(`Errors-${key}`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 0, `The ${key} function failed invocations: see its log group`);
    }
    if (props.signInTrigger) {
      alarm('Errors-signInTrigger', props.signInTrigger.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 0, 'The Cognito pre-token-generation trigger failed: people cannot sign in while it fails; see its log group');
    }
    const publisher = fns.publishEvents;
    const iteratorAge = publisher.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' });
    // By function, so it covers both of the publisher's streams (Disputes, and Adjustments: infra/aws/due-dates-and-adjustments.ts).
    alarm('DisputeStreamIteratorAge', iteratorAge, STREAM_ITERATOR_AGE_ALARM.toMilliseconds(), 'Dispute and adjustment events are more than 5 minutes behind the Disputes or Adjustments table', 3);
    // The audit compares only what settled REPAIR_SETTLE_MS (10 min) before it: the statistics must not lag that much.
    const countsAge = fns.countCdrs.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' });
    alarm('CdrStreamIteratorAge', countsAge, STREAM_ITERATOR_AGE_ALARM.toMilliseconds(), 'Connect statistics are more than 5 minutes behind the Cdrs table', 3);

    new MetricFilter(this, 'AuditFailedLogLines', {
      logGroup: props.auditLogGroup,
      filterPattern: FilterPattern.all(FilterPattern.stringValue('$.level', '=', 'ERROR'), FilterPattern.stringValue('$.message', '=', AUDIT_FAILED_LOG_MESSAGE)),
      metricNamespace: props.namespace,
      metricName: AUDIT_FAILED_LOG_METRIC,
      metricValue: '1',
    });
    const auditFailures = new MathExpression({
      label: 'Audits failed',
      expression: 'FILL(logged, 0) + FILL(emitted, 0)',
      period: Duration.minutes(5),
      usingMetrics: {
        logged: new Metric({ namespace: props.namespace, metricName: AUDIT_FAILED_LOG_METRIC, statistic: 'Sum' }),
        emitted: new Metric({ namespace: props.namespace, metricName: AUDIT_FAILED_METRIC, dimensionsMap: { service: props.serviceName }, statistic: 'Sum' }),
      },
    });
    alarm('AuditFailed', auditFailures, 0, 'An audit was marked FAILED: GET /v1/audits/{id} has the reason');

    // --- Dashboard ---
    const lambda = (fn: IFunction) => [
      fn.metricInvocations({ statistic: 'Sum' }),
      fn.metricErrors({ statistic: 'Sum' }),
      fn.metricThrottles({ statistic: 'Sum' }),
      fn.metric('ConcurrentExecutions', { statistic: 'Maximum' }),
    ];
    const queue = (q: IQueue) => [q.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }), q.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum' })];
    const writes = (t: ITable) => [t.metricConsumedWriteCapacityUnits({ statistic: 'Sum' }), t.metric('WriteThrottleEvents', { statistic: 'Sum' })];
    const reads = (t: ITable) => [t.metricConsumedReadCapacityUnits({ statistic: 'Sum' }), t.metric('ReadThrottleEvents', { statistic: 'Sum' })];
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) => new GraphWidget({ title, left, right, width: 8, height: 6 });
    const heading = (text: string) => new TextWidget({ markdown: `### ${text}`, width: 24, height: 1 });

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${Stack.of(this).stackName}-pipeline` });
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 3 }));
    this.dashboard.addWidgets(heading('Ingest: CDRs through the queue into Cdrs and Rejects'));
    this.dashboard.addWidgets(
      graph('cdr-ingest queue', queue(queues.cdrIngest)),
      graph('ingest-cdrs function', lambda(fns.ingest), [fns.ingest.metricDuration({ statistic: 'p99' })]),
      graph('Cdrs and Rejects writes', [...writes(tables.cdrs), ...writes(tables.rejects)]),
    );
    this.dashboard.addWidgets(heading('Connect statistics: counted from the Cdrs stream'));
    this.dashboard.addWidgets(
      graph('count-cdrs function (Cdrs stream)', lambda(fns.countCdrs), [countsAge]),
      graph('ConnectStats writes (one conditional update per destination-hour per stream batch)', writes(tables.connectStats)),
      graph('ConnectStats reads', reads(tables.connectStats)),
      graph('Cdrs reads (investigations, audit)', reads(tables.cdrs)),
    );
    this.dashboard.addWidgets(heading('Investigations and dispute events'));
    this.dashboard.addWidgets(
      graph('dispute-investigations queue', queue(queues.investigations)),
      graph('investigate-dispute function', lambda(fns.investigate), [fns.investigate.metricDuration({ statistic: 'p99' })]),
      graph('Disputes stream → events', [...lambda(publisher)], [iteratorAge]),
    );
    this.dashboard.addWidgets(heading('API'));
    this.dashboard.addWidgets(
      graph('Requests and errors', [httpApi.metricCount({ statistic: 'Sum' }), httpApi.metricClientError({ statistic: 'Sum' }), httpApi.metricServerError({ statistic: 'Sum' })]),
      graph('Latency (p50, p99)', [httpApi.metricLatency({ statistic: 'p50' }), httpApi.metricLatency({ statistic: 'p99' }), httpApi.metricIntegrationLatency({ statistic: 'p99' })]),
      graph('api function and Disputes', lambda(fns.api), [...writes(tables.disputes), ...reads(tables.disputes)]),
    );
    this.dashboard.addWidgets(heading('Audit'));
    this.dashboard.addWidgets(
      graph('audit-runs queue', queue(queues.auditRuns)),
      graph('run-audit function', lambda(fns.audit), [fns.audit.metricDuration({ statistic: 'Maximum' })]),
      graph('Audit failures and Audits writes', [auditFailures], writes(tables.audits)),
    );
    this.dashboard.addWidgets(heading('Dead-letter queues'));
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Messages in dead-letter queues',
        left: Object.entries(props.deadLetterQueues).map(([name, q]) => q.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: name })),
        width: 24,
        height: 6,
      }),
    );
    new CfnOutput(scope, 'DashboardName', { value: this.dashboard.dashboardName });
  }
}
