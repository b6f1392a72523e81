// A fault-injecting middleware on the real AWS SDK v3 clients (every client lib/adapters/aws.ts makes): fail or
// throttle the Nth call of a chosen command, optionally only calls on one table or queue.
//  - 'fail': a non-retryable error before the SDK's retries (the caller sees it at once, as after retries ran out);
//  - 'throttle': a throttling error after the SDK's retry step, so the SDK retries it as it would DynamoDB's own.
import { onEveryClient, type SdkMiddleware } from '../../lib/adapters/aws';

export interface Fault {
  /** The SDK command, e.g. 'PutItemCommand', 'UpdateItemCommand', 'BatchGetItemCommand', 'DeleteMessageBatchCommand'. */
  command: string;
  /** Only calls whose table name or queue URL contains this. */
  target?: string;
  /** And only calls whose input this accepts. */
  match?: (input: Record<string, unknown>) => boolean;
  /** The first matching call to hit (1-based), and how many in a row from it (default 1). */
  nth: number;
  times?: number;
  /** 'before' runs `run` just before the call goes out (to make something happen at that exact point). */
  kind: 'fail' | 'throttle' | 'before';
  run?: () => Promise<void>;
}

const targetOf = (input: Record<string, unknown>): string =>
  [input.TableName, input.QueueUrl, ...Object.keys((input.RequestItems as object | undefined) ?? {}), ...((input.TransactItems as { [k: string]: { TableName?: string } }[] | undefined) ?? []).flatMap((t) => Object.values(t).map((x) => x.TableName))].filter(Boolean).join(' ');

export function faultInjector() {
  const armed: (Fault & { seen: number; hit: number })[] = [];
  let injected = 0;
  const check = (phase: Fault['kind']): SdkMiddleware => (next, context) => async (args) => {
    for (const f of armed) {
      if ((f.kind === 'before' ? 'fail' : f.kind) !== phase || f.command !== context.commandName) continue;
      if (f.target && !targetOf(args.input).includes(f.target)) continue;
      if (f.match && !f.match(args.input)) continue;
      f.seen++;
      if (f.seen >= f.nth && f.hit < (f.times ?? 1)) {
        f.hit++;
        if (f.kind === 'before') {
          await f.run?.();
          continue;
        }
        injected++;
        throw phase === 'fail'
          ? Object.assign(new Error(`injected failure of ${context.commandName} #${f.seen}`), { name: 'InjectedFault', $fault: 'server', $retryable: undefined })
          : Object.assign(new Error(`injected throttle of ${context.commandName} #${f.seen}`), { name: 'ProvisionedThroughputExceededException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
      }
    }
    return next(args);
  };
  onEveryClient((client) => {
    client.middlewareStack.remove('inject-fail');
    client.middlewareStack.remove('inject-throttle');
    client.middlewareStack.add(check('fail'), { step: 'initialize', name: 'inject-fail', priority: 'high' });
    client.middlewareStack.add(check('throttle'), { step: 'finalizeRequest', name: 'inject-throttle', priority: 'low' });
  });
  return {
    arm: (...faults: Fault[]) => armed.push(...faults.map((f) => ({ ...f, seen: 0, hit: 0 }))),
    clear: () => void armed.splice(0),
    /** Faults injected so far (all scenarios). */
    injected: () => injected,
    /** Faults armed in this scenario that never fired: a scenario that injected nothing proves nothing. */
    unfired: () => armed.filter((f) => f.hit === 0),
  };
}
