// Rejected input: every record that failed validation is kept with its raw text and every failing field.
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { FieldProblem } from '../domain/cdr';
import { documentClient, recordConsumed, tableName } from './aws';

const RETENTION_DAYS = 400;

export type RejectKind = 'INVALID' | 'CONFLICT';

export interface Reject {
  rejectId: string;
  kind: RejectKind;
  source: string;
  raw: string;
  problems: FieldProblem[];
  receivedAt: string;
  /** Where it came from: the SQS message, or a file and line. */
  origin: Record<string, string | number>;
}

export async function putReject(reject: Omit<Reject, 'rejectId' | 'receivedAt'>, now = new Date()): Promise<Reject> {
  const stored: Reject = { rejectId: ulid(now.getTime()), receivedAt: now.toISOString(), ...reject };
  const out = await documentClient().send(
    new PutCommand({
      TableName: tableName('rejects'),
      Item: { ...stored, expiresAt: Math.floor(now.getTime() / 1000) + RETENTION_DAYS * 86_400 },
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  recordConsumed(out.ConsumedCapacity);
  return stored;
}

/** Every kept reject, oldest first (ULIDs sort by time). Listing by reason and replay come with the file-ingest work. */
export async function listRejects(): Promise<Reject[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new ScanCommand({ TableName: tableName('rejects'), ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return (items as unknown as Reject[]).sort((a, b) => a.rejectId.localeCompare(b.rejectId));
}
