// What each function may do, and nothing more: exactly the DynamoDB actions, tables and indexes its code uses, the
// queues it sends to, and the policy parameter only where the code calls loadPolicy. test/infra/least-privilege
// bundles every function entry, derives what the code calls and fails on any difference with these grants.
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { type QueueKey, TABLES, type TableKey } from '../../lib/adapters/resources';
import { grantKey } from './encryption';

type ReadAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'Scan';
type WriteAction = 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem' | 'ConditionCheckItem';
type IndexName<T extends TableKey> = (typeof TABLES)[T]['indexes'][number] extends { name: infer N } ? N : never;

export interface TableRights<T extends TableKey = TableKey> {
  /** Actions on the table's items. */
  actions?: (ReadAction | WriteAction)[];
  /** Actions allowed only as items of a TransactWriteItems request (IAM condition dynamodb:EnclosingOperation). */
  inTransactions?: WriteAction[];
  /** Indexes it queries, each named: no `<table>/index/*`. */
  queries?: IndexName<T>[];
}

export interface FunctionAccess {
  tables: { [T in TableKey]?: TableRights<T> };
  sends?: QueueKey[];
  /** It calls loadPolicy (lib/adapters/policy-source.ts), which reads the policy parameter. */
  readsPolicy?: boolean;
}

export type FunctionKey = 'ingest' | 'countCdrs' | 'investigate' | 'api' | 'audit' | 'publishEvents';

/**
 * The DynamoDB calls of each function, by table (lib/adapters/*-store.ts). Nothing deletes or scans unless named:
 * Disputes is written only by conditional transitions that append to the history (UpdateItem) and by the
 * ticket-guard transaction that creates a dispute (PutItem inside TransactWriteItems), so no function can delete a
 * dispute or overwrite one outside that transaction.
 */
export const FUNCTION_ACCESS: Record<FunctionKey, FunctionAccess> = {
  // storeCdrs (BatchGetItem of the keys, BatchWriteItem of the new ones: IAM cannot tell a batch's puts from deletes,
  // the price of a write rate near DynamoDB's own); keepReject and countRunMessage (each a marker put + an update in one transaction), so
  // Rejects only ever changes inside transactions. It never writes statistics: they are counted from the Cdrs stream.
  ingest: {
    tables: {
      cdrs: { actions: ['BatchGetItem', 'BatchWriteItem'] },
      rejects: { inTransactions: ['PutItem', 'UpdateItem'] },
    },
  },
  // The Cdrs stream (granted by its event source) into the hour index (writeHourPages, conditional PutItem) and the
  // statistics: readBuckets (BatchGetItem), readBucket after a lost condition (GetItem), applyStreamDelta (conditional
  // UpdateItem); keepReject for content two racing ingest deliveries overwrote (a marker put + an update in one
  // transaction). Nothing else.
  countCdrs: {
    tables: {
      cdrHours: { actions: ['PutItem'] },
      connectStats: { actions: ['BatchGetItem', 'GetItem', 'UpdateItem'] },
      rejects: { inTransactions: ['PutItem', 'UpdateItem'] },
    },
  },
  // getDispute (with its recommendation's call pages), transition (RECEIVED → INVESTIGATING → RECOMMENDED, the call
  // pages written by UpdateItem first), the disputed calls, statistics and history.
  investigate: {
    tables: {
      disputes: { actions: ['GetItem', 'BatchGetItem', 'UpdateItem'], queries: ['historyByAccount'] },
      cdrs: { actions: ['Query'] },
      connectStats: { actions: ['Query'] },
    },
    readsPolicy: true,
  },
  // Open (guard transaction, with the account-history entry), read, decide (the dispute's update and its entry's in
  // one transaction) and re-investigate disputes; statistics; start and read audits; rejects:
  // list (a source's by bySource, all of them by a Scan: lib/adapters/reject-reads.ts), read, close (conditional
  // update), and replace a conflict's stored CDR (its Put in one transaction with closing the reject); the
  // Powertools idempotency layer (put, get, update and delete of its own records).
  api: {
    tables: {
      disputes: { actions: ['GetItem', 'BatchGetItem', 'UpdateItem'], inTransactions: ['PutItem'], queries: ['byStatus', 'byAccount'] },
      connectStats: { actions: ['Query'] },
      audits: { actions: ['GetItem', 'BatchGetItem'], inTransactions: ['PutItem'], queries: ['byStartedAt'] },
      rejects: { actions: ['GetItem', 'UpdateItem', 'Scan'], queries: ['bySource'] },
      cdrs: { inTransactions: ['PutItem'] },
      idempotency: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] },
    },
    sends: ['investigations', 'auditRuns'],
  },
  // Reads an hour's CDRs (the CdrHours pages, then the items they name), rejects by time (a Scan: the table has no time index), reviews and history;
  // opens AUDIT disputes through the guard transaction; repairs statistics; the report and its work items (batch
  // writes also delete the work items of a finished audit, in Audits only).
  audit: {
    tables: {
      cdrHours: { actions: ['Query'] },
      cdrs: { actions: ['BatchGetItem'] },
      rejects: { actions: ['Scan'] },
      connectStats: { actions: ['GetItem', 'Query', 'UpdateItem'] },
      disputes: { actions: ['GetItem', 'BatchGetItem'], inTransactions: ['PutItem'], queries: ['byStatus', 'byAccount'] },
      audits: { actions: ['GetItem', 'BatchGetItem', 'UpdateItem', 'BatchWriteItem'], inTransactions: ['PutItem'] },
    },
    sends: ['auditRuns', 'investigations'],
    readsPolicy: true,
  },
  // Reads only the Disputes stream (granted by its event source) and puts events on the bus.
  publishEvents: { tables: {} },
};

const WRITES = new Set<string>(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem']);
const dynamo = (actions: readonly string[]) => actions.map((a) => `dynamodb:${a}`);

export interface AccessTargets {
  tables: Record<TableKey, ITable>;
  queues: Record<QueueKey, IQueue>;
  policy: IStringParameter;
  key?: IKey;
}

/** Adds exactly the rights in `access` to the function's role. */
export function grantAccess(grantee: IGrantable, access: FunctionAccess, targets: AccessTargets): void {
  let writes = false;
  for (const [tableKey, rights] of Object.entries(access.tables) as [TableKey, TableRights][]) {
    const table = targets.tables[tableKey];
    const indexes = TABLES[tableKey].indexes.map((i: { name: string }) => i.name);
    for (const index of rights.queries ?? []) {
      if (!indexes.includes(index)) throw new Error(`${TABLES[tableKey].name} has no index ${index}`);
    }
    const statements = [
      rights.actions?.length && new PolicyStatement({ actions: dynamo(rights.actions), resources: [table.tableArn] }),
      rights.queries?.length && new PolicyStatement({ actions: dynamo(['Query']), resources: rights.queries.map((index) => `${table.tableArn}/index/${index}`) }),
      rights.inTransactions?.length &&
        new PolicyStatement({
          actions: dynamo(rights.inTransactions),
          resources: [table.tableArn],
          conditions: { 'ForAnyValue:StringEquals': { 'dynamodb:EnclosingOperation': ['TransactWriteItems'] } },
        }),
    ];
    for (const statement of statements) if (statement) grantee.grantPrincipal.addToPrincipalPolicy(statement);
    writes ||= [...(rights.actions ?? []), ...(rights.inTransactions ?? [])].some((a) => WRITES.has(a));
  }
  for (const queue of access.sends ?? []) {
    // SendMessageBatch is authorised as sqs:SendMessage.
    targets.queues[queue].grant(grantee, 'sqs:SendMessage');
    writes = true;
  }
  if (access.readsPolicy) Grant.addToPrincipal({ grantee, actions: ['ssm:GetParameter'], resourceArns: [targets.policy.parameterArn] });
  if (Object.keys(access.tables).length > 0 || access.sends?.length) grantKey(targets.key, grantee, writes);
}
