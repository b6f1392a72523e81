// What an operator can see: JSON access logs without paths or queries, X-Ray on every function, the Powertools
// settings, one alarm per dead-letter queue and per function plus the stream's lag and failed audits, all sent to
// one encrypted topic named in the outputs, and one dashboard for the pipeline.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CfnElement } from 'aws-cdk-lib';
import { QUEUES } from '../../lib/adapters/resources';
import { AUDIT_FAILED_LOG_MESSAGE, AUDIT_FAILED_LOG_METRIC, AUDIT_FAILED_METRIC } from '../../infra/aws/monitoring';
import { SERVICE_NAME } from '../../infra/stack';
import { type Cfn, OTHER_DEAD_LETTER_QUEUES, PIPELINE_FUNCTIONS, type PipelineFunctionKey, STACK, type Synthesized, synth } from './support/synth';

/** Every function with code here: the stack's own, the webhook ones and the overdue sweep. */
const KEYS = Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[];
const NAMESPACE = `DisputePipeline/${STACK}`;
let s: Synthesized;

beforeAll(() => {
  s = synth();
}, 120_000);

const alarms = () => s.ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
const dimension = (alarm: Record<string, Cfn>, name: string) => alarm.Dimensions?.find((d: Cfn) => d.Name === name)?.Value;
/** Every dead-letter queue: redrive targets, the streams' on-failure destinations, the schedules' and the rules' DLQs. */
const deadLetterQueueIds = () => {
  const ids = new Set<string>();
  for (const [, q] of s.ofType('AWS::SQS::Queue')) if (q.Properties.RedrivePolicy) ids.add(q.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0]);
  for (const [, m] of s.ofType('AWS::Lambda::EventSourceMapping')) {
    const destination = m.Properties.DestinationConfig?.OnFailure?.Destination;
    if (destination) ids.add(destination['Fn::GetAtt'][0]);
  }
  for (const [, sc] of s.ofType('AWS::Scheduler::Schedule')) ids.add(sc.Properties.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0]);
  for (const [, rule] of s.ofType('AWS::Events::Rule')) {
    for (const target of rule.Properties.Targets ?? []) if (target.DeadLetterConfig) ids.add(target.DeadLetterConfig.Arn['Fn::GetAtt'][0]);
  }
  return ids;
};

describe('functions', () => {
  it.each(KEYS)('%s: X-Ray active tracing, Powertools service and metrics namespace, its own log group kept 30 days', (key) => {
    const [, fn] = s.functionOf(key);
    expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    const env = fn.Properties.Environment.Variables;
    expect(env.POWERTOOLS_SERVICE_NAME).toBe(SERVICE_NAME);
    expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe(NAMESPACE);
    expect(env.POWERTOOLS_TRACER_CAPTURE_RESPONSE).toBe('false');
    const logGroup = s.resources[fn.Properties.LoggingConfig.LogGroup.Ref]!;
    expect(logGroup.Properties.RetentionInDays).toBe(30);
  });
});

describe('API access logs', () => {
  const stage = () => s.ofType('AWS::ApiGatewayV2::Stage')[0]![1].Properties;

  it('go to a log group of their own, kept 30 days', () => {
    const destination = stage().AccessLogSettings.DestinationArn;
    const logGroup = s.resources[destination['Fn::GetAtt'][0]]!;
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(30);
  });

  it('are one JSON object per request: request id, route key, status, latencies and the caller', () => {
    const format = JSON.parse(stage().AccessLogSettings.Format) as Record<string, string>;
    expect(format).toEqual(
      expect.objectContaining({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
        integrationLatency: '$context.integrationLatency',
        clientId: '$context.authorizer.claims.client_id',
        sub: '$context.authorizer.claims.sub',
      }),
    );
  });

  it('never log the path or the query string, which can hold phone numbers', () => {
    const values = Object.values(JSON.parse(stage().AccessLogSettings.Format) as Record<string, string>);
    for (const value of values) expect(value).not.toMatch(/path|query|params|\$input|\$request|body/i);
  });
});

describe('alarms', () => {
  it('one per dead-letter queue: any message visible', () => {
    const dlqAlarms = alarms().filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    const dlqs = deadLetterQueueIds();
    // Each queue's own, and the streams', schedules' and webhook rule's (the sweep's schedule shares the audit schedule's).
    expect(dlqs.size).toBe(Object.keys(QUEUES).length + OTHER_DEAD_LETTER_QUEUES.length);
    expect(dlqAlarms).toHaveLength(dlqs.size);
    expect(new Set(dlqAlarms.map((a) => dimension(a, 'QueueName')['Fn::GetAtt'][0]))).toEqual(dlqs);
    for (const a of dlqAlarms) expect([a.Namespace, a.ComparisonOperator, a.Threshold]).toEqual(['AWS/SQS', 'GreaterThanThreshold', 0]);
  });

  it('one per function on its errors, the Cognito sign-in trigger included', () => {
    const errorAlarms = alarms().filter((a) => a.MetricName === 'Errors');
    const trigger = s.stack.getLogicalId(s.stack.signInTrigger!.node.defaultChild as CfnElement);
    expect(errorAlarms).toHaveLength(KEYS.length + 1);
    expect(errorAlarms.map((a) => dimension(a, 'FunctionName').Ref).sort()).toEqual([...KEYS.map((k) => s.functionOf(k)[0]), s.stack.resolve(trigger)].sort());
    for (const a of errorAlarms) expect([a.Namespace, a.ComparisonOperator, a.Threshold]).toEqual(['AWS/Lambda', 'GreaterThanThreshold', 0]);
  });

  it('one on each stream consumer falling behind (IteratorAge): the counter (Cdrs) and the publisher (Disputes and Adjustments)', () => {
    const ageAlarms = alarms().filter((a) => a.MetricName === 'IteratorAge');
    expect(ageAlarms).toHaveLength(2);
    // By function name: the publisher's alarm covers both of its streams (the metric's maximum over its event sources).
    expect(ageAlarms.every((a) => a.Dimensions.length === 1)).toBe(true);
    const consumers = ageAlarms.map((a) => dimension(a, 'FunctionName').Ref).sort();
    const streamMappings = s.ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => m.Properties.EventSourceArn['Fn::GetAtt']?.[1] === 'StreamArn');
    expect(streamMappings).toHaveLength(3);
    expect([...new Set(streamMappings.map(([, m]) => m.Properties.FunctionName.Ref))].sort()).toEqual(consumers);
    for (const a of ageAlarms) expect(a.Threshold).toBe(300_000);
  });

  it('one on failed audits: the AuditFailed metric or the audit\'s "audit failed" log lines (beside run-audit\'s errors)', () => {
    const auditAlarms = alarms().filter((a) => a.Metrics?.some((m: Cfn) => m.MetricStat?.Metric.MetricName === AUDIT_FAILED_METRIC));
    expect(auditAlarms).toHaveLength(1);
    const names = auditAlarms[0]!.Metrics.filter((m: Cfn) => m.MetricStat).map((m: Cfn) => `${m.MetricStat.Metric.Namespace} ${m.MetricStat.Metric.MetricName}`);
    expect(names.sort()).toEqual([`${NAMESPACE} ${AUDIT_FAILED_METRIC}`, `${NAMESPACE} ${AUDIT_FAILED_LOG_METRIC}`]);
    const filters = s.ofType('AWS::Logs::MetricFilter').map(([, f]) => f.Properties);
    expect(filters).toHaveLength(1);
    const [auditId, audit] = s.functionOf('audit');
    expect(auditId).toBeDefined();
    expect(filters[0]!.LogGroupName).toEqual({ Ref: audit.Properties.LoggingConfig.LogGroup.Ref });
    expect(filters[0]!.MetricTransformations).toEqual([expect.objectContaining({ MetricNamespace: NAMESPACE, MetricName: AUDIT_FAILED_LOG_METRIC, MetricValue: '1' })]);
    expect(filters[0]!.FilterPattern).toContain(AUDIT_FAILED_LOG_MESSAGE);
  });

  it('the audit code still logs the line the metric filter counts', () => {
    const lib = fileURLToPath(new URL('../../lib/use-cases/audit/', import.meta.url));
    const sources = readdirSync(lib, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(`${lib}${f}`, 'utf8'));
    expect(sources.some((text) => text.includes(`logger.error('${AUDIT_FAILED_LOG_MESSAGE}'`))).toBe(true);
  });

  it('all of them, and nothing else, notify one encrypted topic named in the outputs, on alarm and on recovery', () => {
    // Dead letters, functions, the sign-in trigger, stream consumers' ages, failed audits.
    expect(alarms()).toHaveLength(deadLetterQueueIds().size + KEYS.length + 1 + 2 + 1);
    const topics = s.ofType('AWS::SNS::Topic');
    expect(topics).toHaveLength(1);
    const [topicId, topic] = topics[0]!;
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    for (const a of alarms()) {
      expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.OKActions).toEqual([{ Ref: topicId }]);
    }
    s.template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
    const statements = s.ofType('AWS::SNS::TopicPolicy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  it('the topic key lets CloudWatch publish (the AWS-managed SNS key would not)', () => {
    const [, topic] = s.ofType('AWS::SNS::Topic')[0]!;
    const key = s.resources[topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0]]!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }));
  });
});

describe('dashboard', () => {
  it('one for the pipeline: ingest, statistics, investigations, API, audit, webhooks, due dates, every function and dead-letter queue', () => {
    const dashboards = s.ofType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]![1].Properties.DashboardBody);
    for (const heading of ['Ingest', 'Connect statistics', 'Investigations', 'API', 'Audit', 'Dead-letter queues', 'Webhooks', 'Due dates']) expect(body).toContain(`### ${heading}`);
    for (const key of KEYS) expect(body).toContain(`"Ref":"${s.functionOf(key)[0]}"`);
    for (const id of deadLetterQueueIds()) expect(body).toContain(`["${id}","QueueName"]`);
    expect(body).toContain(`"Ref":"${s.ofType('AWS::ApiGatewayV2::Api')[0]![0]}"`);
    for (const [tableId] of s.ofType('AWS::DynamoDB::Table').filter(([id]) => /^(Cdrs|ConnectStats|Disputes)Table/.test(id))) expect(body).toContain(`"Ref":"${tableId}"`);
    s.template.hasOutput('DashboardName', {});
  });
});
