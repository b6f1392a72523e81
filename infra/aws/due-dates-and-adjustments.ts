// Due dates and adjustments to billing on AWS, on the existing event flow. The Disputes stream's publisher also
// creates the adjustments of crediting decisions (conditional put) and publishes `Dispute Overdue`; the Adjustments
// table's stream feeds the same publisher (`Adjustment Approved` / `Posted`). λ sweep-overdue runs on its own
// schedule and marks each undecided dispute past its due date overdue, once. Tables come from resources.ts with the
// others; this construct adds the sweep, the second stream source, the rights and the alarm.
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, GraphWidget, TextWidget, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type CfnFunction, type IEventSourceDlq, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { parseApprovalLimits } from '../../lib/domain/adjustments/adjustment';
import { parseServiceLevels } from '../../lib/domain/disputes/due-date';
import { type AccessTargets, type FunctionAccess, type FunctionKey, grantAccess } from './access';
import { grantKey } from './encryption';
import type { PipelineMonitoring } from './monitoring';
import { acknowledge } from './nag';
import { pipelineFunction } from './pipeline-function';

/** The sweep: undecided disputes by status (byStatus: those without a due date; byStatusDue: those due), conditional updates. */
export const SWEEP_FUNCTION = {
  id: 'SweepOverdue',
  entry: 'functions/sweep-overdue/index.ts',
  access: { tables: { disputes: { actions: ['UpdateItem'], queries: ['byStatus', 'byStatusDue'] } } },
} as const satisfies { id: string; entry: string; access: FunctionAccess };

/** The API's new reads and writes: the queue by due date and the change feed; adjustments read, approved, posted. */
export const API_ADJUSTMENT_ACCESS: FunctionAccess = {
  tables: {
    disputes: { queries: ['byStatusDue', 'byUpdatedAt'] },
    adjustments: { actions: ['GetItem', 'PutItem'], queries: ['byStatus'] },
  },
};

/** The publisher creates each crediting decision's adjustment (a conditional put); its streams come with their sources. */
export const PUBLISHER_ADJUSTMENT_ACCESS: FunctionAccess = { tables: { adjustments: { actions: ['PutItem'] } } };

export interface DueDatesAndAdjustmentsProps {
  root: string;
  environment: Record<string, string>;
  targets: AccessTargets;
  key?: IKey;
  /** The pipeline's functions: the API and the publisher get rights here, all of them the configuration. */
  functions: Record<FunctionKey, NodejsFunction>;
  /** The publisher's on-failure destination for its Disputes stream: the Adjustments stream's too. */
  publisherDeadLetters: IQueue;
  /** Where the schedule's undeliverable invocations go (the audit schedule's DLQ: the same kind of loss). */
  scheduleDeadLetters: IQueue;
  monitoring: PipelineMonitoring;
}

export class DueDatesAndAdjustments extends Construct {
  readonly sweep: NodejsFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: DueDatesAndAdjustmentsProps) {
    super(scope, id);
    const { api, publishEvents: publisher } = props.functions;
    grantAccess(api, API_ADJUSTMENT_ACCESS, props.targets);
    grantAccess(publisher, PUBLISHER_ADJUSTMENT_ACCESS, props.targets);

    // Adjustment changes to the same publisher, retried and dead-lettered as its Disputes stream is.
    const onFailure: IEventSourceDlq = {
      bind: (_mapping, target) => {
        // Exactly sqs:SendMessage and the key, as the Disputes stream's source (grantSendMessages adds kms wildcards).
        props.publisherDeadLetters.grant(target, 'sqs:SendMessage');
        grantKey(props.key, target, true);
        return { destination: props.publisherDeadLetters.queueArn };
      },
    };
    publisher.addEventSource(
      new DynamoEventSource(props.targets.tables.adjustments, { startingPosition: StartingPosition.TRIM_HORIZON, batchSize: 100, bisectBatchOnError: true, retryAttempts: 10, reportBatchItemFailures: true, onFailure }),
    );

    const { fn } = pipelineFunction(this, SWEEP_FUNCTION.id, {
      root: props.root,
      entry: SWEEP_FUNCTION.entry,
      timeout: Duration.minutes(2),
      memorySize: 256,
      environment: props.environment,
      access: SWEEP_FUNCTION.access,
      targets: props.targets,
      key: props.key,
      // One at a time: two sweeps at once would mark nothing twice (conditional writes), only read twice.
      reservedConcurrency: 1,
      noLambdaDlqBecause:
        'Invoked by its schedule only, and it sweeps state rather than consuming a message: a failed run loses nothing, the next scheduled run marks the same disputes; its errors are alarmed.',
    });
    this.sweep = fn;

    const role = new Role(this, 'ScheduleRole', {
      // Only schedules of this account may assume it (as the audit schedule's role).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'EventBridge Scheduler: invokes the overdue sweep',
    });
    grantKey(props.key, role, true);
    // The target grants invoking the function and its versions (`<arn>:*`): the schedule invokes this one function.
    const stack = Stack.of(this);
    const functionId = stack.resolve(stack.getLogicalId(fn.node.defaultChild as CfnFunction)) as string;
    acknowledge(role, {
      [`AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`]: 'Added by the scheduler target\'s own grant (lambda:InvokeFunction on the function and its versions); it names the sweep function only.',
    });
    const rate = (this.node.tryGetContext('overdueSweepRate') as string | undefined) ?? 'rate(15 minutes)';
    this.schedule = new Schedule(this, 'Schedule', {
      schedule: ScheduleExpression.expression(rate),
      description: 'Marks undecided disputes past their due date overdue (dispute.overdue)',
      target: new LambdaInvoke(fn, { retryAttempts: 2, maxEventAge: Duration.minutes(15), deadLetterQueue: props.scheduleDeadLetters, role }),
    });

    const action = new SnsAction(props.monitoring.topic);
    const alarm = new Alarm(this, 'Errors-sweepOverdue', {
      metric: fn.metricErrors({ period: Duration.minutes(15), statistic: 'Sum' }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: 'The overdue sweep failed: no dispute.overdue is sent until it succeeds; see its log group',
    });
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    props.monitoring.alarms.push(alarm);
    props.monitoring.dashboard.addWidgets(new TextWidget({ markdown: '### Due dates: the overdue sweep', width: 24, height: 1 }));
    props.monitoring.dashboard.addWidgets(
      new GraphWidget({ title: 'sweep-overdue function', left: [fn.metricInvocations({ statistic: 'Sum' }), fn.metricErrors({ statistic: 'Sum' })], right: [fn.metricDuration({ statistic: 'Maximum' })], width: 12, height: 6 }),
    );

    // Context `serviceLevelHours` (TICKET=48,AUDIT=120) and `adjustmentApprovalLimits` (USD=5000,…): checked at synth,
    // given to every function that reads disputes or makes adjustments; without them the built-in defaults apply.
    const configuration = {
      SERVICE_LEVEL_HOURS: this.node.tryGetContext('serviceLevelHours') as string | undefined,
      ADJUSTMENT_APPROVAL_LIMITS: this.node.tryGetContext('adjustmentApprovalLimits') as string | undefined,
    };
    if (configuration.SERVICE_LEVEL_HOURS) parseServiceLevels(configuration.SERVICE_LEVEL_HOURS);
    if (configuration.ADJUSTMENT_APPROVAL_LIMITS) parseApprovalLimits(configuration.ADJUSTMENT_APPROVAL_LIMITS);
    for (const f of [...Object.values(props.functions), fn]) {
      for (const [name, value] of Object.entries(configuration)) if (value) f.addEnvironment(name, value);
    }
  }
}
