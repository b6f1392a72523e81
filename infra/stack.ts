// The dispute pipeline on AWS. Tables and queues come from lib/adapters/resources.ts and the API's routes from
// functions/api/routes.ts, so the cloud, the local runner and the handlers cannot drift apart.
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpNoneAuthorizer, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { OAuthScope, ResourceServerScope, UserPool } from 'aws-cdk-lib/aws-cognito';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Architecture, Runtime, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { SqsSendMessage } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { type KeyDef, QUEUES, type QueueKey, TABLES, type TableKey, dlqName } from '../lib/adapters/resources';
import { DEFAULT_POLICY } from '../lib/domain/policy';
import { API_ROUTES, API_THROTTLE } from '../functions/api/routes';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The OAuth resource server whose scopes (`disputes/<role>`) the API's routes require. */
export const SCOPE_PREFIX = 'disputes';
const ROLES = ['ticketing', 'reviewer', 'auditor'] as const;

/** What each function may do with each table and queue: data-plane rights only, matching what lib/ uses. */
type Access = { read?: TableKey[]; readWrite?: TableKey[]; send?: QueueKey[] };
const ACCESS: Record<'ingest' | 'investigate' | 'api' | 'audit' | 'publishEvents', Access> = {
  ingest: { readWrite: ['cdrs', 'rejects', 'connectStats'] },
  investigate: { read: ['cdrs', 'connectStats'], readWrite: ['disputes'] },
  api: { read: ['connectStats'], readWrite: ['disputes', 'audits', 'idempotency'], send: ['investigations', 'auditRuns'] },
  // The audit opens disputes (origin AUDIT) and repairs drifted statistics, hence its writes there.
  audit: { read: ['cdrs', 'rejects'], readWrite: ['audits', 'disputes', 'connectStats'], send: ['auditRuns', 'investigations'] },
  publishEvents: {},
};

const attribute = (key: KeyDef) => ({ name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER });

export class DisputePipelineStack extends Stack {
  readonly tables = {} as Record<TableKey, Table>;
  readonly queues = {} as Record<QueueKey, Queue>;
  readonly deadLetterQueues = {} as Record<QueueKey, Queue>;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // Physical names are `<stack>-<logical name>`, as resources.ts promises, so two stacks can share an account.
    const physical = (name: string) => `${this.stackName}-${name}`;

    for (const [key, def] of Object.entries(TABLES) as [TableKey, (typeof TABLES)[TableKey]][]) {
      const table = new Table(this, `${def.name}Table`, {
        tableName: physical(def.name),
        partitionKey: attribute(def.partitionKey),
        sortKey: 'sortKey' in def ? attribute(def.sortKey) : undefined,
        billingMode: BillingMode.PAY_PER_REQUEST,
        stream: 'stream' in def && def.stream ? StreamViewType.NEW_AND_OLD_IMAGES : undefined,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: TableEncryption.AWS_MANAGED,
        timeToLiveAttribute: 'ttlAttribute' in def ? def.ttlAttribute : undefined,
        // Billing evidence outlives the stack: a `cdk destroy` must not delete it.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const index of def.indexes as readonly { name: string; partitionKey: KeyDef; sortKey?: KeyDef }[]) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: attribute(index.partitionKey),
          sortKey: index.sortKey ? attribute(index.sortKey) : undefined,
        });
      }
      this.tables[key] = table;
      new CfnOutput(this, `${def.name}TableName`, { value: table.tableName });
    }

    for (const [key, def] of Object.entries(QUEUES) as [QueueKey, (typeof QUEUES)[QueueKey]][]) {
      const deadLetterQueue = new Queue(this, `${def.name}-dlq`, {
        queueName: physical(dlqName(def)),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14), // the maximum: time to find and fix whatever poisoned the messages
      });
      const queue = new Queue(this, def.name, {
        queueName: physical(def.name),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: def.maxReceiveCount },
      });
      this.queues[key] = queue;
      this.deadLetterQueues[key] = deadLetterQueue;
      new CfnOutput(this, `${key}QueueUrl`, { value: queue.queueUrl });
      new CfnOutput(this, `${key}DeadLetterQueueUrl`, { value: deadLetterQueue.queueUrl });
    }

    // The policy thresholds live in SSM so they can be changed (with a new version) without a code deploy.
    const policy = new StringParameter(this, 'Policy', {
      parameterName: '/dispute-pipeline/policy',
      stringValue: JSON.stringify(DEFAULT_POLICY),
      description: 'Dispute investigation policy (lib/domain/policy.ts)',
    });

    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: 'dispute-pipeline',
      POLICY_PARAMETER: policy.parameterName,
      NODE_OPTIONS: '--enable-source-maps', // the bundles ship source maps: make stack traces point at the .ts files
    };
    for (const [key, def] of Object.entries(TABLES) as [TableKey, (typeof TABLES)[TableKey]][]) environment[def.env] = this.tables[key].tableName;
    for (const [key, def] of Object.entries(QUEUES) as [QueueKey, (typeof QUEUES)[QueueKey]][]) environment[def.env] = this.queues[key].queueUrl;

    const fn = (id: string, entry: string, access: Access, options: { timeout: Duration; memorySize: number; environment?: Record<string, string> }) => {
      const f = new NodejsFunction(this, id, {
        entry: `${REPO_ROOT}${entry}`,
        handler: 'handler',
        projectRoot: REPO_ROOT,
        depsLockFilePath: `${REPO_ROOT}package-lock.json`,
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        timeout: options.timeout,
        memorySize: options.memorySize,
        environment: { ...environment, ...options.environment },
        logGroup: new LogGroup(this, `${id}Logs`, { retention: RetentionDays.ONE_MONTH }),
        // esbuild from node_modules, never Docker: synth works offline and on machines without a daemon.
        bundling: {
          format: OutputFormat.ESM,
          target: 'node22',
          minify: true,
          sourceMap: true,
          mainFields: ['module', 'main'],
          // Some CommonJS dependencies call require(); give the ESM bundle one.
          banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
        },
      });
      for (const t of access.read ?? []) this.tables[t].grantReadData(f);
      for (const t of access.readWrite ?? []) this.tables[t].grantReadWriteData(f);
      for (const q of access.send ?? []) this.queues[q].grantSendMessages(f);
      policy.grantRead(f);
      return f;
    };

    // Lambda requires a queue's visibility timeout to be at least its consumer's timeout, or messages are redelivered
    // while still being processed; fail the synth rather than the deployment.
    const consume = (f: NodejsFunction, key: QueueKey, options: { batchSize: number; maxBatchingWindow?: Duration }) => {
      const timeout = f.timeout?.toSeconds() ?? 3;
      if (QUEUES[key].visibilityTimeoutSeconds < timeout) {
        throw new Error(`queue ${QUEUES[key].name}: visibility timeout ${QUEUES[key].visibilityTimeoutSeconds}s < ${f.node.id} timeout ${timeout}s`);
      }
      // Partial batch responses: one bad record is retried (and eventually dead-lettered) alone, not with its batch.
      f.addEventSource(new SqsEventSource(this.queues[key], { ...options, reportBatchItemFailures: true }));
    };

    const ingest = fn('IngestCdrs', 'functions/ingest-cdrs/index.ts', ACCESS.ingest, { timeout: Duration.seconds(60), memorySize: 1024 });
    consume(ingest, 'cdrIngest', { batchSize: 100, maxBatchingWindow: Duration.seconds(5) });

    const investigate = fn('InvestigateDispute', 'functions/investigate-dispute/index.ts', ACCESS.investigate, { timeout: Duration.seconds(60), memorySize: 512 });
    consume(investigate, 'investigations', { batchSize: 10 });

    // --- HTTP API -------------------------------------------------------------------------------------------------
    const api = fn('Api', 'functions/api/index.ts', ACCESS.api, { timeout: Duration.seconds(10), memorySize: 512, environment: { AUTH_MODE: 'jwt' } });
    const { issuer, audience } = this.jwtSettings();
    const authorizer = new HttpJwtAuthorizer('Jwt', issuer, { jwtAudience: audience });
    const integration = new HttpLambdaIntegration('ApiIntegration', api);
    const httpApi = new HttpApi(this, 'HttpApi', { apiName: physical('api'), createDefaultStage: false });
    // A stage of our own, because the default stage offers no throttling settings.
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
    });
    for (const route of API_ROUTES) {
      const open = route.roles.length === 0; // the OpenAPI document
      httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer: open ? new HttpNoneAuthorizer() : authorizer,
        // API Gateway lets a token through if it carries any one of these scopes.
        authorizationScopes: open ? undefined : route.roles.map((role) => `${SCOPE_PREFIX}/${role}`),
      });
    }

    // --- Dispute events -------------------------------------------------------------------------------------------
    // The Disputes stream feeds the publisher, so every stored RECOMMENDED / DECIDED transition becomes an event on
    // the bus (at least once; consumers deduplicate on detail.eventId). Ticket tools subscribe with a rule.
    const bus = new EventBus(this, 'DisputeEvents', { eventBusName: physical('dispute-events') });
    const publishEvents = fn('PublishDisputeEvents', 'functions/publish-dispute-events/index.ts', ACCESS.publishEvents, {
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: { EVENT_BUS_NAME: bus.eventBusName },
    });
    bus.grantPutEventsTo(publishEvents);
    const eventsDlq = new Queue(this, 'dispute-events-dlq', { queueName: physical('dispute-events-dlq'), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    publishEvents.addEventSource(
      new DynamoEventSource(this.tables.disputes, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 10,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(eventsDlq),
      }),
    );
    new CfnOutput(this, 'DisputeEventBusName', { value: bus.eventBusName });
    new CfnOutput(this, 'ApiUrl', { value: stage.url });

    // --- Scheduled audit ------------------------------------------------------------------------------------------
    // The schedule, the API and the audit itself (continuing after a checkpoint) start runs through one queue.
    const audit = fn('RunAudit', 'functions/run-audit/index.ts', ACCESS.audit, { timeout: Duration.minutes(15), memorySize: 1769 });
    consume(audit, 'auditRuns', { batchSize: 1 });
    // Invocations the scheduler could not deliver land here instead of vanishing.
    const auditDlq = new Queue(this, 'run-audit-dlq', {
      queueName: physical('run-audit-dlq'),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const context = (name: string, fallback: string) => String(this.node.tryGetContext(name) ?? fallback);
    new Schedule(this, 'AuditSchedule', {
      schedule: ScheduleExpression.expression(context('auditRate', 'rate(1 day)')),
      description: 'Periodic billing audit',
      // The scheduled time names the period, so a redelivered schedule starts the same audit, not a second one.
      target: new SqsSendMessage(this.queues.auditRuns, {
        input: ScheduleTargetInput.fromObject({ start: { trigger: 'schedule', scheduledAt: ContextAttribute.scheduledTime } }),
        retryAttempts: Number(context('auditRetryAttempts', '3')),
        maxEventAge: Duration.hours(Number(context('auditMaxEventAgeHours', '1'))),
        deadLetterQueue: auditDlq,
      }),
    });
    new CfnOutput(this, 'AuditDeadLetterQueueUrl', { value: auditDlq.queueUrl });
  }

  /**
   * The JWT issuer and audiences: an external identity provider's, from context `jwtIssuer` and `jwtAudience`
   * (comma-separated), or else a Cognito user pool with one client-credentials app client per role.
   */
  private jwtSettings(): { issuer: string; audience: string[] } {
    const issuer: string | undefined = this.node.tryGetContext('jwtIssuer') || undefined;
    const audience: string | undefined = this.node.tryGetContext('jwtAudience') || undefined;
    if (issuer && audience) return { issuer, audience: audience.split(',').map((a) => a.trim()).filter(Boolean) };
    if (issuer || audience) throw new Error('context jwtIssuer and jwtAudience must be given together');

    const pool = new UserPool(this, 'UserPool', {
      userPoolName: `${this.stackName}-users`,
      selfSignUpEnabled: false,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const scopes = Object.fromEntries(ROLES.map((role) => [role, new ResourceServerScope({ scopeName: role, scopeDescription: `Act as ${role}` })]));
    const server = pool.addResourceServer('ResourceServer', { identifier: SCOPE_PREFIX, scopes: Object.values(scopes) });
    // The token endpoint for the client-credentials flow lives on the user pool's domain.
    const domain = pool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: this.node.tryGetContext('authDomainPrefix') || `dispute-pipeline-${this.account}` },
    });
    new CfnOutput(this, 'TokenEndpoint', { value: `${domain.baseUrl()}/oauth2/token` });

    // One machine client per role, so e.g. the ticketing system can never obtain an auditor token.
    const clientIds = ROLES.map((role) => {
      const client = pool.addClient(`${role}Client`, {
        userPoolClientName: `${this.stackName}-${role}`,
        generateSecret: true,
        authFlows: {},
        oAuth: {
          flows: { clientCredentials: true },
          scopes: [OAuthScope.resourceServer(server, scopes[role]!)],
        },
      });
      new CfnOutput(this, `${role}ClientId`, { value: client.userPoolClientId });
      return client.userPoolClientId;
    });
    // Cognito access tokens carry no `aud`; API Gateway then checks `client_id` against the audience list instead.
    return { issuer: `https://cognito-idp.${this.region}.amazonaws.com/${pool.userPoolId}`, audience: clientIds };
  }
}
