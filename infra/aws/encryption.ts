// Encryption keys. With context `kmsKeyArn` (an existing key) or `createKmsKey=true` (a key created here, rotated
// yearly) one customer-managed key encrypts the tables, the queues, the alarm topic and the log groups; without, they
// use AWS-managed encryption, except the alarm topic (see alarmTopicKey).
import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { Settings } from './settings';

/** Lets CloudWatch Logs (log groups) and CloudWatch alarms (the SNS topic) use a key this stack owns. */
function allowCloudWatch(key: Key): void {
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchLogsOfThisAccount',
      principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` } },
    }),
  );
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
  );
}

/** The customer-managed key from context, or undefined for AWS-managed encryption. */
export function pipelineKey(scope: Construct, settings: Settings): IKey | undefined {
  if (settings.kmsKeyArn) return Key.fromKeyArn(scope, 'PipelineKey', settings.kmsKeyArn);
  if (!settings.createKmsKey) return undefined;
  const key = new Key(scope, 'PipelineKey', {
    alias: `alias/${Stack.of(scope).stackName}`,
    description: 'Dispute pipeline: tables, queues, alarm topic and logs',
    enableKeyRotation: true,
    // Retained with the data it protects: a deleted key makes the retained tables unreadable.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  allowCloudWatch(key);
  return key;
}

/**
 * The alarm topic's key. CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key (its key
 * policy cannot be changed to let cloudwatch.amazonaws.com in), so without a pipeline key the topic gets a small key
 * of its own. An imported `kmsKeyArn` must already allow CloudWatch (docs/deploying-to-aws.md).
 */
export function alarmTopicKey(scope: Construct, pipeline: IKey | undefined): IKey {
  if (pipeline) return pipeline;
  const key = new Key(scope, 'AlarmTopicKey', { description: 'Dispute pipeline alarm topic', enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  allowCloudWatch(key);
  return key;
}

/**
 * Explicit key rights (no `kms:GenerateDataKey*` style wildcards): what a DynamoDB, SQS or stream client needs to
 * read, or to read and write, data encrypted under the key.
 */
export function grantKey(key: IKey | undefined, grantee: IGrantable, write: boolean): void {
  if (!key) return;
  key.grant(grantee, 'kms:Decrypt', 'kms:DescribeKey', ...(write ? ['kms:Encrypt', 'kms:GenerateDataKey'] : []));
}
