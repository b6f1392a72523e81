// The dispute pipeline on AWS. Tables and queues come from lib/adapters/resources.ts and the API's routes from
// lib/api/routes.ts, so the cloud, the local runner and the handlers cannot drift apart. What each function may do
// is in infra/aws/access.ts, the alarms and dashboard in infra/aws/monitoring.ts, the context in infra/aws/settings.ts.
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IEventSourceDlq, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { SqsSendMessage } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { type IndexDef, type KeyDef, QUEUES, type QueueKey, TABLES, type TableKey, dlqName } from '../lib/adapters/resources';
import { DEFAULT_POLICY } from '../lib/domain/policy/policy';
import { type AccessTargets, FUNCTION_ACCESS, type FunctionKey } from './aws/access';
import { alarmTopicKey, grantKey, pipelineKey } from './aws/encryption';
import { pipelineApi } from './aws/http-api';
import { PipelineMonitoring } from './aws/monitoring';
import { acknowledge } from './aws/nag';
import { pipelineFunction } from './aws/pipeline-function';
import { Webhooks } from './aws/webhooks';
import { DueDatesAndAdjustments } from './aws/due-dates-and-adjustments';
import { ReviewerConsole } from './aws/console';
import { CONSOLE_SCOPES, type CognitoIdentity, cognitoBaseUrl, cognitoIdentity } from './aws/identity';
import { defaultDomainPrefix, readSettings } from './aws/settings';

export { SCOPE_PREFIX } from './aws/http-api';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Every handler logs and publishes metrics under this service name (Powertools `service`). */
export const SERVICE_NAME = 'dispute-pipeline';

/** Where each function's code is; the least-privilege test bundles the same entries. */
export const FUNCTIONS: Record<FunctionKey, { id: string; entry: string }> = {
  ingest: { id: 'IngestCdrs', entry: 'functions/ingest-cdrs/index.ts' },
  countCdrs: { id: 'CountCdrs', entry: 'functions/count-cdrs/index.ts' },
  investigate: { id: 'InvestigateDispute', entry: 'functions/investigate-dispute/index.ts' },
  api: { id: 'Api', entry: 'functions/api/index.ts' },
  publishEvents: { id: 'PublishDisputeEvents', entry: 'functions/publish-dispute-events/index.ts' },
  audit: { id: 'RunAudit', entry: 'functions/run-audit/index.ts' },
};

/** The Cognito pre-token-generation trigger: created with the stack's user pool only (not with an external issuer). */
export const SIGN_IN_TRIGGER = { id: 'CognitoPreToken', entry: 'functions/cognito-pre-token/index.ts' };

const attribute = (key: KeyDef) => ({ name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER });
const SQS_FED = 'Fed by an SQS event source only, never invoked asynchronously: a failed message goes back to its queue and after maxReceiveCount to the queue\'s own dead-letter queue (redrive policy).';
const SQS_NO_DESTINATION = 'SQS event sources take no on-failure destination: the queue\'s redrive policy moves a message that keeps failing to its dead-letter queue, which is alarmed.';
const IS_A_DLQ = 'This is a dead-letter queue: nothing consumes it, so it has no redrive of its own; its depth is alarmed and an operator redrives it after the fix.';

export class DisputePipelineStack extends Stack {
  readonly tables = {} as Record<TableKey, Table>;
  readonly queues = {} as Record<QueueKey, Queue>;
  readonly deadLetterQueues = {} as Record<QueueKey, Queue>;
  readonly functions = {} as Record<FunctionKey, NodejsFunction>;
  /** The Cognito pre-token-generation trigger, unless an external issuer signs people in. */
  signInTrigger?: NodejsFunction;
  readonly monitoring: PipelineMonitoring;
  readonly webhooks: Webhooks;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const settings = readSettings(this.node, this.stackName);
    const key = pipelineKey(this, settings);
    // Physical names are `<stack>-<logical name>`, as resources.ts promises, so two stacks can share an account.
    const physical = (name: string) => `${this.stackName}-${name}`;

    for (const [tableKey, def] of Object.entries(TABLES) as [TableKey, (typeof TABLES)[TableKey]][]) {
      const table = new Table(this, `${def.name}Table`, {
        tableName: physical(def.name),
        partitionKey: attribute(def.partitionKey),
        sortKey: 'sortKey' in def ? attribute(def.sortKey) : undefined,
        billingMode: BillingMode.PAY_PER_REQUEST,
        stream: 'stream' in def && def.stream ? StreamViewType.NEW_AND_OLD_IMAGES : undefined,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: key ? TableEncryption.CUSTOMER_MANAGED : TableEncryption.AWS_MANAGED,
        encryptionKey: key,
        timeToLiveAttribute: 'ttlAttribute' in def ? def.ttlAttribute : undefined,
        // Billing evidence outlives the stack: neither a `cdk destroy` nor a console click deletes it.
        removalPolicy: RemovalPolicy.RETAIN,
        deletionProtection: true,
      });
      for (const index of def.indexes as readonly IndexDef[]) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: attribute(index.partitionKey),
          sortKey: index.sortKey ? attribute(index.sortKey) : undefined,
          ...(index.include ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.include] } : {}),
        });
      }
      this.tables[tableKey] = table;
      new CfnOutput(this, `${def.name}TableName`, { value: table.tableName });
    }

    // Dead-letter queues keep what the pipeline gave up on for 14 days (the maximum) and survive the stack.
    const deadLetterQueue = (queueId: string, queueName: string) => {
      const dlq = new Queue(this, queueId, {
        queueName,
        ...this.queueEncryption(key),
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      acknowledge(dlq, { 'Serverless-SQSRedrivePolicy': IS_A_DLQ });
      return dlq;
    };
    for (const [queueKey, def] of Object.entries(QUEUES) as [QueueKey, (typeof QUEUES)[QueueKey]][]) {
      const dlq = deadLetterQueue(`${def.name}-dlq`, physical(dlqName(def)));
      const queue = new Queue(this, def.name, {
        queueName: physical(def.name),
        ...this.queueEncryption(key),
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: def.maxReceiveCount },
      });
      this.queues[queueKey] = queue;
      this.deadLetterQueues[queueKey] = dlq;
      new CfnOutput(this, `${queueKey}QueueUrl`, { value: queue.queueUrl });
      new CfnOutput(this, `${queueKey}DeadLetterQueueUrl`, { value: dlq.queueUrl });
    }

    // The policy thresholds live in SSM so they can be changed (with a new version) without a code deploy.
    const policy = new StringParameter(this, 'Policy', {
      parameterName: '/dispute-pipeline/policy',
      stringValue: JSON.stringify(DEFAULT_POLICY),
      description: 'Dispute investigation policy (lib/domain/policy.ts)',
    });

    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: settings.metricsNamespace,
      // Responses carry phone numbers and call details: traces record timings and errors, not payloads.
      POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
      POLICY_PARAMETER: policy.parameterName,
      NODE_OPTIONS: '--enable-source-maps', // the bundles ship source maps: make stack traces point at the .ts files
    };
    for (const [k, def] of Object.entries(TABLES) as [TableKey, (typeof TABLES)[TableKey]][]) environment[def.env] = this.tables[k].tableName;
    for (const [k, def] of Object.entries(QUEUES) as [QueueKey, (typeof QUEUES)[QueueKey]][]) environment[def.env] = this.queues[k].queueUrl;

    const targets: AccessTargets = { tables: this.tables, queues: this.queues, policy, key };
    const fn = (fnKey: FunctionKey, options: { timeout: Duration; memorySize: number; environment?: Record<string, string>; reservedConcurrency?: number; noLambdaDlqBecause: string; roleAcknowledgments?: Record<string, string> }) => {
      const { fn: f, logGroup } = pipelineFunction(this, FUNCTIONS[fnKey].id, {
        ...options,
        root: REPO_ROOT,
        entry: FUNCTIONS[fnKey].entry,
        environment: { ...environment, ...options.environment },
        access: FUNCTION_ACCESS[fnKey],
        targets,
        key,
      });
      this.functions[fnKey] = f;
      return { fn: f, logGroup };
    };

    // A stream event source's on-failure destination, granted exactly sqs:SendMessage (and the key, if any) instead
    // of SqsDlq's wider grant.
    const onFailureTo = (dlq: Queue): IEventSourceDlq => ({
      bind: (_mapping, target) => {
        dlq.grant(target, 'sqs:SendMessage');
        grantKey(key, target, true);
        return { destination: dlq.queueArn };
      },
    });

    // Lambda requires a queue's visibility timeout to be at least its consumer's timeout, or messages are redelivered
    // while still being processed; fail the synth rather than the deployment.
    const consume = (f: NodejsFunction, queueKey: QueueKey, options: { batchSize: number; maxBatchingWindow?: Duration; maxConcurrency: number }) => {
      const timeout = f.timeout?.toSeconds() ?? 3;
      if (QUEUES[queueKey].visibilityTimeoutSeconds < timeout) {
        throw new Error(`queue ${QUEUES[queueKey].name}: visibility timeout ${QUEUES[queueKey].visibilityTimeoutSeconds}s < ${f.node.id} timeout ${timeout}s`);
      }
      // Partial batch responses: one bad record is retried (and eventually dead-lettered) alone, not with its batch.
      // The maximum concurrency holds further batches in the queue (no throttling, no receive count spent).
      f.addEventSource(new SqsEventSource(this.queues[queueKey], { ...options, reportBatchItemFailures: true }));
      acknowledge(f, { 'Serverless-LambdaEventSourceMappingDestination': SQS_NO_DESTINATION });
    };

    const { fn: ingest } = fn('ingest', { timeout: Duration.seconds(60), memorySize: 1024, reservedConcurrency: settings.ingest.reserved, noLambdaDlqBecause: SQS_FED });
    consume(ingest, 'cdrIngest', { batchSize: 100, maxBatchingWindow: Duration.seconds(5), maxConcurrency: settings.ingest.max });

    // --- Connect statistics, counted from the Cdrs stream ---------------------------------------------------------
    // Exactly once: each bucket keeps a watermark per stream shard (lib/domain/statistics/stream-counts.ts). The
    // tumbling window is there only because its events name their shard (`shardId`); its state is unused. One
    // batch per shard at a time (parallelization 1), so a shard's records reach a bucket in order.
    const { fn: countCdrs } = fn('countCdrs', {
      timeout: Duration.seconds(60),
      memorySize: 512,
      noLambdaDlqBecause: 'Fed by the Cdrs stream only: a batch that keeps failing goes to the event source\'s on-failure destination (cdr-counts-dlq), not to an asynchronous-invocation DLQ.',
      roleAcknowledgments: {
        'AwsSolutions-IAM5[Resource::*]': 'X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords) and the stream event source\'s dynamodb:ListStreams accept no resource but "*"; the stream reads themselves name the Cdrs stream.',
      },
    });
    const countsDlq = deadLetterQueue('cdr-counts-dlq', physical('cdr-counts-dlq'));
    acknowledge(countsDlq, { 'AwsSolutions-SQS3': 'The on-failure destination of the Cdrs stream event source: it is itself the dead-letter queue.' });
    countCdrs.addEventSource(
      new DynamoEventSource(this.tables.cdrs, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 1000,
        maxBatchingWindow: Duration.seconds(1),
        tumblingWindow: Duration.seconds(60),
        parallelizationFactor: 1,
        bisectBatchOnError: true,
        // Retried from the failed bucket's first record; a batch that still fails is recorded in the DLQ (its shard
        // and sequence range) and the audit's drift recount repairs what it left uncounted.
        retryAttempts: 10,
        reportBatchItemFailures: true,
        onFailure: onFailureTo(countsDlq),
      }),
    );
    new CfnOutput(this, 'CdrCountsDeadLetterQueueUrl', { value: countsDlq.queueUrl });

    const { fn: investigate } = fn('investigate', { timeout: Duration.seconds(60), memorySize: 512, reservedConcurrency: settings.investigate.reserved, noLambdaDlqBecause: SQS_FED });
    consume(investigate, 'investigations', { batchSize: 10, maxConcurrency: settings.investigate.max });

    // --- HTTP API -------------------------------------------------------------------------------------------------
    const { fn: apiHandler } = fn('api', {
      timeout: Duration.seconds(10),
      memorySize: 512,
      environment: { AUTH_MODE: 'jwt' },
      noLambdaDlqBecause: 'Invoked synchronously by API Gateway only: the caller gets the error (RFC 9457) and retries with its Idempotency-Key; there is no asynchronous invocation to dead-letter.',
    });
    // --- People: the reviewer console and who signs in ---------------------------------------------------------
    // The console is hosted first: its CloudFront URL is where sign-in returns (app client) and the origin the API
    // allows (CORS). Its CSP cannot name the API's own host the other way round (the API would depend on the
    // distribution and the distribution on the API), so it allows the region's execute-api hosts.
    const domainPrefix = settings.jwt ? undefined : (settings.cognitoDomainPrefix ?? defaultDomainPrefix(this.stackName, this.account));
    const reviewerConsole = new ReviewerConsole(this, 'Console', {
      assetPath: settings.console.assetPath ?? `${REPO_ROOT}dist/console`,
      key,
      connectSources: [
        `https://*.execute-api.${this.region}.${this.urlSuffix}`,
        ...(domainPrefix ? [cognitoBaseUrl(domainPrefix, this.region)] : []),
        ...(settings.console.oidc ? [new URL(settings.console.oidc.tokenUrl).origin] : []),
      ],
    });
    let identity: CognitoIdentity | undefined;
    if (domainPrefix) {
      const { fn: preTokenTrigger } = pipelineFunction(this, SIGN_IN_TRIGGER.id, {
        root: REPO_ROOT,
        entry: SIGN_IN_TRIGGER.entry,
        // Cognito waits at most 5 seconds for a trigger.
        timeout: Duration.seconds(5),
        memorySize: 256,
        environment: { NODE_OPTIONS: '--enable-source-maps' },
        access: { tables: {} },
        targets,
        key,
        noLambdaDlqBecause: 'Invoked synchronously by Cognito while a person signs in: a failure fails that sign-in (the person tries again) and raises its error alarm; there is no asynchronous invocation to dead-letter.',
      });
      this.signInTrigger = preTokenTrigger;
      identity = cognitoIdentity(this, {
        domainPrefix,
        consoleUrl: reviewerConsole.url,
        extraUrls: settings.console.extraUrls,
        preTokenTrigger,
      });
    }
    const corsOrigins = [reviewerConsole.origin, ...new Set(settings.console.extraUrls.map((u) => new URL(u).origin))];
    const api = pipelineApi(this, { handler: apiHandler, jwt: settings.jwt ?? identity!.jwt, key, corsOrigins });
    reviewerConsole.deploy({
      apiBaseUrl: api.stage.url,
      environment: settings.console.environment ?? this.stackName,
      auth: identity
        ? {
            mode: 'oidc',
            authorizeUrl: `${identity.signInBaseUrl}/oauth2/authorize`,
            tokenUrl: `${identity.signInBaseUrl}/oauth2/token`,
            clientId: identity.consoleClientId,
            scopes: CONSOLE_SCOPES,
            logoutUrl: `${identity.signInBaseUrl}/logout?client_id=${identity.consoleClientId}&logout_uri=${reviewerConsole.url}`,
          }
        : settings.console.oidc
          ? { mode: 'oidc', ...settings.console.oidc }
          : { mode: 'token' },
    });

    // --- Dispute events -------------------------------------------------------------------------------------------
    // The Disputes stream feeds the publisher, so every stored RECOMMENDED / DECIDED transition becomes an event on
    // the bus (at least once; consumers deduplicate on detail.eventId). Ticket tools subscribe with a rule.
    const bus = new EventBus(this, 'DisputeEvents', { eventBusName: physical('dispute-events') });
    const { fn: publishEvents } = fn('publishEvents', {
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: { EVENT_BUS_NAME: bus.eventBusName },
      noLambdaDlqBecause: 'Fed by the Disputes stream only: a batch that keeps failing goes to the event source\'s on-failure destination (dispute-events-dlq), not to an asynchronous-invocation DLQ.',
      roleAcknowledgments: {
        'AwsSolutions-IAM5[Resource::*]': 'X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords) and the stream event source\'s dynamodb:ListStreams accept no resource but "*"; the stream reads themselves name the Disputes stream.',
      },
    });
    bus.grantPutEventsTo(publishEvents);
    const eventsDlq = deadLetterQueue('dispute-events-dlq', physical('dispute-events-dlq'));
    acknowledge(eventsDlq, { 'AwsSolutions-SQS3': 'The on-failure destination of the Disputes stream event source: it is itself the dead-letter queue.' });
    publishEvents.addEventSource(
      new DynamoEventSource(this.tables.disputes, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 10,
        reportBatchItemFailures: true,
        onFailure: onFailureTo(eventsDlq),
      }),
    );
    new CfnOutput(this, 'DisputeEventsDeadLetterQueueUrl', { value: eventsDlq.queueUrl });
    new CfnOutput(this, 'DisputeEventBusName', { value: bus.eventBusName });
    new CfnOutput(this, 'ApiUrl', { value: api.stage.url });

    // --- Scheduled audit ------------------------------------------------------------------------------------------
    // The schedule, the API and the audit itself (continuing after a checkpoint) start runs through one queue.
    const { fn: audit, logGroup: auditLogs } = fn('audit', { timeout: Duration.minutes(15), memorySize: 1769, reservedConcurrency: settings.audit.reserved, noLambdaDlqBecause: SQS_FED });
    consume(audit, 'auditRuns', { batchSize: 1, maxConcurrency: settings.audit.max });
    // Invocations the scheduler could not deliver land here instead of vanishing.
    const auditDlq = deadLetterQueue('run-audit-dlq', physical('run-audit-dlq'));
    acknowledge(auditDlq, { 'AwsSolutions-SQS3': 'The audit schedule\'s dead-letter queue (deliveries EventBridge Scheduler gave up on): it is itself the dead-letter queue.' });
    const schedulerRole = new Role(this, 'AuditSchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: 'EventBridge Scheduler: starts audits through the audit-runs queue',
    });
    // The target grants itself sending to audit-runs; the dead-letter queue gets sqs:SendMessage, and both the key.
    grantKey(key, schedulerRole, true);
    if (key) {
      acknowledge(schedulerRole, {
        'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]': 'Added by the scheduler target\'s own grant to send to the KMS-encrypted audit-runs queue; it names the pipeline key only.',
      });
    }
    new Schedule(this, 'AuditSchedule', {
      schedule: ScheduleExpression.expression(settings.auditRate),
      description: 'Periodic billing audit',
      // The scheduled time names the period, so a redelivered schedule starts the same audit, not a second one.
      target: new SqsSendMessage(this.queues.auditRuns, {
        input: ScheduleTargetInput.fromObject({ start: { trigger: 'schedule', scheduledAt: ContextAttribute.scheduledTime } }),
        retryAttempts: settings.auditRetryAttempts,
        maxEventAge: Duration.hours(settings.auditMaxEventAgeHours),
        deadLetterQueue: auditDlq,
        role: schedulerRole,
      }),
    });
    new CfnOutput(this, 'AuditDeadLetterQueueUrl', { value: auditDlq.queueUrl });

    // --- Alarms and dashboard -------------------------------------------------------------------------------------
    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      namespace: settings.metricsNamespace,
      serviceName: SERVICE_NAME,
      topicKey: alarmTopicKey(this, key),
      functions: this.functions,
      auditLogGroup: auditLogs,
      queues: this.queues,
      deadLetterQueues: {
        ...Object.fromEntries((Object.keys(QUEUES) as QueueKey[]).map((k) => [QUEUES[k].name, this.deadLetterQueues[k]])),
        'dispute-events': eventsDlq,
        'cdr-counts': countsDlq,
        'run-audit-schedule': auditDlq,
      },
      tables: this.tables,
      httpApi: api.httpApi,
      signInTrigger: this.signInTrigger,
    });
    // Signed webhooks to ticket tools: the bus → webhook-events → fan-out → webhook-deliveries → deliver (infra/aws/webhooks.ts).
    this.webhooks = new Webhooks(this, 'Webhooks', { root: REPO_ROOT, bus, environment, targets, key, api: apiHandler, monitoring: this.monitoring });
    // Due dates (the overdue sweep on its own schedule) and adjustments to billing (infra/aws/due-dates-and-adjustments.ts).
    new DueDatesAndAdjustments(this, 'DueDatesAndAdjustments', { root: REPO_ROOT, environment, targets, key, functions: this.functions, publisherDeadLetters: eventsDlq, scheduleDeadLetters: auditDlq, monitoring: this.monitoring });
  }

  private queueEncryption(key: ReturnType<typeof pipelineKey>) {
    return key ? { encryption: QueueEncryption.KMS, encryptionMasterKey: key } : { encryption: QueueEncryption.SQS_MANAGED };
  }
}
