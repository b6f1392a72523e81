// The synthesized CloudFormation template: what the stack promises about retries, dead letters, transport security,
// recovery, auth and timeouts, checked against the same definitions (resources.ts, routes.ts) the handlers use.
import { beforeAll, describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { type IndexDef, QUEUES, TABLES, dlqName } from '../../lib/adapters/resources';
import { API_ROUTES } from '../../lib/api/routes';
import { DisputePipelineStack, SIGN_IN_TRIGGER } from '../../infra/stack';
import { ROLES } from '../../infra/aws/identity';
import { applyNagPacks } from '../../infra/aws/nag';
import { SWEEP_FUNCTION } from '../../infra/aws/due-dates-and-adjustments';
import { CONSOLE_STUB, type Cfn, OTHER_DEAD_LETTER_QUEUES, PIPELINE_FUNCTIONS } from './support/synth';

const STACK = 'TestStack';
type Resource = { Type: string; Properties: Record<string, Cfn>; DeletionPolicy?: string };

let template: Template;
let resources: Record<string, Resource>;

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const byName = (type: string, nameProp: string, name: string): [string, Resource] => {
  const found = ofType(type).find(([, r]) => r.Properties[nameProp] === name);
  if (!found) throw new Error(`no ${type} with ${nameProp} ${name}`);
  return found;
};
const keySchema = (pk: { name: string }, sk?: { name: string }) => [
  { AttributeName: pk.name, KeyType: 'HASH' },
  ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' }] : []),
];

beforeAll(() => {
  // Full synthesis, including the esbuild bundling of every handler, held to the cdk-nag packs as infra/app.ts is
  // (an unacknowledged finding fails the synthesis; test/infra/nag.test.ts lists them).
  const app = new App({ context: { consoleAssetPath: CONSOLE_STUB } });
  const stack = new DisputePipelineStack(app, STACK);
  applyNagPacks(app);
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
}, 180_000);

describe('DynamoDB tables', () => {
  it('builds exactly the tables in resources.ts', () => {
    expect(ofType('AWS::DynamoDB::Table').map(([, r]) => r.Properties.TableName).sort()).toEqual(
      Object.values(TABLES).map((t) => `${STACK}-${t.name}`).sort(),
    );
  });

  it.each(Object.values(TABLES))('$name: keys, indexes, TTL, recovery, encryption and retention match', (def) => {
    const [, table] = byName('AWS::DynamoDB::Table', 'TableName', `${STACK}-${def.name}`);
    const p = table.Properties;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.PointInTimeRecoverySpecification).toEqual(expect.objectContaining({ PointInTimeRecoveryEnabled: true }));
    expect(p.SSESpecification).toEqual({ SSEEnabled: true });
    expect(p.KeySchema).toEqual(keySchema(def.partitionKey, 'sortKey' in def ? def.sortKey : undefined));

    if ('ttlAttribute' in def) expect(p.TimeToLiveSpecification).toEqual({ AttributeName: def.ttlAttribute, Enabled: true });
    else expect(p.TimeToLiveSpecification).toBeUndefined();

    const indexes = def.indexes as readonly IndexDef[];
    expect((p.GlobalSecondaryIndexes ?? []).map((g: Cfn) => g.IndexName).sort()).toEqual(indexes.map((i) => i.name).sort());
    for (const index of indexes) {
      const gsi = p.GlobalSecondaryIndexes.find((g: Cfn) => g.IndexName === index.name);
      expect(gsi.KeySchema).toEqual(keySchema(index.partitionKey, index.sortKey));
      expect(gsi.Projection).toEqual(index.include ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] } : { ProjectionType: 'ALL' });
    }
  });
});

describe('SQS queues', () => {
  it.each(Object.values(QUEUES))('$name: visibility timeout and redrive to its DLQ as in resources.ts', (def) => {
    const [, queue] = byName('AWS::SQS::Queue', 'QueueName', `${STACK}-${def.name}`);
    const [dlqId, dlq] = byName('AWS::SQS::Queue', 'QueueName', `${STACK}-${dlqName(def)}`);
    expect(queue.Properties.VisibilityTimeout).toBe(def.visibilityTimeoutSeconds);
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: def.maxReceiveCount,
    });
    expect(dlq.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(dlq.Properties.RedrivePolicy).toBeUndefined();
  });

  it('every queue, dead-letter queues included, denies requests without TLS', () => {
    const queues = ofType('AWS::SQS::Queue');
    // Each queue and its DLQ, and the other DLQs: the streams' on-failure destinations, the schedules', the webhook rule's.
    expect(queues.map(([, q]) => q.Properties.QueueName).sort()).toEqual(
      [...Object.values(QUEUES).flatMap((q) => [q.name, dlqName(q)]), ...OTHER_DEAD_LETTER_QUEUES].map((n) => `${STACK}-${n}`).sort(),
    );
    const policies = ofType('AWS::SQS::QueuePolicy').map(([, r]) => r.Properties);
    for (const [id] of queues) {
      const statements = policies.filter((p) => p.Queues.some((q: Cfn) => q.Ref === id)).flatMap((p) => p.PolicyDocument.Statement);
      expect(statements, id).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

describe('Lambda functions', () => {
  /** The pipeline's functions: not the Cognito sign-in trigger (test/infra/console.test.ts) nor the console deployment's CDK handler. */
  const functions = () => ofType('AWS::Lambda::Function').filter(([id]) => !id.startsWith(SIGN_IN_TRIGGER.id) && !id.startsWith('CustomCDKBucketDeployment'));

  it('are the pipeline\'s bundled Node 22 functions on arm64 with every table, queue and the policy in their environment', () => {
    // The stack's own, the two webhook functions and the overdue sweep; besides them the sign-in trigger and CDK's deployment handler.
    const count = Object.keys(PIPELINE_FUNCTIONS).length;
    expect(count).toBe(9);
    expect(ofType('AWS::Lambda::Function')).toHaveLength(count + 2);
    expect(functions()).toHaveLength(count);
    for (const [id, f] of functions()) {
      expect(f.Properties.Runtime, id).toBe('nodejs22.x');
      expect(f.Properties.Architectures, id).toEqual(['arm64']);
      expect(f.Properties.Code.S3Key, id).toMatch(/\.zip$/);
      const env = f.Properties.Environment.Variables;
      for (const def of [...Object.values(TABLES), ...Object.values(QUEUES)]) expect(env[def.env], `${id} ${def.env}`).toBeDefined();
      expect(env.POWERTOOLS_SERVICE_NAME).toBe('dispute-pipeline');
      expect(env.POLICY_PARAMETER).toEqual({ Ref: expect.any(String) });
    }
  });

  it('the policy parameter holds the default policy', async () => {
    const { DEFAULT_POLICY } = await import('../../lib/domain/policy/policy');
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/dispute-pipeline/policy', Value: JSON.stringify(DEFAULT_POLICY) });
  });

  const sqsMappings = () => ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => resources[m.Properties.EventSourceArn['Fn::GetAtt']?.[0]]?.Type === 'AWS::SQS::Queue');

  it('every event source (each queue, and the stream of each table that has one: Cdrs, Disputes, Adjustments) reports partial batch failures', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    const streamed = Object.values(TABLES).filter((t) => 'stream' in t && t.stream);
    expect(streamed.map((t) => t.name).sort()).toEqual(['Adjustments', 'Cdrs', 'Disputes']);
    expect(sqsMappings()).toHaveLength(Object.keys(QUEUES).length);
    expect(mappings).toHaveLength(Object.keys(QUEUES).length + streamed.length);
    const streamSources = mappings.filter(([, m]) => m.Properties.EventSourceArn['Fn::GetAtt']?.[1] === 'StreamArn').map(([, m]) => m.Properties.EventSourceArn['Fn::GetAtt'][0]);
    expect(streamSources.sort()).toEqual(streamed.map((t) => byName('AWS::DynamoDB::Table', 'TableName', `${STACK}-${t.name}`)[0]).sort());
    for (const [id, m] of mappings) expect(m.Properties.FunctionResponseTypes, id).toEqual(['ReportBatchItemFailures']);
  });

  it('counts connect statistics from the Cdrs stream: one batch per shard at a time, its shard named, bounded retries into an alarmed dead-letter queue', () => {
    const [tableId] = byName('AWS::DynamoDB::Table', 'TableName', `${STACK}-${TABLES.cdrs.name}`);
    expect(resources[tableId]!.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const [dlqId] = byName('AWS::SQS::Queue', 'QueueName', `${STACK}-cdr-counts-dlq`);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      ParallelizationFactor: 1,
      TumblingWindowInSeconds: 60,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
  });

  it('publishes dispute events from the Disputes stream to an event bus, with retries and a dead-letter queue', () => {
    const [tableId] = byName('AWS::DynamoDB::Table', 'TableName', `${STACK}-${TABLES.disputes.name}`);
    expect(resources[tableId]!.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const [dlqId] = byName('AWS::SQS::Queue', 'QueueName', `${STACK}-dispute-events-dlq`);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
    const [busId] = byName('AWS::Events::EventBus', 'Name', `${STACK}-dispute-events`);
    const publisher = functions().find(([, f]) => JSON.stringify(f.Properties.Environment.Variables.EVENT_BUS_NAME ?? '').includes(busId));
    expect(publisher).toBeDefined();
  });

  it('every queue visibility timeout is at least its consumer function timeout', () => {
    for (const [id, m] of sqsMappings()) {
      const queue = resources[m.Properties.EventSourceArn['Fn::GetAtt'][0]]!;
      const fn = resources[m.Properties.FunctionName.Ref]!;
      expect(queue.Type).toBe('AWS::SQS::Queue');
      expect(fn.Properties.Timeout, id).toBeGreaterThan(0);
      expect(queue.Properties.VisibilityTimeout, id).toBeGreaterThanOrEqual(fn.Properties.Timeout);
    }
  });

  it('CDR ingestion batches up to 100 records over up to 5 s', () => {
    const [queueId] = byName('AWS::SQS::Queue', 'QueueName', `${STACK}-${QUEUES.cdrIngest.name}`);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
    });
  });

  it('no IAM policy grants wildcard DynamoDB or SQS actions', () => {
    const actions = ofType('AWS::IAM::Policy').flatMap(([, r]) => r.Properties.PolicyDocument.Statement.flatMap((s: Cfn) => [s.Action].flat()));
    expect(actions).not.toContain('dynamodb:*');
    expect(actions).not.toContain('sqs:*');
    expect(actions).not.toContain('dynamodb:DeleteTable');
  });
});

describe('HTTP API', () => {
  it('has one JWT-authorized route per API_ROUTES entry, requiring the route roles as scopes; only the OpenAPI document is public', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    expect(routes.find((x) => x.RouteKey === 'GET /v1/openapi.json')!.AuthorizationType).toBe('NONE');
    for (const route of API_ROUTES.filter((r) => r.roles.length > 0)) {
      const r = routes.find((x) => x.RouteKey === `${route.method} ${route.path}`)!;
      expect(r.AuthorizationType).toBe('JWT');
      expect(r.AuthorizerId).toEqual({ Ref: expect.any(String) });
      expect(r.AuthorizationScopes.sort()).toEqual(route.roles.map((role) => `disputes/${role}`).sort());
    }
  });

  it('by default trusts the stack Cognito user pool and its app clients', () => {
    const [poolId] = ofType('AWS::Cognito::UserPool')[0]!;
    const clients = ofType('AWS::Cognito::UserPoolClient');
    const authorizers = ofType('AWS::ApiGatewayV2::Authorizer').map(([, r]) => r.Properties);
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0]!.AuthorizerType).toBe('JWT');
    expect(JSON.stringify(authorizers[0]!.JwtConfiguration.Issuer)).toContain(poolId);
    expect(authorizers[0]!.JwtConfiguration.Audience).toEqual(clients.map(([id]) => ({ Ref: id })));
    // One client-credentials client per role (every role a route requires has one), and the console's
    // authorization-code client (test/infra/console.test.ts).
    for (const role of new Set(API_ROUTES.flatMap((r) => r.roles))) expect(ROLES).toContain(role);
    expect(clients.map(([, c]) => c.Properties.AllowedOAuthFlows).sort()).toEqual([...ROLES.map(() => ['client_credentials']), ['code']].sort());
  });

  it('the default stage auto-deploys with throttling', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: Match.objectLike({ ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 }),
    });
  });

  it('trusts an external issuer instead when jwtIssuer and jwtAudience are given', () => {
    // Bundling is skipped here: only the auth wiring differs from the stack above.
    const app = new App({
      context: { jwtIssuer: 'https://idp.example.com/', jwtAudience: 'a, b', consoleAssetPath: CONSOLE_STUB, 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new DisputePipelineStack(app, STACK);
    applyNagPacks(app);
    const external = Template.fromStack(stack);
    external.resourceCountIs('AWS::Cognito::UserPool', 0);
    external.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://idp.example.com/', Audience: ['a', 'b'] },
    });
  });
});

describe('schedules: the audit and the overdue sweep', () => {
  it('starts an audit through the audit-runs queue with retries, a maximum event age and a dead-letter queue', () => {
    const [dlqId] = byName('AWS::SQS::Queue', 'QueueName', `${STACK}-run-audit-dlq`);
    const [queueId] = byName('AWS::SQS::Queue', 'QueueName', `${STACK}-${QUEUES.auditRuns.name}`);
    const schedules = ofType('AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(2); // the audit's and the overdue sweep's (below)
    const { Target, ScheduleExpression } = schedules.find(([, sc]) => sc.Properties.Target.Arn['Fn::GetAtt']?.[0] === queueId)![1].Properties;
    expect(ScheduleExpression).toBe('rate(1 day)');
    expect(Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    expect(Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    expect(Target.Arn).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    expect(JSON.parse(Target.Input)).toEqual({ start: { trigger: 'schedule', scheduledAt: '<aws.scheduler.scheduled-time>' } });
    const mapping = ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.EventSourceArn['Fn::GetAtt']?.[0] === queueId)!;
    expect(mapping[1].Properties.BatchSize).toBe(1);
    expect(resources[mapping[1].Properties.FunctionName.Ref]!.Properties.Timeout).toBe(900);
  });

  it('the overdue sweep runs on a schedule of its own: every 15 minutes, with retries, a maximum event age and the schedules\' dead-letter queue', () => {
    const [dlqId] = byName('AWS::SQS::Queue', 'QueueName', `${STACK}-run-audit-dlq`);
    const sweep = ofType('AWS::Scheduler::Schedule').map(([, sc]) => sc.Properties).find((p) => resources[p.Target.Arn['Fn::GetAtt']?.[0]]?.Type === 'AWS::Lambda::Function')!;
    const fnId = sweep.Target.Arn['Fn::GetAtt'][0] as string;
    expect(fnId).toContain(SWEEP_FUNCTION.id);
    expect(sweep.ScheduleExpression).toBe('rate(15 minutes)');
    expect(sweep.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900 });
    expect(sweep.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    // One sweep at a time.
    expect(resources[fnId]!.Properties.ReservedConcurrentExecutions).toBe(1);
  });

  it('each schedule runs under a role that only this account\'s EventBridge Scheduler may assume', () => {
    for (const [id, sc] of ofType('AWS::Scheduler::Schedule')) {
      const role = resources[sc.Properties.Target.RoleArn['Fn::GetAtt'][0]]!;
      expect(role.Properties.AssumeRolePolicyDocument.Statement, id).toEqual([
        expect.objectContaining({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }),
      ]);
    }
  });

  it('takes its rate, retries and event age from context', () => {
    const app = new App({ context: { auditRate: 'rate(6 hours)', auditRetryAttempts: 5, auditMaxEventAgeHours: 2, consoleAssetPath: CONSOLE_STUB, 'aws:cdk:bundling-stacks': [] } });
    const stack = new DisputePipelineStack(app, STACK);
    applyNagPacks(app);
    const other = Template.fromStack(stack);
    other.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(6 hours)',
      Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 7200 } }),
    });
  });
});
