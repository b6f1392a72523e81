// Investigation benchmark on the local emulators: open → RECOMMENDED through the HTTP API and the investigator, for an
// account with many earlier disputes beside new accounts, with the DynamoDB requests (and capacity units) each
// investigation makes, counted by command on every SDK client (onEveryClient).
// Data: per account 200 calls to one number in a 30-day window; the number's traffic from other accounts over the
// window and its baseline, so statistics exist; all of it through SQS ingest and the Cdrs stream, as in production.
// The busy account gets 100 earlier disputes of the same shape, opened and decided through the API.
//   BENCH_RUNS (10 timed investigations per case)  BENCH_CALL_ID_RUNS (5)  BENCH_PRIOR (100)  BENCH_CALLS (200)
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { documentClient, onEveryClient, type SdkMiddleware } from '../../lib/adapters/aws';
import { getDispute, transition } from '../../lib/adapters/dispute-store';
import { QUEUES, TABLES } from '../../lib/adapters/resources';
import type { Cdr } from '../../lib/domain/cdr';
import { summarizeRecommendation } from '../../lib/domain/disputes/dispute';
import { sendCdrs } from '../../lib/use-cases/ingest/import-file';
import { startEmulators } from '../../infra/local/emulators';
import { startHttpApi } from '../../infra/local/http-api';
import { pollOnce } from '../../infra/local/runner';
import { provisionLocalStack } from '../../infra/local/stack';
import { itemSize } from './item-size';
import { shiftCdr } from './move-cdr';
import { generateDay } from './traffic';
import { intEnv } from './options';

const RUNS = intEnv('BENCH_RUNS', 10);
const CALL_ID_RUNS = intEnv('BENCH_CALL_ID_RUNS', 5);
const PRIOR = intEnv('BENCH_PRIOR', 100);
const CALLS = intEnv('BENCH_CALLS', 200);
const WINDOW_DAYS = 30;
/** The number's traffic from other accounts, per hour, over the window and the week before it (the baseline). */
const BACKGROUND_PER_HOUR = 2;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const started = performance.now();
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AUTH_MODE = 'tokens';
process.env.API_TOKENS = JSON.stringify({
  'bench-ticketing': { subject: 'ticket-tool', roles: ['ticketing'] },
  'bench-reviewer': { subject: 'bench.reviewer', roles: ['reviewer'] },
});

// --- Requests, counted on every SDK client: command, table (logical name) and index; capacity units as returned ----
type Phase = 'idle' | 'open' | 'investigate' | 'decide';
let phase: Phase = 'idle';
interface Tally {
  requests: Map<string, number>;
  /** Capacity units by the same keys. */
  units: Map<string, number>;
  readUnits: number;
  writeUnits: number;
}
const newTally = (): Tally => ({ requests: new Map(), units: new Map(), readUnits: 0, writeUnits: 0 });
let tally = newTally();
let logicalName = (physical: string) => physical;
const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);

function targetOf(input: Record<string, unknown>): string {
  if (typeof input.TableName === 'string') return `${logicalName(input.TableName)}${typeof input.IndexName === 'string' ? `.${input.IndexName}` : ''}`;
  if (input.RequestItems) return Object.keys(input.RequestItems).map(logicalName).join('+');
  if (Array.isArray(input.TransactItems)) return [...new Set((input.TransactItems as Record<string, { TableName?: string }>[]).flatMap((t) => Object.values(t).map((x) => logicalName(x.TableName ?? '?'))))].join('+');
  if (typeof input.QueueUrl === 'string') return input.QueueUrl.split('/').pop()!.replace(/^inv-/, '');
  return '';
}

const counting: SdkMiddleware = (next, context) => async (args) => {
  if (phase === 'idle') return next(args);
  const command = context.commandName ?? '?';
  const dynamo = 'TableName' in args.input || 'RequestItems' in args.input || 'TransactItems' in args.input;
  const key = `${dynamo ? '' : 'sqs '}${command} ${targetOf(args.input)}`;
  tally.requests.set(key, (tally.requests.get(key) ?? 0) + 1);
  if (!dynamo) return next(args);
  // Ask for the capacity the request consumed, where the code did not already.
  const input = args.input.ReturnConsumedCapacity ? args.input : { ...args.input, ReturnConsumedCapacity: 'TOTAL' };
  const result = (await next({ ...args, input })) as { output?: { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] } };
  const consumed = result.output?.ConsumedCapacity;
  const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
  tally.units.set(key, (tally.units.get(key) ?? 0) + units);
  if (READS.has(command)) tally.readUnits += units;
  else tally.writeUnits += units;
  return result;
};
onEveryClient((client) => client.middlewareStack.add(counting, { step: 'initialize', name: 'bench-count-requests', priority: 'high' }));

// --- Data ----------------------------------------------------------------------------------------------------------
const now = Date.now();
const windowTo = Math.floor((now - DAY) / HOUR) * HOUR;
const windowFrom = windowTo - WINDOW_DAYS * DAY;
const iso = (ms: number) => new Date(ms).toISOString();
let callSeq = 0;

/** `count` calls of traffic.ts's outcome mix, moved to uniform moments of [from, to), to `calledNumber`. */
function callsBetween(seed: number, count: number, from: number, to: number, calledNumber: string, accountId?: string): Cdr[] {
  const day = generateDay({ cdrs: count, seed, destinations: 1, accounts: accountId ? 1 : 500 });
  return day.map((cdr, i) => {
    const at = from + Math.floor(((i + 0.5) / count) * (to - from - HOUR));
    const moved = shiftCdr(cdr, at - Date.parse(cdr.startedAt));
    return { ...moved, callId: `bench-${callSeq++}-${cdr.callId}`, calledNumber, ...(accountId ? { accountId, callingNumber: cdr.callingNumber } : {}) };
  });
}

const NUMBER = generateDay({ cdrs: 1, seed: 1, destinations: 1, accounts: 1 })[0]!.calledNumber;
const BUSY = 'ACC-BUSY';
const newAccounts = Array.from({ length: RUNS }, (_, i) => `ACC-NEW-${String(i + 1).padStart(3, '0')}`);
const newCallIdAccounts = Array.from({ length: CALL_ID_RUNS }, (_, i) => `ACC-NEWC-${String(i + 1).padStart(3, '0')}`);
const callsOf = new Map<string, Cdr[]>();
[BUSY, ...newAccounts, ...newCallIdAccounts].forEach((account, i) => callsOf.set(account, callsBetween(100 + i, CALLS, windowFrom, windowTo, NUMBER, account)));
const backgroundFrom = windowFrom - 8 * DAY;
const background = callsBetween(7, Math.round(((windowTo - backgroundFrom) / HOUR) * BACKGROUND_PER_HOUR), backgroundFrom, windowTo, NUMBER);
const allCdrs = [...background, ...[...callsOf.values()].flat()];

const numberScope = (accountId: string, ticketId: string) => ({ accountId, claim: 'NEVER_CONNECTED', ticketId, calledNumber: NUMBER, from: iso(windowFrom), to: iso(windowTo) });
const callIdScope = (accountId: string, ticketId: string) => ({ accountId, claim: 'NEVER_CONNECTED', ticketId, callIds: callsOf.get(accountId)!.map((c) => c.callId) });

// --- Run -----------------------------------------------------------------------------------------------------------
interface Run {
  ms: number;
  investigateMs: number;
  tally: Tally;
}

const p = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
};
const total = (t: Tally) => [...t.requests.entries()].filter(([k]) => !k.startsWith('sqs ')).reduce((sum, [, n]) => sum + n, 0);

async function main(): Promise<void> {
  const emulators = await startEmulators();
  let server: Awaited<ReturnType<typeof startHttpApi>> | undefined;
  try {
    const stack = await provisionLocalStack(emulators, 'inv-');
    const physical = new Map(Object.values(TABLES).map((def) => [stack.env[def.env]!, def.name]));
    logicalName = (name) => physical.get(name) ?? name;
    server = await startHttpApi(stack.handlers.api, 0, { throttle: { rateLimit: 10_000, burstLimit: 10_000 } });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    };
    const investigationsUrl = stack.env[QUEUES.investigations.env]!;

    let t = performance.now();
    await sendCdrs(allCdrs);
    await stack.drainIngest(100);
    console.log(`loaded ${allCdrs.length} CDRs (${CALLS} calls to ${NUMBER} in ${WINDOW_DAYS} days for each of ${callsOf.size} accounts, ${background.length} from other accounts over the window and its baseline) through SQS ingest and the Cdrs stream in ${seconds(t)} s`);

    // Earlier disputes of the busy account, each opened through the API and decided through it. The first is
    // investigated by the investigator; the others get a copy of its recommendation through the investigator's own
    // writes (transition to INVESTIGATING, then RECOMMENDED): the same items, without investigating each again (which
    // would cost the history read measured below, once per earlier dispute). Their queued messages are then skipped.
    t = performance.now();
    const decide = async (id: string) => {
      const dispute = await getDispute(id);
      if (dispute?.status !== 'RECOMMENDED') throw new Error(`earlier dispute ${id} is ${dispute?.status}`);
      const decision = dispute.recommendation!.outcome === 'ESCALATE' ? { action: 'OVERRIDE', outcome: 'DENY', creditAmount: { amountMinor: 0, currency: 'USD' }, reason: 'bench: reviewed, no fault found' } : { action: 'ACCEPT' };
      const decided = await call('POST', `/v1/disputes/${id}/decision`, 'bench-reviewer', decision);
      if (decided.status !== 200) throw new Error(`decision failed: ${decided.status} ${JSON.stringify(decided.body)}`);
    };
    const open = async (body: Record<string, unknown>) => {
      const opened = await call('POST', '/v1/disputes', 'bench-ticketing', body);
      if (opened.status !== 202) throw new Error(`open failed: ${opened.status} ${JSON.stringify(opened.body)}`);
      return String(opened.body.disputeId);
    };
    let recommendedItemBytes = 0;
    let decisionWriteUnits = 0;
    if (PRIOR > 0) {
      const first = await open(numberScope(BUSY, 'PRIOR-0'));
      await stack.drainInvestigations();
      const { recommendation } = (await getDispute(first))!;
      const item = await documentClient().send(new GetCommand({ TableName: stack.env[TABLES.disputes.env]!, Key: { [TABLES.disputes.partitionKey.name]: first } }));
      recommendedItemBytes = itemSize(item.Item);
      // What a reviewer's decision of it writes: the dispute's update and its account-history entry.
      tally = newTally();
      phase = 'decide';
      await decide(first);
      phase = 'idle';
      decisionWriteUnits = tally.writeUnits;
      const limit = pLimit(8);
      await Promise.all(
        Array.from({ length: PRIOR - 1 }, (_, i) =>
          limit(async () => {
            const id = await open(numberScope(BUSY, `PRIOR-${i + 1}`));
            const at = () => new Date().toISOString();
            await transition(id, ['RECEIVED'], { at: at(), by: 'investigator', status: 'INVESTIGATING', note: 'investigation started' });
            const copy = { ...recommendation!, generatedAt: at() };
            await transition(id, ['INVESTIGATING'], { at: copy.generatedAt, by: 'investigator', status: 'RECOMMENDED', note: `recommended ${copy.outcome} (policy ${copy.policyVersion})`, recommendation: summarizeRecommendation(copy) }, { recommendation: copy });
            await decide(id);
          }),
        ),
      );
      await stack.drainInvestigations();
    }
    console.log(`${PRIOR} earlier disputes of ${BUSY} opened, recommended and decided in ${seconds(t)} s; a recommended dispute of ${CALLS} calls is a ${(recommendedItemBytes / 1024).toFixed(1)} KB item (its call assessments in pages beside it); a decision writes ${decisionWriteUnits.toFixed(1)} WCU`);

    /** One dispute from the POST to its RECOMMENDED write, with the requests it took. */
    async function timed(body: Record<string, unknown>): Promise<Run> {
      tally = newTally();
      let investigateMs = 0;
      let recommendedAt = 0;
      const investigate = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse | void> => {
        const t0 = performance.now();
        const out = await stack.handlers.investigate(event, context);
        recommendedAt = performance.now();
        investigateMs = recommendedAt - t0;
        phase = 'idle'; // the message's delete is the mapping's, not the investigation's
        return out;
      };
      const t0 = performance.now();
      phase = 'open';
      const opened = await call('POST', '/v1/disputes', 'bench-ticketing', body);
      if (opened.status !== 202) throw new Error(`open failed: ${opened.status} ${JSON.stringify(opened.body)}`);
      phase = 'investigate';
      for (let polls = 0; recommendedAt === 0; polls++) {
        if (polls > 50) throw new Error('the investigation message never arrived');
        await pollOnce(investigationsUrl, 'investigate-dispute', investigate, { batchSize: 10 });
      }
      phase = 'idle';
      const dispute = (await call('GET', `/v1/disputes/${String(opened.body.disputeId)}`, 'bench-reviewer')).body;
      if (dispute.status !== 'RECOMMENDED') throw new Error(`dispute ${String(opened.body.disputeId)} is ${String(dispute.status)}`);
      return { ms: recommendedAt - t0, investigateMs, tally };
    }

    // The cases take turns, so a busy moment of the machine falls on all of them alike.
    const cases: { name: string; bodies: Record<string, unknown>[]; runs: Run[] }[] = [
      { name: 'number scope, busy account', bodies: Array.from({ length: RUNS }, (_, i) => numberScope(BUSY, `T-${i}`)), runs: [] },
      { name: 'number scope, new account', bodies: newAccounts.map((a) => numberScope(a, `T-${a}`)), runs: [] },
      { name: 'call-id scope, busy account', bodies: Array.from({ length: CALL_ID_RUNS }, (_, i) => callIdScope(BUSY, `C-${i}`)), runs: [] },
      { name: 'call-id scope, new account', bodies: newCallIdAccounts.map((a) => callIdScope(a, `C-${a}`)), runs: [] },
    ];
    t = performance.now();
    for (let i = 0; i < Math.max(RUNS, CALL_ID_RUNS); i++) {
      for (const c of cases) if (c.bodies[i]) c.runs.push(await timed(c.bodies[i]!));
    }
    console.log(`${cases.reduce((n, c) => n + c.runs.length, 0)} timed investigations in ${seconds(t)} s`);

    // --- Report ----------------------------------------------------------------------------------------------------
    const summary = (c: (typeof cases)[number]) => {
      const requests = c.runs.map((r) => total(r.tally));
      const lo = Math.min(...requests);
      const hi = Math.max(...requests);
      return {
        p50: p(c.runs.map((r) => r.ms), 0.5),
        p95: p(c.runs.map((r) => r.ms), 0.95),
        investigateP95: p(c.runs.map((r) => r.investigateMs), 0.95),
        requests: lo === hi ? String(lo) : `${lo}-${hi}`,
        readUnits: c.runs.reduce((s, r) => s + r.tally.readUnits, 0) / c.runs.length,
        writeUnits: c.runs.reduce((s, r) => s + r.tally.writeUnits, 0) / c.runs.length,
      };
    };
    const [busy, fresh, busyIds, freshIds] = cases.map(summary) as [ReturnType<typeof summary>, ReturnType<typeof summary>, ReturnType<typeof summary>, ReturnType<typeof summary>];
    const ms = (n: number) => `${Math.round(n)} ms`;
    console.log('');
    for (const c of cases) {
      const s = summary(c);
      console.log(`${c.name}: p50 ${ms(s.p50)}, p95 ${ms(s.p95)} open → RECOMMENDED (investigator alone p95 ${ms(s.investigateP95)}); ${s.requests} DynamoDB requests, ${s.readUnits.toFixed(1)} RCU + ${s.writeUnits.toFixed(1)} WCU per investigation`);
      const keys = [...new Set(c.runs.flatMap((r) => [...r.tally.requests.keys()]))].sort();
      for (const key of keys) {
        const counts = c.runs.map((r) => r.tally.requests.get(key) ?? 0);
        const lo = Math.min(...counts);
        const hi = Math.max(...counts);
        const units = c.runs.reduce((sum, r) => sum + (r.tally.units.get(key) ?? 0), 0) / c.runs.length;
        console.log(`    ${(lo === hi ? String(lo) : `${lo}-${hi}`).padStart(7)}  ${key.padEnd(48)}${key.startsWith('sqs ') ? '' : `${units.toFixed(1).padStart(8)} ${READS.has(key.split(' ')[0]!) ? 'RCU' : 'WCU'}`}`);
      }
    }
    console.log('');
    console.log(`investigation p95: ${ms(busy.p95)} (account with ${PRIOR} earlier disputes), ${ms(fresh.p95)} (new account); requests per investigation: ${busy.requests} vs ${fresh.requests}`);
    console.log(`call-id scope (${CALLS} call ids) p95: ${ms(busyIds.p95)} (account with ${PRIOR}+ earlier disputes), ${ms(freshIds.p95)} (new account); requests per investigation: ${busyIds.requests} vs ${freshIds.requests}`);
    console.log(`(the busy account's timed disputes add to its history: ${PRIOR} earlier disputes at the first run, ${PRIOR + RUNS + CALL_ID_RUNS - 1} at the last)`);
    console.log(`took ${seconds(started)} s`);
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await emulators.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
