// `npm start`: the whole pipeline on real local emulators, the demo case loaded and investigated, the API served.
// The data is kept in DATA_DIR (default .local/data) between runs; `npm start -- --fresh` starts from nothing.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { type Emulators, startEmulators } from './emulators';
import { ROOT, setting, tableName } from '../../lib/config';
import { startHttpApi } from './http-api';
import { type LocalStack, provisionLocalStack } from './stack';
import { readCdrLines, sendCdrs } from '../../lib/use-cases/ingest/import-file';
import type { Dispute } from '../../lib/domain/disputes/dispute';
import { formatMoney } from '../../lib/domain/investigation/explain';
import { enqueue } from '../../lib/adapters/queues';
import { documentClient } from '../../lib/adapters/aws';
import { cdrItemKey, storedIdentity } from '../../lib/adapters/cdr-store';
import { listByStatus } from '../../lib/adapters/dispute-reads';
import { StartError, assertPortsFree, dynamoOnFolder, launchers, portInUse, watchLaunchers } from './lifecycle';
import { type DataFolder, dataFolder, restoreQueues, streamCheckpoint, wipe } from './persistence';

const DEMO = join(ROOT, 'test', 'fixtures', 'scenarios', 'auto-attendant-never-connected');
/** Deterministic, so a restart finds the demo dispute instead of opening another. */
const DEMO_TICKET = 'DEMO-auto-attendant-never-connected';
const USAGE = `Usage: npm start [-- --fresh]
  --fresh   remove the local data (DynamoDB tables, saved queue messages) in DATA_DIR first
Settings: API_PORT (3000), DYNAMO_PORT (8000), SQS_PORT (4566), DATA_DIR (.local/data), AUDIT_INTERVAL_MINUTES (60).`;

/** Grace for the pollers to finish the batch in hand; a longer one (an audit) stays in flight and is saved. */
const POLLER_GRACE_MS = 10_000;

const log = (line: string) => console.log(line);
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function options(): { fresh: boolean } {
  try {
    const { values } = parseArgs({ options: { fresh: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
    if (values.help) {
      log(USAGE);
      process.exit(0);
    }
    return { fresh: values.fresh };
  } catch (error) {
    throw new StartError(`${(error as Error).message}\n${USAGE}`);
  }
}

/** The demo's CDRs that DynamoDB does not hold yet (all of them on a first start, none after). */
async function notYetStored(records: unknown[]): Promise<unknown[]> {
  type Keyed = { accountId: string; calledNumber: string; source: string; callId: string };
  const keyed = (r: unknown): Keyed | undefined => {
    const { accountId, calledNumber, source, callId } = (r ?? {}) as Record<string, unknown>;
    if (typeof accountId !== 'string' || typeof calledNumber !== 'string' || typeof callId !== 'string') return undefined;
    return { accountId, calledNumber, callId, source: typeof source === 'string' ? source : 'default' };
  };
  const keys = [...new Map(records.map(keyed).filter((k) => k !== undefined).map((k) => [storedIdentity(k), cdrItemKey(k)])).values()];
  const stored = new Set<string>();
  for (let i = 0; i < keys.length; i += 100) {
    let request: Record<string, { Keys: Record<string, unknown>[]; ProjectionExpression: string }> | undefined = {
      [tableName('cdrs')]: { Keys: keys.slice(i, i + 100), ProjectionExpression: 'accountId, callKey' },
    };
    while (request && Object.keys(request).length > 0) {
      const out = await documentClient().send(new BatchGetCommand({ RequestItems: request }));
      for (const item of out.Responses?.[tableName('cdrs')] ?? []) stored.add(`${String(item.accountId)}#${String(item.callKey)}`);
      request = out.UnprocessedKeys as typeof request;
    }
  }
  return records.filter((r) => {
    const k = keyed(r);
    return k === undefined || !stored.has(storedIdentity(k));
  });
}

/** Disputes a crashed run left waiting for the investigator (their queue message went with the emulator's memory). */
async function requeueWaitingDisputes(): Promise<number> {
  let count = 0;
  for (const status of ['RECEIVED', 'INVESTIGATING'] as const) {
    let cursor: string | undefined;
    do {
      const page = await listByStatus(status, 100, cursor);
      for (const dispute of page.items) await enqueue('investigations', { disputeId: dispute.disputeId });
      count += page.items.length;
      cursor = page.cursor;
    } while (cursor);
  }
  return count;
}

/** Every queue of the stack, by name, with its URL: what a stop saves and a start restores. */
const queuesOf = (env: Record<string, string>) => new Map(Object.entries(env).filter(([k]) => /_(QUEUE|DLQ)_URL$/.test(k)).map(([, url]) => [url.split('/').pop()!, url]));

async function main() {
  const { fresh } = options();
  // A closed terminal makes writes fail (EIO); the stop that follows must not die of it.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.AUTH_MODE = 'tokens';
  const tokens = readFileSync(join(ROOT, 'infra', 'local', 'tokens.json'), 'utf8');
  process.env.API_TOKENS = tokens;
  // The first local token of each role (tokens.json also has a second reviewer, for trying two-person approval).
  const callers = Object.entries(JSON.parse(tokens) as Record<string, { roles: string[] }>);
  const [ticketingToken, reviewerToken, auditorToken, billingToken] = (['ticketing', 'reviewer', 'auditor', 'billing'] as const).map((role) => callers.find(([, c]) => c.roles.includes(role))![0]);
  const ports = { API_PORT: setting('API_PORT'), DYNAMO_PORT: setting('DYNAMO_PORT'), SQS_PORT: setting('SQS_PORT') };
  const folder: DataFolder = dataFolder(resolve(setting('DATA_DIR')));
  const STATE_FILE = setting('DISPUTES_STATE');

  // Before anything starts: a DynamoDB Local still on this folder, then the ports.
  let running = dynamoOnFolder(folder.dynamo, folder.root);
  if (running?.kind === 'stopping') {
    // The emulators of a start that was just killed, saving its queues and closing the database: give them time.
    log('Waiting for the emulators of the previous run to finish stopping…');
    for (let i = 0; i < 60 && running?.kind === 'stopping'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      running = dynamoOnFolder(folder.dynamo, folder.root);
    }
  }
  if (running) throw running.error;
  await assertPortsFree(ports);
  if (fresh) {
    wipe(folder);
    log(`Fresh start: removed the local data in ${folder.root}.`);
  }
  const firstRun = !existsSync(join(folder.dynamo, 'shared-local-instance.db'));
  mkdirSync(folder.dynamo, { recursive: true });

  // What is running so far: a stop may come at any point of the start.
  const live: { emulators?: Emulators; stack?: LocalStack; server?: Server; pollers: { stop: () => Promise<void> }[]; auditTimer?: NodeJS.Timeout; stopWatching?: () => void } = { pollers: [] };

  let stopAsked = 0;
  const stop = (reason: string, code = 0): Promise<void> => {
    if (stopping) {
      // One Ctrl-C can arrive twice (the terminal signals node, and tsx relays it when node's word that it got it is
      // slow): only a second request a second later means "now".
      if (Date.now() - stopAsked < 1000) return stopping;
      log(`\n${reason} again: stopping now.`);
      process.exit(1); // the emulators' process sees this one go: it saves the queues and stops DynamoDB Local
    }
    stopAsked = Date.now();
    return (stopping = (async () => {
      log(`\nStopping (${reason})…`);
      live.stopWatching?.();
      clearInterval(live.auditTimer);
      const timeout = new Promise<'timeout'>((r) => setTimeout(r, POLLER_GRACE_MS, 'timeout').unref());
      if ((await Promise.race([Promise.all(live.pollers.map((p) => p.stop())), timeout])) === 'timeout') log('  a handler is still running: its message stays in flight and is saved with the queues.');
      live.server?.close();
      live.server?.closeAllConnections();
      // The emulators save the queues' messages (when told to keep them), then stop.
      const saved = (await live.emulators?.stop()) ?? 0;
      if (saved > 0) log(`  saved ${plural(saved, 'queued message')} in ${folder.queues}: the next start sends them again.`);
      try {
        if ((JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { pid?: number }).pid === process.pid) rmSync(STATE_FILE, { force: true });
      } catch {
        // no state file, or someone else's
      }
      log('Stopped.');
      process.exit(code);
    })());
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
  // npm forwards only SIGINT and SIGTERM: losing npm (SIGHUP, SIGKILL) or tsx must stop the stack too.
  live.stopWatching = watchLaunchers(launchers(process.env.npm_lifecycle_event !== undefined), (gone) => void stop(`${gone.name} (pid ${gone.pid}), which started it, is gone`));

  const started = Date.now();
  log(`Starting DynamoDB Local (data in ${folder.root}${firstRun ? ', new' : ''}) and the SQS emulator…`);
  const emulators = (live.emulators = await startEmulators({ dynamo: ports.DYNAMO_PORT, sqs: ports.SQS_PORT, dynamoDbPath: folder.dynamo }));
  emulators.onDynamoExit((code, signal) => {
    console.error(`DynamoDB Local exited unexpectedly (${code ?? signal}).`);
    void stop('DynamoDB Local is gone', 1);
  });
  const stack = (live.stack = await provisionLocalStack(emulators, 'local-', { streamCheckpoint: (table) => streamCheckpoint(folder, table) }));
  const queues = queuesOf(stack.env);
  const restored = await restoreQueues(folder, (name) => queues.get(name));
  if (restored.count > 0) log(`Sent again the ${plural(restored.count, 'message')} the queues held at the last stop (${restored.savedAt}).`);
  // From here on, however this process ends, the emulators save what the queues hold.
  emulators.persistQueues(folder, [...queues.keys()], STATE_FILE);
  if (!firstRun && !restored.clean) {
    const waiting = await requeueWaitingDisputes();
    log(`The last run did not stop cleanly: the messages in its queues are lost${waiting > 0 ? `; ${plural(waiting, 'dispute')} waiting for the investigator queued again` : ''}. Re-run \`npx disputes ingest\` for files that were still importing.`);
  }
  live.server = await startHttpApi(stack.handlers.api, ports.API_PORT);
  const apiUrl = `http://127.0.0.1:${ports.API_PORT}`;
  mkdirSync(dirname(STATE_FILE), { recursive: true });
  writeFileSync(
    STATE_FILE,
    JSON.stringify(
      { apiUrl, endpoints: { dynamoEndpoint: emulators.dynamoEndpoint, sqsEndpoint: emulators.sqsEndpoint }, env: stack.env, tokens: { ticketing: ticketingToken, reviewer: reviewerToken, auditor: auditorToken, billing: billingToken }, pid: process.pid, dynamoPid: emulators.dynamoPid, emulatorsPid: emulators.hostPid, dataDir: folder.root },
      null,
      2,
    ),
  );
  log(`Emulators up and tables ready in ${seconds(started)}.`);

  // The demo: the motivating case, through the same queue, handlers and API as everything else; once per data folder.
  const records = await readCdrLines(join(DEMO, 'cdrs.jsonl'));
  const missing = await notYetStored(records);
  if (missing.length > 0) {
    const loading = Date.now();
    await sendCdrs(missing);
    await stack.drainIngest();
    log(`Loaded ${missing.length} CDRs of the demo case through SQS into DynamoDB Local in ${seconds(loading)}.`);
  } else {
    await stack.drainIngest();
    log(`The demo case's ${records.length} CDRs are already stored.`);
  }
  const dispute = JSON.parse(readFileSync(join(DEMO, 'dispute.json'), 'utf8')) as { accountId: string; claim: string };
  const response = await fetch(`${apiUrl}/v1/disputes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ticketingToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...dispute, ticketId: DEMO_TICKET, customerStatement: 'The calls never connected, I should not be charged.' }),
  });
  const opened = (await response.json()) as Dispute;
  if (!response.ok) throw new Error(`opening the demo dispute failed: ${response.status} ${JSON.stringify(opened)}`);
  const earlier = Date.parse(opened.openedAt) < started;
  if (opened.status === 'RECEIVED' || opened.status === 'INVESTIGATING') await stack.drainInvestigations();
  const investigated = await fetch(`${apiUrl}/v1/disputes/${opened.disputeId}`, { headers: { authorization: `Bearer ${reviewerToken}` } }).then((r) => r.json() as Promise<Dispute>);
  const rec = investigated.recommendation!;

  log(`\nDispute ${opened.disputeId} (${dispute.accountId}, ${dispute.claim}) → ${rec.outcome}${earlier ? `   [opened ${opened.openedAt} by an earlier start; now ${investigated.status}]` : ''}`);
  log(`  disputed ${formatMoney(rec.disputedAmount.amountMinor, rec.disputedAmount.currency)}, credit ${formatMoney(rec.creditAmount.amountMinor, rec.creditAmount.currency)}, goodwill eligible: ${rec.goodwill.eligible}`);
  for (const reason of rec.reasons) log(`  ${reason.code}: ${reason.message}`);

  live.pollers = stack.startPollers();
  const auditMinutes = setting('AUDIT_INTERVAL_MINUTES');
  // The local schedule: what EventBridge Scheduler sends to the audit-runs queue, on an interval; the poller runs it.
  live.auditTimer = setInterval(
    () => void enqueue('auditRuns', { start: { trigger: 'schedule', scheduledAt: new Date().toISOString() } }).catch((e: Error) => console.error(`audit schedule failed: ${e.message}`)),
    auditMinutes * 60_000,
  );

  log(`
The API is at ${apiUrl} (tokens in infra/local/tokens.json; ticketing: ${ticketingToken}, reviewer: ${reviewerToken}, auditor: ${auditorToken}, billing: ${billingToken}).
  curl -s -H 'authorization: Bearer ${reviewerToken}' ${apiUrl}/v1/disputes/${opened.disputeId}
  curl -s -H 'authorization: Bearer ${reviewerToken}' '${apiUrl}/v1/disputes?status=RECOMMENDED'
  curl -s -H 'authorization: Bearer ${reviewerToken}' '${apiUrl}/v1/numbers/%2B16145550123/stats?from=2026-10-27T00:00:00Z&to=2026-11-06T00:00:00Z&granularity=day'
  npx disputes show ${opened.disputeId}
  npx disputes queue      npx disputes decide ${opened.disputeId} --accept      npx disputes history ${dispute.accountId}
  npx disputes audit      npx disputes ingest FILE.jsonl      npx disputes --help
The SQS pollers run every second; the audit runs every ${auditMinutes} min (AUDIT_INTERVAL_MINUTES); dispute events go to the queue local-dispute-events.
Data is kept in ${folder.root} (DATA_DIR); \`npm start -- --fresh\` starts from nothing. Ctrl-C stops everything.
Ready in ${seconds(started)}.`);
  log(`Console: ${apiUrl}/?as=reviewer`);
  if (setting('START_EXIT_AFTER_DEMO') === '1') await stop('START_EXIT_AFTER_DEMO');
}

/** Set once a stop has begun: what fails after it (a drain whose emulator went away) is part of stopping. */
let stopping: Promise<void> | undefined;

process.on('uncaughtException', (error: NodeJS.ErrnoException & { port?: number }) => {
  // While stopping, a request cut short by the emulators going away is expected: let the stop finish.
  if (stopping) return;
  // A port taken between the check and the listen (the API server's own 'error' event has no listener).
  const variable = error.code === 'EADDRINUSE' ? (['API_PORT', 'SQS_PORT', 'DYNAMO_PORT'] as const).find((v) => setting(v) === error.port) : undefined;
  console.error(variable ? portInUse(error.port!, variable).message : error);
  process.exit(1);
});
main().catch((error: Error) => {
  if (stopping) return;
  if (error instanceof StartError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
