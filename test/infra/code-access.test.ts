// The code analysis behind test/infra/least-privilege.test.ts, on small bundles: requests and transaction items built
// by helpers are followed to the command that sends them, and what cannot be placed fails instead of being skipped.
import { describe, expect, it } from 'vitest';
import { analyzeBundle } from './support/code-access';

/** A bundle as esbuild writes it: each first-party module headed by its path. */
const bundle = (body: string) => `// lib/adapters/aws.ts
function tableName(key) { return process.env[key]; }
// lib/adapters/store.ts
${body}
`;
const actions = (code: string) =>
  Object.fromEntries([...analyzeBundle(bundle(code)).dynamodb].map(([resource, a]) => [resource, [...a].map(([action, use]) => (use.plain ? action : `${action} (in transactions)`)).sort()]));

describe('code access: requests built by helpers', () => {
  it('follows a returned request into a command (through a spread) and into a transaction item, and a returned item through an argument', () => {
    const found = actions(`
const closeUpdate = (id) => ({ TableName: tableName("rejects"), Key: { id }, UpdateExpression: "SET a = :a" });
function replacePut(item) { return { Put: { TableName: tableName("cdrs"), Item: item } }; }
async function close(id) { return send(new UpdateCommand({ ...closeUpdate(id), ReturnValues: "ALL_NEW" })); }
async function closeWith(id, put) { return send(new TransactWriteCommand({ TransactItems: [put, { Update: closeUpdate(id) }] })); }
async function replace(id, item) { return closeWith(id, replacePut(item)); }
export { close, replace };
`);
    expect(found).toEqual({ rejects: ['UpdateItem'], cdrs: ['PutItem (in transactions)'] });
  });

  it('a request kept in a variable is followed to its command', () => {
    expect(actions(`async function read(id) { const request = { TableName: tableName("audits"), Key: { id } }; return send(new GetCommand(request)); }`)).toEqual({ audits: ['GetItem'] });
  });

  it('fails on a helper\'s request it cannot place, and on a transaction item sent outside a transaction', () => {
    expect(() => actions(`const req = (id) => ({ TableName: tableName("rejects"), Key: { id } }); async function f(id) { return log(req(id)); }`)).toThrow(/cannot tell which DynamoDB request/);
    expect(() => actions(`const item = (id) => ({ Put: { TableName: tableName("cdrs"), Item: { id } } }); async function f(id) { return send(new BatchWriteCommand({ Items: [item(id)] })); }`)).toThrow(/cannot tell which DynamoDB request/);
  });
});
