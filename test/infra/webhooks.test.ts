// The webhook part of the stack: the EventBridge rule feeding webhook-events, the two functions on their queues with
// partial batch responses, queues that retry for 72 h, alarms, and roles that grant exactly what the code calls
// (derived from each bundle, as test/infra/least-privilege.test.ts does for the other functions).
import { beforeAll, describe, expect, it } from 'vitest';
import type { CfnElement } from 'aws-cdk-lib';
import { fileURLToPath } from 'node:url';
import { QUEUES, TABLES, type TableKey } from '../../lib/adapters/resources';
import { WEBHOOK_FUNCTIONS } from '../../infra/aws/webhooks';
import { type CodeAccess, analyzeEntry } from './support/code-access';
import { type Cfn, STACK, type Synthesized, synth } from './support/synth';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
type Key = keyof typeof WEBHOOK_FUNCTIONS;
const KEYS = Object.keys(WEBHOOK_FUNCTIONS) as Key[];

let s: Synthesized;
const code = {} as Record<Key, CodeAccess>;

beforeAll(async () => {
  // cdk-nag is test/infra/nag.test.ts's: this file reads the template only.
  s = synth({}, { nag: false });
  const analyses = await Promise.all(KEYS.map((key) => analyzeEntry(ROOT, WEBHOOK_FUNCTIONS[key].entry)));
  KEYS.forEach((key, i) => (code[key] = analyses[i]!));
}, 240_000);

const logicalId = (key: Key) => s.stack.getLogicalId(s.stack.webhooks.functions[key].node.defaultChild as CfnElement);

function name(resource: Cfn): string {
  if (resource === '*') return '*';
  const [id, attribute] = (resource['Fn::GetAtt'] ?? []) as [string, string];
  if (id) {
    const target = s.resources[id]!;
    if (target.Type === 'AWS::DynamoDB::Table') return `${s.tableKeyOf(id)}${attribute === 'StreamArn' ? ':stream' : ''}`;
    if (target.Type === 'AWS::SQS::Queue') return `queue:${String(target.Properties.QueueName).replace(`${STACK}-`, '')}`;
    if (target.Type === 'AWS::Logs::LogGroup') return 'own log group';
  }
  const parts = resource['Fn::Join']?.[1] as Cfn[] | undefined;
  if (parts?.length === 2 && typeof parts[1] === 'string' && parts[1].startsWith('/index/')) return `${name(parts[0])}${parts[1]}`;
  return JSON.stringify(resource);
}

/** `action on resource` for every statement of the function's role. */
function granted(key: Key): string[] {
  const fn = s.resources[logicalId(key)]!;
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const statements = s.ofType('AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: Cfn) => r.Ref === roleId)).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  return [...new Set(statements.flatMap((st: Cfn) => [st.Action].flat().flatMap((a: string) => [st.Resource].flat().map((r: Cfn) => `${a} on ${name(r)}`))))].sort();
}

const CONSUMER = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

function needed(key: Key, consumes: string): string[] {
  const lines = new Set<string>(['logs:CreateLogStream on own log group', 'logs:PutLogEvents on own log group', 'xray:PutTraceSegments on *', 'xray:PutTelemetryRecords on *']);
  for (const [resource, actions] of code[key].dynamodb) for (const [action] of actions) lines.add(`dynamodb:${action} on ${resource}`);
  for (const q of code[key].sendsTo) lines.add(`sqs:SendMessage on queue:${QUEUES[q as keyof typeof QUEUES].name}`);
  CONSUMER.forEach((a) => lines.add(`${a} on queue:${consumes}`));
  return [...lines].sort();
}

describe('webhooks on AWS', () => {
  it('each function grants exactly what its code and its queue need', () => {
    expect(granted('fanOutWebhooks')).toEqual(needed('fanOutWebhooks', 'webhook-events'));
    expect(granted('deliverWebhooks')).toEqual(needed('deliverWebhooks', 'webhook-deliveries'));
    // The analysis read real calls: conditional put and read-back; no scan anywhere.
    expect([...code.fanOutWebhooks.dynamodb.keys()].sort()).toEqual(['webhookDeliveries', 'webhookEndpoints/index/byStatus']);
    expect([...code.deliverWebhooks.dynamodb.get('webhookDeliveries')!.keys()].sort()).toEqual(['GetItem', 'UpdateItem']);
    expect([...code.fanOutWebhooks.sendsTo]).toEqual(['webhookDeliveries']);
    expect([...code.deliverWebhooks.sendsTo]).toEqual([]);
  });

  it("the API's code calls exactly its webhook grants (read, change, delete endpoints; re-send, never create or delete a delivery)", async () => {
    const api = await analyzeEntry(ROOT, 'functions/api/index.ts');
    expect([...api.dynamodb.get('webhookEndpoints')!.keys()].sort()).toEqual(['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem']);
    expect([...api.dynamodb.get('webhookDeliveries')!.keys()]).toEqual(['UpdateItem']);
    expect(api.dynamodb.has('webhookEndpoints/index/byOwner') && api.dynamodb.has('webhookDeliveries/index/byEndpoint')).toBe(true);
    expect(api.sendsTo.has('webhookDeliveries')).toBe(true);
  });

  it("the API's role has these webhook rights and no others", () => {
    const apiId = s.stack.getLogicalId(s.stack.functions.api.node.defaultChild as CfnElement);
    const roleId = s.resources[apiId]!.Properties.Role['Fn::GetAtt'][0] as string;
    const lines = s
      .ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Cfn) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .flatMap((st: Cfn) => [st.Action].flat().flatMap((a: string) => [st.Resource].flat().map((r: Cfn) => `${a} on ${name(r)}`)))
      .filter((l: string) => l.includes('webhook'));
    expect([...new Set(lines)].sort()).toEqual(
      [
        'dynamodb:DeleteItem on webhookEndpoints',
        'dynamodb:GetItem on webhookEndpoints',
        'dynamodb:PutItem on webhookEndpoints',
        'dynamodb:UpdateItem on webhookEndpoints',
        'dynamodb:Query on webhookEndpoints/index/byOwner',
        'dynamodb:UpdateItem on webhookDeliveries',
        'dynamodb:Query on webhookDeliveries/index/byEndpoint',
        'sqs:SendMessage on queue:webhook-deliveries',
      ].sort(),
    );
  });

  it('every event of the dispute bus goes to webhook-events, with retries and an alarmed dead-letter queue', () => {
    const [ruleId, rule] = s.ofType('AWS::Events::Rule').find(([id]) => id.startsWith('WebhooksAllEvents'))!;
    expect(rule.Properties.EventPattern).toEqual({ source: ['dispute-pipeline'] });
    const [busId] = s.byName('AWS::Events::EventBus', 'Name', `${STACK}-dispute-events`);
    expect(rule.Properties.EventBusName).toEqual({ Ref: busId });
    const [target] = rule.Properties.Targets as Cfn[];
    expect(name(target.Arn)).toBe('queue:webhook-events');
    expect(name(target.DeadLetterConfig.Arn)).toBe('queue:webhook-events-rule-dlq');
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 });
    // EventBridge may send to the queue (its policy names this rule).
    const policies = s.ofType('AWS::SQS::QueuePolicy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Cfn[]);
    expect(policies.some((st) => st.Principal?.Service === 'events.amazonaws.com' && st.Condition?.ArnEquals?.['aws:SourceArn']?.['Fn::GetAtt']?.[0] === ruleId)).toBe(true);
    const alarmed = s.ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.Dimensions?.[0]?.Value).map((v: Cfn) => (v?.['Fn::GetAtt'] ? name(v) : ''));
    expect(alarmed).toEqual(expect.arrayContaining(['queue:webhook-events-rule-dlq']));
  });

  it('deliveries are retried by their queue for 72 h: partial batch responses, enough receives, alarms on both dead-letter queues and both functions', () => {
    for (const [key, queue] of [['fanOutWebhooks', QUEUES.webhookEvents], ['deliverWebhooks', QUEUES.webhookDeliveries]] as const) {
      const [queueId, q] = s.byName('AWS::SQS::Queue', 'QueueName', `${STACK}-${queue.name}`);
      const mapping = s.ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.EventSourceArn['Fn::GetAtt']?.[0] === queueId)![1];
      expect(mapping.Properties.FunctionName).toEqual({ Ref: logicalId(key) });
      expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(q.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(s.resources[logicalId(key)]!.Properties.Timeout);
    }
    // 72 h from a 1-minute backoff doubling to 12 h, with jitter as low as half: at most 21 attempts.
    expect(QUEUES.webhookDeliveries.maxReceiveCount).toBeGreaterThan(21);
    const descriptions = s.ofType('AWS::CloudWatch::Alarm').map(([, a]) => String(a.Properties.AlarmDescription));
    for (const text of ['webhook-events dead-letter', 'webhook-deliveries dead-letter', 'The fanOutWebhooks function', 'The deliverWebhooks function']) expect(descriptions.some((d) => d.includes(text)), text).toBe(true);
  });

  it('the webhook tables are encrypted, recoverable and kept; deliveries expire after 30 days', () => {
    for (const key of ['webhookEndpoints', 'webhookDeliveries'] as TableKey[]) {
      const [, table] = s.byName('AWS::DynamoDB::Table', 'TableName', `${STACK}-${TABLES[key].name}`);
      expect(table.Properties.SSESpecification?.SSEEnabled ?? true).toBe(true);
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
    const [, deliveries] = s.byName('AWS::DynamoDB::Table', 'TableName', `${STACK}-WebhookDeliveries`);
    expect(deliveries.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });
});
