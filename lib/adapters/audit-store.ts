// Audit reports in DynamoDB.
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditReport } from '../domain/audit';
import { documentClient, tableName } from './aws';

export async function putAudit(report: AuditReport): Promise<void> {
  await documentClient().send(new PutCommand({ TableName: tableName('audits'), Item: { ...report, kind: 'AUDIT' } }));
}

export async function getAudit(auditId: string): Promise<AuditReport | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName('audits'), Key: { auditId } }));
  if (!out.Item) return undefined;
  const { kind: _kind, ...report } = out.Item;
  return report as AuditReport;
}

export async function latestAudits(limit: number): Promise<AuditReport[]> {
  const out = await documentClient().send(
    new QueryCommand({ TableName: tableName('audits'), IndexName: 'byStartedAt', KeyConditionExpression: 'kind = :k', ExpressionAttributeValues: { ':k': 'AUDIT' }, ScanIndexForward: false, Limit: limit }),
  );
  return (out.Items ?? []).map(({ kind: _kind, ...r }) => r as AuditReport);
}
