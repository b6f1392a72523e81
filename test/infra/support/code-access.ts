// What each Lambda's code actually calls, read from its esbuild bundle (the same tree-shaken code that is deployed),
// never from a hand-kept list: the least-privilege test compares this with the synthesized IAM policies.
//
// Only first-party code (lib/, functions/) is examined. A DynamoDB call is found from its table: every
// `tableName('<key>')` is followed to the request it names (the command it is passed to, the transaction item it
// sits in, the batch request it keys, or the helper it is handed to, e.g. queryAll), and the command class gives the
// IAM action. A request or transaction item a helper builds is followed too: from its `return` to every call of the
// helper, from an argument to the uses of the parameter, through spreads (`{ ...request, ReturnValues }`) and
// `{ Update: request }`, until it reaches a command or a `TransactItems` list. Anything the analysis cannot place
// fails loudly, as does any DynamoDB command no table reference reached, so new code either fits these shapes or
// makes this test say what it does not understand.
import * as esbuild from 'esbuild';
import ts from 'typescript';

/** A resource a function touches: a table (`Cdrs`), one of its indexes (`Cdrs/index/byAccount`), a queue key. */
export interface CodeAccess {
  /** DynamoDB: table logical key (resources.ts) or `key/index/name` → action → used outside a transaction too? */
  dynamodb: Map<string, Map<string, { plain: boolean }>>;
  /** Queue keys (resources.ts) it sends to. */
  sendsTo: Set<string>;
  /** It reads an SSM parameter (the policy). */
  readsParameter: boolean;
  /** It puts events on an EventBridge bus. */
  putsEvents: boolean;
  /** Which first-party modules went into the bundle. */
  modules: string[];
}

// DynamoDB command classes (lib-dynamodb and client-dynamodb) → IAM action. Transactions are authorised per item
// (PutItem, UpdateItem, DeleteItem, ConditionCheckItem, GetItem): IAM has no TransactWriteItems action.
const DYNAMO_COMMANDS: Record<string, string> = { // an IAM action, or 'transaction' (per item)
  Get: 'GetItem', GetItem: 'GetItem',
  Put: 'PutItem', PutItem: 'PutItem',
  Update: 'UpdateItem', UpdateItem: 'UpdateItem',
  Delete: 'DeleteItem', DeleteItem: 'DeleteItem',
  Query: 'Query', Scan: 'Scan',
  BatchGet: 'BatchGetItem', BatchGetItem: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem', BatchWriteItem: 'BatchWriteItem',
  TransactWrite: 'transaction', TransactWriteItems: 'transaction',
  TransactGet: 'transaction', TransactGetItems: 'transaction',
};
const TRANSACTION_ITEM: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };
/** Command classes DynamoDB offers that this analysis does not place (PartiQL, control plane): using one fails. */
const OTHER_DYNAMO = /^(ExecuteStatement|BatchExecuteStatement|ExecuteTransaction|CreateTable|DeleteTable|UpdateTable|DescribeTable|ListTables|RestoreTable\w*|ExportTable\w*)$/;

const commandOf = (name: string): string | undefined => /^(\w+?)Command\d*$/.exec(name)?.[1];
const propName = (p: ts.ObjectLiteralElementLike) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined);
const stringProp = (o: ts.ObjectLiteralExpression, name: string) => {
  const p = o.properties.find((x) => propName(x) === name);
  if (!p) return undefined;
  if (ts.isPropertyAssignment(p) && ts.isStringLiteralLike(p.initializer)) return p.initializer.text;
  throw new Error(`${name} is not a string literal: ${p.getText().slice(0, 120)}`);
};
const skipParens = (n: ts.Node): ts.Node => (ts.isParenthesizedExpression(n.parent) || ts.isAwaitExpression(n.parent) ? skipParens(n.parent) : n);

/** Bundles one Lambda entry the way the stack does (ESM, node, tree-shaken) and reads what its code calls. */
export async function analyzeEntry(root: string, entry: string): Promise<CodeAccess> {
  const out = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    metafile: true,
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  return analyzeBundle(out.outputFiles[0]!.text, Object.keys(out.metafile.inputs).filter((p) => /^(lib|functions)\//.test(p)));
}

export function analyzeBundle(code: string, modules: string[] = []): CodeAccess {
  const file = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const where = (n: ts.Node) => `${moduleOf.get(topOf(n)) ?? '?'}: ${n.getText().replace(/\s+/g, ' ').slice(0, 140)}`;

  // esbuild heads each module's code with `// path`: keep the statements of lib/ and functions/ modules.
  const moduleOf = new Map<ts.Node, string>();
  let current = '';
  for (const statement of file.statements) {
    for (const c of ts.getLeadingCommentRanges(code, statement.pos) ?? []) {
      const m = /^\/\/ ((?:lib|functions|node_modules)\/\S+)$/.exec(code.slice(c.pos, c.end));
      if (m) current = m[1]!;
    }
    moduleOf.set(statement, current);
  }
  const firstParty = file.statements.filter((s) => /^(lib|functions)\//.test(moduleOf.get(s)!));
  const topOf = (n: ts.Node): ts.Node => (n.parent === file || !n.parent ? n : topOf(n.parent));
  const visit = (cb: (n: ts.Node) => void) => {
    const walk = (n: ts.Node) => {
      cb(n);
      n.forEachChild(walk);
    };
    firstParty.forEach(walk);
  };

  // First-party functions by name (esbuild keeps top-level names unique), for following helpers and parameters.
  const functions = new Map<string, ts.FunctionLikeDeclaration>();
  visit((n) => {
    if (ts.isFunctionDeclaration(n) && n.name) functions.set(n.name.text, n);
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer))) functions.set(n.name.text, n.initializer);
  });
  const calls: ts.CallExpression[] = [];
  const news: ts.NewExpression[] = [];
  visit((n) => {
    if (ts.isCallExpression(n)) calls.push(n);
    if (ts.isNewExpression(n)) news.push(n);
  });
  const calleeName = (c: ts.CallExpression | ts.NewExpression) => (ts.isIdentifier(c.expression) ? c.expression.text : undefined);
  const enclosingFunction = (n: ts.Node): ts.FunctionLikeDeclaration | undefined => {
    for (let p = n.parent; p; p = p.parent) if (ts.isFunctionLike(p) && 'body' in p) return p;
    return undefined;
  };
  const nameOfFunction = (f: ts.FunctionLikeDeclaration) => {
    if (f.name && ts.isIdentifier(f.name)) return f.name.text;
    if (ts.isVariableDeclaration(f.parent) && ts.isIdentifier(f.parent.name)) return f.parent.name.text;
    return undefined;
  };

  /** The string values an argument can take: a literal, or a parameter followed to every call of its function. */
  const valuesOf = (arg: ts.Expression | undefined, seen = new Set<ts.Node>()): string[] => {
    if (!arg) throw new Error('missing argument');
    if (ts.isStringLiteralLike(arg)) return [arg.text];
    if (ts.isIdentifier(arg)) {
      const fn = enclosingFunction(arg);
      const index = fn?.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === arg.text) ?? -1;
      const name = fn && nameOfFunction(fn);
      if (fn && index >= 0 && name && !seen.has(fn)) {
        seen.add(fn);
        const sites = calls.filter((c) => calleeName(c) === name);
        if (sites.length === 0) return [];
        return sites.flatMap((c) => valuesOf(c.arguments[index], seen));
      }
    }
    throw new Error(`cannot tell which resource ${where(arg)} names`);
  };

  const access: CodeAccess = { dynamodb: new Map(), sendsTo: new Set(), readsParameter: false, putsEvents: false, modules };
  const placed = new Set<ts.NewExpression>();
  const grant = (tables: string[], index: string | undefined, action: string, plain: boolean) => {
    for (const table of tables) {
      const resource = index ? `${table}/index/${index}` : table;
      const actions = access.dynamodb.get(resource) ?? new Map<string, { plain: boolean }>();
      actions.set(action, { plain: plain || (actions.get(action)?.plain ?? false) });
      access.dynamodb.set(resource, actions);
    }
  };

  // The idempotency layer's own DynamoDB calls, read from its module in the bundle.
  const idempotencyActions = () => {
    const actions = new Set<string>();
    let inLayer = false;
    for (const statement of file.statements) {
      inLayer = /@aws-lambda-powertools\/idempotency\/.*DynamoDBPersistenceLayer/.test(moduleOf.get(statement)!);
      if (!inLayer) continue;
      const walk = (n: ts.Node) => {
        if (ts.isNewExpression(n) && ts.isIdentifier(n.expression)) {
          const action = DYNAMO_COMMANDS[commandOf(n.expression.text) ?? ''];
          if (action && action !== 'transaction') actions.add(action);
        }
        n.forEachChild(walk);
      };
      walk(statement);
    }
    if (actions.size === 0) throw new Error('the bundle uses DynamoDBPersistenceLayer but its commands were not found');
    return [...actions];
  };

  /** The request an object literal `{ TableName: … }` is: a command, a transaction item, or a helper's input. */
  const placeRequest = (o: ts.ObjectLiteralExpression, tables: string[], tableProp: string) => {
    const index = stringProp(o, 'IndexName');
    const parent = skipParens(o).parent;
    if (ts.isNewExpression(parent) && ts.isIdentifier(parent.expression)) {
      const cls = parent.expression.text;
      if (/^DynamoDBPersistenceLayer\d*$/.test(cls) && tableProp === 'tableName') {
        for (const action of idempotencyActions()) grant(tables, undefined, action, true);
        placed.add(parent);
        return;
      }
      const action = DYNAMO_COMMANDS[commandOf(cls) ?? ''];
      if (action && action !== 'transaction') {
        grant(tables, index, action, true);
        placed.add(parent);
        return;
      }
    }
    // { Put: { TableName } } inside TransactItems: [...] of a TransactWrite/TransactGet command.
    if (ts.isPropertyAssignment(parent) && TRANSACTION_ITEM[propName(parent) ?? '']) {
      const list = parent.parent.parent;
      const items = list?.parent;
      const command = items && ts.isPropertyAssignment(items) && propName(items) === 'TransactItems' ? skipParens(items.parent).parent : undefined;
      if (ts.isArrayLiteralExpression(list) && command && ts.isNewExpression(command) && ts.isIdentifier(command.expression) && DYNAMO_COMMANDS[commandOf(command.expression.text) ?? ''] === 'transaction') {
        grant(tables, undefined, TRANSACTION_ITEM[propName(parent)!]!, false);
        placed.add(command);
        return;
      }
    }
    // A helper's input: helper({ TableName, … }) where the helper sends `new XCommand({ ...input })`.
    if (ts.isCallExpression(parent) && calleeName(parent) && functions.has(calleeName(parent)!)) {
      const helper = functions.get(calleeName(parent)!)!;
      const position = parent.arguments.indexOf(o);
      const param = helper.parameters[position]?.name;
      const sends: ts.NewExpression[] = [];
      const walk = (n: ts.Node) => {
        if (ts.isNewExpression(n) && n.arguments?.[0] && ts.isObjectLiteralExpression(n.arguments[0]) && param && ts.isIdentifier(param)) {
          if (n.arguments[0].properties.some((p) => ts.isSpreadAssignment(p) && ts.isIdentifier(p.expression) && p.expression.text === param.text)) sends.push(n);
        }
        n.forEachChild(walk);
      };
      walk(helper);
      const actions = sends.map((n) => DYNAMO_COMMANDS[commandOf((n.expression as ts.Identifier).text) ?? '']);
      if (sends.length > 0 && actions.every((a) => a && a !== 'transaction')) {
        for (const action of actions) grant(tables, index, action!, true);
        sends.forEach((n) => placed.add(n));
        return;
      }
    }
    // Built by a helper (returned, or handed on as an argument): placed wherever its value is used.
    const uses = usesOf(o);
    if (uses.every((use) => placeRequestUse(use, tables, index))) return;
    throw new Error(`cannot tell which DynamoDB request uses ${where(o)}`);
  };

  /**
   * Where a value ends up: the expression itself, or, when it is returned from a first-party function, handed to one
   * as an argument or kept in a variable, the places that call, parameter or variable is used. Reading a property of
   * it (`input.TableName`) is not a use.
   */
  const usesOf = (n: ts.Node, seen = new Set<ts.Node>()): ts.Node[] => {
    const node = skipParens(n);
    const parent = node.parent;
    const references = (name: string, scope: ts.Node, declaration: ts.Node) => {
      const found: ts.Node[] = [];
      const walk = (x: ts.Node) => {
        if (ts.isIdentifier(x) && x.text === name && x !== declaration) {
          const p = x.parent;
          const isKey = (ts.isPropertyAccessExpression(p) && p.name === x) || (ts.isPropertyAssignment(p) && p.name === x);
          const isRead = ts.isPropertyAccessExpression(p) && p.expression === x;
          if (!isKey && !isRead) found.push(x);
        }
        x.forEachChild(walk);
      };
      walk(scope);
      return found;
    };
    const returnedFrom = ts.isReturnStatement(parent) ? enclosingFunction(parent) : ts.isArrowFunction(parent) && parent.body === node ? parent : undefined;
    if (returnedFrom) {
      const name = nameOfFunction(returnedFrom);
      if (!name) throw new Error(`cannot tell where the value of an unnamed function goes: ${where(node)}`);
      if (seen.has(returnedFrom)) return [];
      seen.add(returnedFrom);
      return calls.filter((c) => calleeName(c) === name).flatMap((c) => usesOf(c, seen));
    }
    if (ts.isCallExpression(parent) && calleeName(parent) && functions.has(calleeName(parent)!) && parent.arguments.includes(node as ts.Expression)) {
      const helper = functions.get(calleeName(parent)!)!;
      const param = helper.parameters[parent.arguments.indexOf(node as ts.Expression)]?.name;
      if (!param || !ts.isIdentifier(param) || !helper.body) throw new Error(`cannot tell how ${calleeName(parent)} uses ${where(node)}`);
      if (seen.has(param)) return [];
      seen.add(param);
      return references(param.text, helper.body, param).flatMap((r) => usesOf(r, seen));
    }
    if (ts.isVariableDeclaration(parent) && parent.initializer === node && ts.isIdentifier(parent.name)) {
      const scope = enclosingFunction(parent)?.body;
      if (!scope) throw new Error(`cannot tell where the module-level ${parent.name.text} goes: ${where(node)}`);
      if (seen.has(parent)) return [];
      seen.add(parent);
      return references(parent.name.text, scope, parent.name).flatMap((r) => usesOf(r, seen));
    }
    return [node];
  };

  /** A use of a request object: a command's input, the input of one widened by a spread, or a transaction item's request. */
  const placeRequestUse = (use: ts.Node, tables: string[], index: string | undefined): boolean => {
    const parent = use.parent;
    if (ts.isNewExpression(parent) && ts.isIdentifier(parent.expression) && parent.arguments?.[0] === use) {
      const action = DYNAMO_COMMANDS[commandOf(parent.expression.text) ?? ''];
      if (!action || action === 'transaction') return false;
      grant(tables, index, action, true);
      placed.add(parent);
      return true;
    }
    // `{ ...request, ReturnValues: 'ALL_NEW' }`: the same request with more options.
    if (ts.isSpreadAssignment(parent) && ts.isObjectLiteralExpression(parent.parent)) return usesOf(parent.parent).every((u) => placeRequestUse(u, tables, index));
    // `{ Update: request }`: a transaction item, wherever that item goes.
    if (ts.isPropertyAssignment(parent) && parent.initializer === use && TRANSACTION_ITEM[propName(parent) ?? ''] && ts.isObjectLiteralExpression(parent.parent)) {
      const action = TRANSACTION_ITEM[propName(parent)!]!;
      return usesOf(parent.parent).every((u) => placeTransactionItem(u, tables, action));
    }
    return false;
  };

  /** A use of a transaction item `{ Put: … }`: an element of `TransactItems: [...]` of a TransactWrite/TransactGet command. */
  const placeTransactionItem = (use: ts.Node, tables: string[], action: string): boolean => {
    const list = use.parent;
    const items = list?.parent;
    if (!ts.isArrayLiteralExpression(list) || !ts.isPropertyAssignment(items) || propName(items) !== 'TransactItems') return false;
    const command = skipParens(items.parent).parent;
    if (!ts.isNewExpression(command) || !ts.isIdentifier(command.expression) || DYNAMO_COMMANDS[commandOf(command.expression.text) ?? ''] !== 'transaction') return false;
    grant(tables, undefined, action, false);
    placed.add(command);
    return true;
  };

  /** `RequestItems: { [table]: … }` of a BatchWrite/BatchGet command, the computed key given. */
  const placeBatchKey = (key: ts.ComputedPropertyName, tables: string[]): boolean => {
    const requestItems = key.parent.parent;
    const prop = requestItems?.parent;
    if (!ts.isObjectLiteralExpression(requestItems) || !prop || !ts.isPropertyAssignment(prop) || propName(prop) !== 'RequestItems') return false;
    const command = skipParens(prop.parent).parent;
    if (!ts.isNewExpression(command) || !ts.isIdentifier(command.expression)) return false;
    const action = DYNAMO_COMMANDS[commandOf(command.expression.text) ?? ''];
    if (action !== 'BatchWriteItem' && action !== 'BatchGetItem') return false;
    grant(tables, undefined, action, true);
    placed.add(command);
    return true;
  };

  for (const call of calls) {
    const name = calleeName(call);
    if (!name || !/^tableName\d*$/.test(name) || !functions.has(name)) continue;
    const tables = valuesOf(call.arguments[0]);
    const parent = skipParens(call).parent;
    if (ts.isPropertyAssignment(parent) && (propName(parent) === 'TableName' || propName(parent) === 'tableName') && ts.isObjectLiteralExpression(parent.parent)) {
      placeRequest(parent.parent, tables, propName(parent)!);
    } else if (ts.isComputedPropertyName(parent) && placeBatchKey(parent, tables)) {
      // placed
    } else if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
      // const table = tableName('audits'); … RequestItems: { [table]: requests }
      const variable = parent.name.text;
      const scope = enclosingFunction(parent);
      let used = false;
      const walk = (n: ts.Node) => {
        if (ts.isComputedPropertyName(n) && ts.isIdentifier(n.expression) && n.expression.text === variable && placeBatchKey(n, tables)) used = true;
        n.forEachChild(walk);
      };
      if (scope) walk(scope);
      if (!used) throw new Error(`cannot tell which DynamoDB request uses ${where(call)}`);
    } else {
      throw new Error(`cannot tell which DynamoDB request uses ${where(call)}`);
    }
  }

  for (const n of news) {
    if (!ts.isIdentifier(n.expression)) continue;
    const cls = n.expression.text;
    const command = commandOf(cls);
    if (/^DynamoDBPersistenceLayer\d*$/.test(cls) || (command && DYNAMO_COMMANDS[command])) {
      if (!placed.has(n)) throw new Error(`a DynamoDB request no table reference reached: ${where(n)}`);
    } else if (command && OTHER_DYNAMO.test(command)) {
      throw new Error(`DynamoDB ${command} is not something this analysis (or the stack's grants) supports: ${where(n)}`);
    } else if (command === 'SendMessage' || command === 'SendMessageBatch') {
      const input = n.arguments?.[0];
      const url = input && ts.isObjectLiteralExpression(input) ? input.properties.find((p) => propName(p) === 'QueueUrl') : undefined;
      if (!url || !ts.isPropertyAssignment(url)) throw new Error(`cannot tell which queue ${where(n)} sends to`);
      // QueueUrl: queueUrl(queue), or a setting (the local events queue, absent in AWS).
      const init = url.initializer;
      if (ts.isCallExpression(init) && /^queueUrl\d*$/.test(calleeName(init) ?? '')) for (const q of valuesOf(init.arguments[0])) access.sendsTo.add(q);
      else if (!ts.isIdentifier(init)) throw new Error(`cannot tell which queue ${where(n)} sends to`);
    } else if (command === 'GetParameter' || command === 'GetParameters') {
      access.readsParameter = true;
    } else if (command === 'PutEvents') {
      access.putsEvents = true;
    }
  }
  return access;
}
