// Signed webhooks on AWS, built on the existing event flow: an EventBridge rule sends every event of the dispute bus
// to the webhook-events queue; λ fan-out-webhooks makes one delivery per subscribed endpoint on webhook-deliveries;
// λ deliver-webhooks POSTs each and, on failure, hides the message until the next attempt is due, so SQS itself
// retries (72 h of backoff within maxReceiveCount, then the alarmed dead-letter queue). Tables and queues come from
// lib/adapters/resources.ts with the others; this construct adds the functions, the rule, the rights and alarms.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, GraphWidget, type IMetric, TextWidget, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUES, type QueueKey } from '../../lib/adapters/resources';
import { EVENT_SOURCE } from '../../lib/domain/disputes/events';
import { type AccessTargets, type FunctionAccess, grantAccess } from './access';
import type { PipelineMonitoring } from './monitoring';
import { acknowledge } from './nag';
import { pipelineFunction } from './pipeline-function';

/** The webhook functions, their code and exactly what their code calls (test/infra/webhooks.test.ts compares). */
export const WEBHOOK_FUNCTIONS = {
  // listEnabledEndpoints (byStatus), createDelivery (conditional put, then a read of the existing one), the queue.
  fanOutWebhooks: {
    id: 'FanOutWebhooks',
    entry: 'functions/fan-out-webhooks/index.ts',
    access: { tables: { webhookEndpoints: { queries: ['byStatus'] }, webhookDeliveries: { actions: ['PutItem', 'GetItem'] } }, sends: ['webhookDeliveries'] },
  },
  // getDelivery, claim / save / cancel (conditional updates); getEndpoint, its outcome and disabling (updates).
  // ChangeMessageVisibility on its own queue comes with the event source.
  deliverWebhooks: {
    id: 'DeliverWebhooks',
    entry: 'functions/deliver-webhooks/index.ts',
    access: { tables: { webhookDeliveries: { actions: ['GetItem', 'UpdateItem'] }, webhookEndpoints: { actions: ['GetItem', 'UpdateItem'] } } },
  },
} as const satisfies Record<string, { id: string; entry: string; access: FunctionAccess }>;

/**
 * The API's webhook routes: endpoints by owner (byOwner), created, read, changed and deleted with the owner in the
 * condition; the delivery log (byEndpoint), a re-send (conditional update) and its queue message.
 */
export const API_WEBHOOK_ACCESS: FunctionAccess = {
  tables: {
    webhookEndpoints: { actions: ['PutItem', 'GetItem', 'UpdateItem', 'DeleteItem'], queries: ['byOwner'] },
    webhookDeliveries: { actions: ['UpdateItem'], queries: ['byEndpoint'] },
  },
  sends: ['webhookDeliveries'],
};

export interface WebhooksProps {
  root: string;
  bus: IEventBus;
  environment: Record<string, string>;
  targets: AccessTargets;
  key?: IKey;
  api: NodejsFunction;
  monitoring: PipelineMonitoring;
}

const SQS_FED = 'Fed by an SQS event source only, never invoked asynchronously: a failed message goes back to its queue and after maxReceiveCount to the queue\'s own dead-letter queue (redrive policy).';

export class Webhooks extends Construct {
  readonly functions: Record<keyof typeof WEBHOOK_FUNCTIONS, NodejsFunction>;
  readonly rule: Rule;
  readonly ruleDeadLetters: Queue;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    const queues = props.targets.queues as Record<QueueKey, Queue>;
    const make = (key: keyof typeof WEBHOOK_FUNCTIONS, timeout: Duration, queue: QueueKey, batch: { batchSize: number; maxConcurrency: number }) => {
      const def = WEBHOOK_FUNCTIONS[key];
      // Lambda wants the queue's visibility timeout at least the function's: fail the synth, not the deployment.
      if (QUEUES[queue].visibilityTimeoutSeconds < timeout.toSeconds()) throw new Error(`queue ${QUEUES[queue].name}: visibility timeout below ${def.id}'s timeout`);
      const { fn } = pipelineFunction(this, def.id, {
        root: props.root,
        entry: def.entry,
        timeout,
        memorySize: 256,
        environment: props.environment,
        access: def.access,
        targets: props.targets,
        key: props.key,
        noLambdaDlqBecause: SQS_FED,
      });
      fn.addEventSource(new SqsEventSource(queues[queue], { ...batch, reportBatchItemFailures: true }));
      acknowledge(fn, { 'Serverless-LambdaEventSourceMappingDestination': "SQS event sources take no on-failure destination: the queue's redrive policy moves a message that keeps failing to its dead-letter queue, which is alarmed." });
      return fn;
    };
    // A batch of deliveries is sent in parallel, each waiting at most 10 s for its receiver.
    this.functions = {
      fanOutWebhooks: make('fanOutWebhooks', Duration.seconds(30), 'webhookEvents', { batchSize: 10, maxConcurrency: 2 }),
      deliverWebhooks: make('deliverWebhooks', Duration.seconds(60), 'webhookDeliveries', { batchSize: 10, maxConcurrency: 10 }),
    };
    grantAccess(props.api, API_WEBHOOK_ACCESS, props.targets);

    // Every event of the bus, once, to the fan-out's queue. What the rule cannot deliver lands in its own DLQ.
    this.ruleDeadLetters = new Queue(this, 'RuleDeadLetters', {
      queueName: `${Stack.of(this).stackName}-webhook-events-rule-dlq`,
      ...(props.key ? { encryption: QueueEncryption.KMS, encryptionMasterKey: props.key } : { encryption: QueueEncryption.SQS_MANAGED }),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.ruleDeadLetters, {
      'AwsSolutions-SQS3': 'The dead-letter queue of the webhook-events rule target (events EventBridge could not put on the queue): it is itself the dead-letter queue.',
      'Serverless-SQSRedrivePolicy': 'This is a dead-letter queue: nothing consumes it, so it has no redrive of its own; its depth is alarmed and an operator redrives it after the fix.',
    });
    this.rule = new Rule(this, 'AllEvents', {
      eventBus: props.bus,
      description: 'Every dispute-pipeline event to the webhook fan-out',
      eventPattern: { source: [EVENT_SOURCE] },
      targets: [new SqsQueue(queues.webhookEvents, { deadLetterQueue: this.ruleDeadLetters, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });
    // A customer-managed key must let EventBridge encrypt what it puts on the queues (an imported key: its own policy).
    // Rules of this bus only; naming the rule itself would make the key depend on the queue it encrypts.
    props.key?.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EventBridgeRulesOfTheDisputeBus',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { ArnLike: { 'aws:SourceArn': Stack.of(this).formatArn({ service: 'events', resource: 'rule', resourceName: `${props.bus.eventBusName}/*` }) } },
      }),
    );

    const action = new SnsAction(props.monitoring.topic);
    const alarm = (alarmId: string, metric: IMetric, description: string) => {
      const created = new Alarm(this, alarmId, { metric, threshold: 0, evaluationPeriods: 1, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD, treatMissingData: TreatMissingData.NOT_BREACHING, alarmDescription: description });
      created.addAlarmAction(action);
      created.addOkAction(action);
      props.monitoring.alarms.push(created);
    };
    for (const [key, fn] of Object.entries(this.functions)) alarm(`Errors-${key}`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), `The ${key} function failed invocations: see its log group`);
    alarm('DeadLetters-webhook-events-rule', this.ruleDeadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }), 'Events the rule could not put on webhook-events: inspect, fix, redrive');

    const graph = (title: string, left: IMetric[]) => new GraphWidget({ title, left, width: 8, height: 6 });
    props.monitoring.dashboard.addWidgets(new TextWidget({ markdown: '### Webhooks: events to ticket tools', width: 24, height: 1 }));
    props.monitoring.dashboard.addWidgets(
      graph('webhook-events and webhook-deliveries queues', [queues.webhookEvents.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }), queues.webhookDeliveries.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }), queues.webhookDeliveries.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum' })]),
      graph('fan-out-webhooks', [this.functions.fanOutWebhooks.metricInvocations({ statistic: 'Sum' }), this.functions.fanOutWebhooks.metricErrors({ statistic: 'Sum' })]),
      graph('deliver-webhooks', [this.functions.deliverWebhooks.metricInvocations({ statistic: 'Sum' }), this.functions.deliverWebhooks.metricErrors({ statistic: 'Sum' }), this.functions.deliverWebhooks.metricDuration({ statistic: 'p99' })]),
    );
    // The pipeline's dead-letter graph predates this construct: the rule's own dead letters are shown here.
    props.monitoring.dashboard.addWidgets(
      new GraphWidget({ title: 'Messages in the webhook-events rule dead-letter queue', left: [this.ruleDeadLetters.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: 'webhook-events-rule' })], width: 24, height: 6 }),
    );
  }
}
