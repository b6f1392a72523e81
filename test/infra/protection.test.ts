// Keeping data and keeping DynamoDB healthy: deletion protection and retention on every table and dead-letter queue,
// the optional customer-managed key on tables, queues, topic and logs, and the concurrency limits that keep a burst
// from throttling the statistics ingest depends on.
import { beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, dlqName } from '../../lib/adapters/resources';
import { DEFAULT_AUDIT_CONCURRENCY, DEFAULT_INGEST_CONCURRENCY, DEFAULT_INVESTIGATE_CONCURRENCY } from '../../infra/aws/settings';
import { type Cfn, OTHER_DEAD_LETTER_QUEUES, STACK, type Synthesized, synth } from './support/synth';

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
let defaults: Synthesized;

beforeAll(() => {
  defaults = synth();
}, 120_000);

const dlqIds = (s: Synthesized) => s.ofType('AWS::SQS::Queue').filter(([, q]) => String(q.Properties.QueueName).endsWith('-dlq')).map(([id]) => id);
const mappingOf = (s: Synthesized, queueName: string) => {
  const [queueId] = s.byName('AWS::SQS::Queue', 'QueueName', `${STACK}-${queueName}`);
  return s.ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.EventSourceArn['Fn::GetAtt']?.[0] === queueId)![1].Properties;
};

describe('retention', () => {
  it('every table has deletion protection and is retained when the stack goes', () => {
    for (const [id, table] of defaults.ofType('AWS::DynamoDB::Table')) {
      expect(table.Properties.DeletionProtectionEnabled, id).toBe(true);
      expect([table.DeletionPolicy, table.UpdateReplacePolicy], id).toEqual(['Retain', 'Retain']);
    }
  });

  it('every dead-letter queue is retained when the stack goes', () => {
    const ids = dlqIds(defaults);
    // Each queue's own, and the streams', schedules' and webhook rule's.
    expect(ids.map((id) => defaults.resources[id]!.Properties.QueueName).sort()).toEqual(
      [...Object.values(QUEUES).map(dlqName), ...OTHER_DEAD_LETTER_QUEUES].map((n) => `${STACK}-${n}`).sort(),
    );
    for (const id of ids) expect([defaults.resources[id]!.DeletionPolicy, defaults.resources[id]!.UpdateReplacePolicy], id).toEqual(['Retain', 'Retain']);
  });
});

describe('encryption keys', () => {
  it('by default: AWS-managed keys for tables and queues; only the alarm topic has a key of its own', () => {
    for (const [, t] of defaults.ofType('AWS::DynamoDB::Table')) expect(t.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    for (const [, q] of defaults.ofType('AWS::SQS::Queue')) expect([q.Properties.SqsManagedSseEnabled, q.Properties.KmsMasterKeyId]).toEqual([true, undefined]);
    for (const [, l] of defaults.ofType('AWS::Logs::LogGroup')) expect(l.Properties.KmsKeyId).toBeUndefined();
    expect(defaults.ofType('AWS::KMS::Key')).toHaveLength(1);
  });

  it('createKmsKey=true: one rotated, retained key for tables, queues, the topic and every log group; functions get explicit key rights', () => {
    const s = synth({ createKmsKey: true });
    const keys = s.ofType('AWS::KMS::Key');
    expect(keys).toHaveLength(1);
    const [keyId, key] = keys[0]!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };
    for (const [, t] of s.ofType('AWS::DynamoDB::Table')) expect(t.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn });
    for (const [, q] of s.ofType('AWS::SQS::Queue')) expect(q.Properties.KmsMasterKeyId).toEqual(keyArn);
    for (const [, l] of s.ofType('AWS::Logs::LogGroup')) expect(l.Properties.KmsKeyId).toEqual(keyArn);
    expect(s.ofType('AWS::SNS::Topic')[0]![1].Properties.KmsMasterKeyId).toEqual(keyArn);
    const services = key.Properties.KeyPolicy.Statement.map((st: Cfn) => JSON.stringify(st.Principal?.Service ?? ''));
    expect(services.some((p: string) => p.includes('logs.'))).toBe(true);
    expect(services).toContain('"cloudwatch.amazonaws.com"');
    for (const [id, p] of s.ofType('AWS::IAM::Policy')) {
      for (const st of p.Properties.PolicyDocument.Statement.filter((x: Cfn) => JSON.stringify(x.Action).includes('kms:'))) {
        expect([st.Resource].flat(), id).toEqual([keyArn]);
        // Two grants made by CDK constructs themselves: the scheduler target's, and the console deployment's
        // (aws-s3-deployment's grantReadWrite on the encrypted console bucket); both name this key only.
        if (!id.startsWith('AuditSchedulerRole') && !id.startsWith('CustomCDKBucketDeployment')) for (const action of [st.Action].flat()) expect(action, id).not.toContain('*');
      }
    }
  });

  it('kmsKeyArn: the given key everywhere, none created', () => {
    const s = synth({ kmsKeyArn: KEY_ARN });
    expect(s.ofType('AWS::KMS::Key')).toHaveLength(0);
    for (const [, t] of s.ofType('AWS::DynamoDB::Table')) expect(t.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: KEY_ARN });
    for (const [, q] of s.ofType('AWS::SQS::Queue')) expect(q.Properties.KmsMasterKeyId).toBe(KEY_ARN);
    for (const [, l] of s.ofType('AWS::Logs::LogGroup')) expect(l.Properties.KmsKeyId).toBe(KEY_ARN);
    expect(s.ofType('AWS::SNS::Topic')[0]![1].Properties.KmsMasterKeyId).toBe(KEY_ARN);
  });

  it('refuses both, or a malformed ARN', () => {
    expect(() => synth({ kmsKeyArn: KEY_ARN, createKmsKey: true })).toThrow(/exclude each other/);
    expect(() => synth({ kmsKeyArn: 'alias/mine' })).toThrow(/kmsKeyArn/);
  });
});

describe('concurrency', () => {
  it('each SQS event source has a maximum concurrency; ingest and audit reserve theirs', () => {
    expect(mappingOf(defaults, QUEUES.cdrIngest.name).ScalingConfig).toEqual({ MaximumConcurrency: DEFAULT_INGEST_CONCURRENCY });
    expect(mappingOf(defaults, QUEUES.investigations.name).ScalingConfig).toEqual({ MaximumConcurrency: DEFAULT_INVESTIGATE_CONCURRENCY });
    expect(mappingOf(defaults, QUEUES.auditRuns.name).ScalingConfig).toEqual({ MaximumConcurrency: DEFAULT_AUDIT_CONCURRENCY });
    // The webhook queues' consumers too: every queue of resources.ts has one, each bounded.
    for (const def of Object.values(QUEUES)) expect(mappingOf(defaults, def.name).ScalingConfig?.MaximumConcurrency, def.name).toBeGreaterThanOrEqual(2);
    const reserved = (key: 'ingest' | 'investigate' | 'api' | 'audit' | 'publishEvents') => defaults.functionOf(key)[1].Properties.ReservedConcurrentExecutions;
    expect([reserved('ingest'), reserved('audit')]).toEqual([DEFAULT_INGEST_CONCURRENCY, DEFAULT_AUDIT_CONCURRENCY]);
    expect([reserved('investigate'), reserved('api'), reserved('publishEvents')]).toEqual([undefined, undefined, undefined]);
  });

  it('the ingest default keeps a hot destination\'s statistics partition under half its 1,000 WCU/s (2 items × 20 batches/s per slot)', () => {
    expect(2 * 20 * DEFAULT_INGEST_CONCURRENCY).toBeLessThanOrEqual(500);
  });

  it('takes its limits from context, and refuses reserving fewer than the event source may run', () => {
    const s = synth({ ingestMaxConcurrency: 20, ingestReservedConcurrency: 25, investigateMaxConcurrency: 8, investigateReservedConcurrency: 8, auditReservedConcurrency: 'none' });
    expect(mappingOf(s, QUEUES.cdrIngest.name).ScalingConfig).toEqual({ MaximumConcurrency: 20 });
    expect(mappingOf(s, QUEUES.investigations.name).ScalingConfig).toEqual({ MaximumConcurrency: 8 });
    expect(s.functionOf('ingest')[1].Properties.ReservedConcurrentExecutions).toBe(25);
    expect(s.functionOf('investigate')[1].Properties.ReservedConcurrentExecutions).toBe(8);
    expect(s.functionOf('audit')[1].Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(() => synth({ ingestMaxConcurrency: 20, ingestReservedConcurrency: 10 })).toThrow(/ingestReservedConcurrency/);
    expect(() => synth({ auditMaxConcurrency: 1 })).toThrow(/auditMaxConcurrency/);
  });
});
