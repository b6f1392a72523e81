// Least privilege, checked against the code: every function entry is bundled with esbuild, the DynamoDB, SQS, SSM
// and EventBridge calls its code makes are derived from the bundle (support/code-access.ts), and the synthesized
// role policies must grant exactly those (plus what the wiring needs: its event sources, its log group, X-Ray).
// An action the code does not call fails the test, and so does one it calls that is not granted.
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QUEUES, TABLES, type QueueKey } from '../../lib/adapters/resources';
import { type CodeAccess, analyzeEntry } from './support/code-access';
import { type Cfn, PIPELINE_FUNCTIONS, type PipelineFunctionKey, type Resource, STACK, type Synthesized, synth } from './support/synth';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Every function with code here: the stack's own, the webhook ones and the overdue sweep. */
const KEYS = Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[];
const IN_TRANSACTION = { 'ForAnyValue:StringEquals': { 'dynamodb:EnclosingOperation': ['TransactWriteItems'] } };
const SQS_CONSUMER = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
const STREAM_READER = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];

let s: Synthesized;
const code = {} as Record<PipelineFunctionKey, CodeAccess>;

beforeAll(async () => {
  s = synth();
  const analyses = await Promise.all(KEYS.map((key) => analyzeEntry(ROOT, PIPELINE_FUNCTIONS[key].entry)));
  KEYS.forEach((key, i) => (code[key] = analyses[i]!));
}, 240_000);

/** A resource of a policy statement, named: `cdrs`, `cdrs/index/byHour`, `stream:disputes`, `queue:cdr-ingest`, … */
function resourceName(resource: unknown): string {
  if (resource === '*') return '*';
  const r = resource as Record<string, Cfn>;
  if (r['Fn::GetAtt']) {
    const [id, attribute] = r['Fn::GetAtt'] as [string, string];
    const target = s.resources[id]!;
    if (target.Type === 'AWS::DynamoDB::Table') return attribute === 'StreamArn' ? `stream:${s.tableKeyOf(id)}` : s.tableKeyOf(id)!;
    if (target.Type === 'AWS::SQS::Queue') return `queue:${String(target.Properties.QueueName).replace(`${STACK}-`, '')}`;
    if (target.Type === 'AWS::Logs::LogGroup') return `log-group:${id}`;
    if (target.Type === 'AWS::Events::EventBus') return `bus:${String(target.Properties.Name).replace(`${STACK}-`, '')}`;
    if (target.Type === 'AWS::KMS::Key') return `key:${id}`;
  }
  if (r['Fn::Join']) {
    const parts = r['Fn::Join'][1] as unknown[];
    const arn = parts[0] as Record<string, Cfn>;
    if (arn['Fn::GetAtt'] && typeof parts[1] === 'string' && parts[1].startsWith('/index/') && parts.length === 2) return `${resourceName(arn)}${parts[1]}`;
    const parameter = parts.find((p) => (p as Cfn)?.Ref && s.resources[(p as Cfn).Ref]?.Type === 'AWS::SSM::Parameter') as { Ref: string } | undefined;
    if (parameter) return `parameter:${s.resources[parameter.Ref]!.Properties.Name}`;
  }
  return JSON.stringify(resource);
}

/** Everything a function's role may do, one `action on resource [in transactions]` line each. */
function granted(key: PipelineFunctionKey): string[] {
  const [, fn] = s.functionOf(key);
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const role = s.resources[roleId]!;
  expect(role.Properties.ManagedPolicyArns, `${key}: managed policies`).toBeUndefined();
  const policies = s.ofType('AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: Cfn) => r.Ref === roleId));
  const statements = [...policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement), ...(role.Properties.Policies ?? []).flatMap((p: Cfn) => p.PolicyDocument.Statement)];
  const lines = new Set<string>();
  for (const st of statements) {
    expect(st.Effect).toBe('Allow');
    let suffix = '';
    if (st.Condition) {
      expect(st.Condition, `${key}: unexpected condition`).toEqual(IN_TRANSACTION);
      suffix = ' [in transactions]';
    }
    for (const action of [st.Action].flat()) for (const resource of [st.Resource].flat()) lines.add(`${action} on ${resourceName(resource)}${suffix}`);
  }
  return [...lines].sort();
}

const queueName = (q: QueueKey) => QUEUES[q].name;

/** What the code (and the function's wiring) needs, in the same form. */
function needed(key: PipelineFunctionKey): string[] {
  const [fnId, fn] = s.functionOf(key);
  const c = code[key];
  const lines = new Set<string>();
  for (const [resource, actions] of c.dynamodb) {
    for (const [action, use] of actions) lines.add(`dynamodb:${action} on ${resource}${use.plain ? '' : ' [in transactions]'}`);
  }
  for (const q of c.sendsTo) lines.add(`sqs:SendMessage on queue:${queueName(q as QueueKey)}`);
  if (c.readsParameter) lines.add('ssm:GetParameter on parameter:/dispute-pipeline/policy');
  // The bus it is told about (EVENT_BUS_NAME is the bus's Ref, its name).
  if (c.putsEvents) lines.add(`events:PutEvents on ${resourceName({ 'Fn::GetAtt': [fn.Properties.Environment.Variables.EVENT_BUS_NAME.Ref, 'Arn'] })}`);
  // The wiring: its event sources, its own log group, X-Ray.
  for (const [, m] of s.ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => m.Properties.FunctionName.Ref === fnId)) {
    const source = resourceName(m.Properties.EventSourceArn);
    if (source.startsWith('queue:')) SQS_CONSUMER.forEach((a) => lines.add(`${a} on ${source}`));
    if (source.startsWith('stream:')) {
      STREAM_READER.forEach((a) => lines.add(`${a} on ${source}`));
      lines.add('dynamodb:ListStreams on *');
    }
    const onFailure = m.Properties.DestinationConfig?.OnFailure?.Destination;
    if (onFailure) lines.add(`sqs:SendMessage on ${resourceName(onFailure)}`);
  }
  lines.add(`logs:CreateLogStream on log-group:${fn.Properties.LoggingConfig.LogGroup.Ref}`);
  lines.add(`logs:PutLogEvents on log-group:${fn.Properties.LoggingConfig.LogGroup.Ref}`);
  lines.add('xray:PutTraceSegments on *');
  lines.add('xray:PutTelemetryRecords on *');
  return [...lines].sort();
}

describe('least privilege, derived from the code', () => {
  it.each(KEYS)('%s: its role grants exactly what its code and its wiring use', (key) => {
    expect(granted(key)).toEqual(needed(key));
  });

  it('prints the per-function DynamoDB actions the code uses (and the stack grants)', () => {
    const rows = KEYS.flatMap((key) => [...code[key].dynamodb].sort().map(([resource, actions]) => `  ${PIPELINE_FUNCTIONS[key].id.padEnd(21)} ${resource.padEnd(26)} ${[...actions].map(([a, u]) => (u.plain ? a : `${a} (in transactions)`)).sort().join(', ')}`));
    const other = KEYS.map((key) => `  ${PIPELINE_FUNCTIONS[key].id.padEnd(21)} sends to [${[...code[key].sendsTo].join(', ')}]${code[key].readsParameter ? ', reads the policy parameter' : ''}${code[key].putsEvents ? ', puts events' : ''}`);
    console.info(['DynamoDB actions per function and resource:', ...rows, 'Other calls:', ...other].join('\n'));
    expect(rows.length).toBeGreaterThan(0);
  });

  it('the analysis reads real calls: ingest reads then batch-writes CDRs and never deletes; the API replaces one only in a transaction', () => {
    expect(code.ingest.modules).toContain('lib/adapters/cdr-store.ts');
    expect([...code.ingest.dynamodb.get('cdrs')!.keys()].sort()).toEqual(['BatchGetItem', 'BatchWriteItem']);
    // IAM cannot tell a batch's puts from its deletes: the code that sends them never builds a delete.
    for (const module of code.ingest.modules) expect(readFileSync(join(ROOT, module), 'utf8'), module).not.toMatch(/DeleteRequest/);
    expect([...code.api.dynamodb.get('idempotency')!.keys()].sort()).toEqual(['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem']);
    // The API writes a CDR only when it replaces a conflict's stored CDR, in one transaction with closing the reject.
    expect(code.api.dynamodb.get('cdrs')).toEqual(new Map([['PutItem', { plain: false }]]));
    expect(code.api.dynamodb.get('rejects')!.get('UpdateItem')).toEqual({ plain: true });
  });
});

describe('what no function may do, whatever the code', () => {
  const statements = () =>
    s.ofType('AWS::IAM::Policy').flatMap(([id, p]: [string, Resource]) =>
      p.Properties.PolicyDocument.Statement.flatMap((st: Cfn) => [st.Action].flat().flatMap((action: string) => [st.Resource].flat().map((resource: unknown) => ({ id, action, resource: resourceName(resource), condition: st.Condition })))),
    );

  it('no function can delete, batch-write, scan or plainly put a dispute: history is appended by UpdateItem, disputes created in the guard transaction', () => {
    const onDisputes = statements().filter((g) => g.resource === 'disputes' && g.action.startsWith('dynamodb:'));
    for (const g of onDisputes) {
      expect(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'], g.id).toContain(g.action);
      if (g.action === 'dynamodb:PutItem') expect(g.condition, g.id).toEqual(IN_TRANSACTION);
    }
  });

  it('no function can delete stored CDRs or statistics, only ingest batch-writes CDRs, and nothing scans but Rejects: the audit (a period\'s rejects) and the API (listing them without a source)', () => {
    const scans = new Set<string>();
    for (const g of statements().filter((x) => x.action.startsWith('dynamodb:'))) {
      if (g.resource === 'cdrs' || g.resource === 'connectStats') expect(g.action, g.id).not.toBe('dynamodb:DeleteItem');
      if (g.resource === 'connectStats') expect(g.action, g.id).not.toBe('dynamodb:BatchWriteItem');
      if (g.resource === 'cdrs' && g.action === 'dynamodb:BatchWriteItem') expect(g.id).toMatch(/^IngestCdrsRole/);
      if (g.action === 'dynamodb:Scan') {
        expect(g.resource, g.id).toBe('rejects');
        scans.add(g.id.replace(/^(RunAudit|Api)Role.*$/, '$1'));
      }
    }
    expect([...scans].sort()).toEqual(['Api', 'RunAudit']);
  });

  it('the policy parameter is readable only by the functions whose code calls loadPolicy', () => {
    const readers = KEYS.filter((key) => granted(key).some((line) => line.startsWith('ssm:')));
    expect(readers.sort()).toEqual(KEYS.filter((key) => code[key].modules.includes('lib/adapters/policy-source.ts') && code[key].readsParameter).sort());
    expect(readers).not.toContain('publishEvents');
  });

  it('every table has its grants by name: no `<table>/index/*`', () => {
    const names = statements().filter((g) => g.action.startsWith('dynamodb:')).map((g) => g.resource);
    expect(names.filter((n) => n.includes('*') && n !== '*')).toEqual([]);
    for (const [table, def] of Object.entries(TABLES)) {
      for (const name of names.filter((n) => n.startsWith(`${table}/index/`))) expect(def.indexes.map((i: { name: string }) => `${table}/index/${i.name}`)).toContain(name);
    }
  });
});
