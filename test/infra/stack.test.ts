// The synthesized CloudFormation template: what the stack promises about retries, dead letters, transport security,
// recovery, auth and timeouts, checked against the same definitions (resources.ts, routes.ts) the handlers use.
import { beforeAll, describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { QUEUES, TABLES, dlqName } from '../../lib/adapters/resources';
import { API_ROUTES } from '../../functions/api/routes';
import { DisputePipelineStack } from '../../infra/stack';

const STACK = 'TestStack';
type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

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
  // Full synthesis, including the esbuild bundling of every handler.
  const app = new App();
  template = Template.fromStack(new DisputePipelineStack(app, STACK));
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

    const indexes = def.indexes as readonly { name: string; partitionKey: { name: string }; sortKey?: { name: string } }[];
    expect((p.GlobalSecondaryIndexes ?? []).map((g: any) => g.IndexName).sort()).toEqual(indexes.map((i) => i.name).sort());
    for (const index of indexes) {
      const gsi = p.GlobalSecondaryIndexes.find((g: any) => g.IndexName === index.name);
      expect(gsi.KeySchema).toEqual(keySchema(index.partitionKey, index.sortKey));
      expect(gsi.Projection).toEqual({ ProjectionType: 'ALL' });
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
    expect(queues.length).toBe(Object.keys(QUEUES).length * 2 + 2); // each queue, its DLQ, the audit schedule's and the event publisher's DLQ
    const policies = ofType('AWS::SQS::QueuePolicy').map(([, r]) => r.Properties);
    for (const [id] of queues) {
      const statements = policies.filter((p) => p.Queues.some((q: any) => q.Ref === id)).flatMap((p) => p.PolicyDocument.Statement);
      expect(statements, id).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

describe('Lambda functions', () => {
  const functions = () => ofType('AWS::Lambda::Function');

  it('are five bundled Node 22 functions on arm64 with every table, queue and the policy in their environment', () => {
    expect(functions()).toHaveLength(5);
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
    const { DEFAULT_POLICY } = await import('../../lib/domain/policy');
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/dispute-pipeline/policy', Value: JSON.stringify(DEFAULT_POLICY) });
  });

  const sqsMappings = () => ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => resources[m.Properties.EventSourceArn['Fn::GetAtt']?.[0]]?.Type === 'AWS::SQS::Queue');

  it('every event source (each queue and the Disputes stream) reports partial batch failures', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(sqsMappings()).toHaveLength(Object.keys(QUEUES).length);
    expect(mappings).toHaveLength(Object.keys(QUEUES).length + 1);
    for (const [id, m] of mappings) expect(m.Properties.FunctionResponseTypes, id).toEqual(['ReportBatchItemFailures']);
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
    const actions = ofType('AWS::IAM::Policy').flatMap(([, r]) => r.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()));
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
    for (const [, c] of clients) expect(c.Properties.AllowedOAuthFlows).toEqual(['client_credentials']);
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
      context: { jwtIssuer: 'https://idp.example.com/', jwtAudience: 'a, b', 'aws:cdk:bundling-stacks': [] },
    });
    const external = Template.fromStack(new DisputePipelineStack(app, STACK));
    external.resourceCountIs('AWS::Cognito::UserPool', 0);
    external.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://idp.example.com/', Audience: ['a', 'b'] },
    });
  });
});

describe('audit schedule', () => {
  it('starts an audit through the audit-runs queue with retries, a maximum event age and a dead-letter queue', () => {
    const [dlqId] = byName('AWS::SQS::Queue', 'QueueName', `${STACK}-run-audit-dlq`);
    const [queueId] = byName('AWS::SQS::Queue', 'QueueName', `${STACK}-${QUEUES.auditRuns.name}`);
    const schedules = ofType('AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    const { Target, ScheduleExpression } = schedules[0]![1].Properties;
    expect(ScheduleExpression).toBe('rate(1 day)');
    expect(Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    expect(Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    expect(Target.Arn).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    expect(JSON.parse(Target.Input)).toEqual({ start: { trigger: 'schedule', scheduledAt: '<aws.scheduler.scheduled-time>' } });
    const mapping = ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.EventSourceArn['Fn::GetAtt']?.[0] === queueId)!;
    expect(mapping[1].Properties.BatchSize).toBe(1);
    expect(resources[mapping[1].Properties.FunctionName.Ref]!.Properties.Timeout).toBe(900);
  });

  it('takes its rate, retries and event age from context', () => {
    const app = new App({ context: { auditRate: 'rate(6 hours)', auditRetryAttempts: 5, auditMaxEventAgeHours: 2, 'aws:cdk:bundling-stacks': [] } });
    const other = Template.fromStack(new DisputePipelineStack(app, STACK));
    other.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(6 hours)',
      Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 7200 } }),
    });
  });
});
