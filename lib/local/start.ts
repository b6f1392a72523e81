// `npm start`: the whole pipeline on real local emulators, the demo case loaded and investigated, the API served.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startEmulators } from './emulators';
import { ROOT, STATE_FILE } from './state';
import { startHttpApi } from './runner';
import { provisionLocalStack } from './stack';
import { readCdrLines, sendCdrs } from './ingest-file';
import type { Dispute } from '../domain/dispute';
import { formatMoney } from '../domain/explain';
import { enqueue } from '../adapters/queues';

const DEMO = join(ROOT, 'test', 'fixtures', 'scenarios', 'auto-attendant-never-connected');

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main() {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.AUTH_MODE = 'tokens';
  const tokens = readFileSync(join(ROOT, 'lib', 'local', 'tokens.json'), 'utf8');
  process.env.API_TOKENS = tokens;
  const [ticketingToken, reviewerToken, auditorToken] = Object.keys(JSON.parse(tokens));

  console.log('Starting DynamoDB Local and the SQS emulator…');
  const emulators = await startEmulators({ dynamo: port('DYNAMO_PORT', 8000), sqs: port('SQS_PORT', 4566) });
  const stack = await provisionLocalStack(emulators, 'local-');
  const server = await startHttpApi(stack.handlers.api, port('API_PORT', 3000));
  const apiUrl = `http://127.0.0.1:${port('API_PORT', 3000)}`;
  mkdirSync(dirname(STATE_FILE), { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify({ apiUrl, endpoints: { dynamoEndpoint: emulators.dynamoEndpoint, sqsEndpoint: emulators.sqsEndpoint }, env: stack.env, tokens: { ticketing: ticketingToken, reviewer: reviewerToken, auditor: auditorToken } }, null, 2));

  let pollers: { stop: () => Promise<void> }[] = [];
  let auditTimer: NodeJS.Timeout | undefined;
  const shutdown = async () => {
    console.log('\nStopping…');
    clearInterval(auditTimer);
    await Promise.all(pollers.map((p) => p.stop()));
    server.close();
    await emulators.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  // The demo: the motivating case, through the same queue, handlers and API as everything else.
  const sent = await sendCdrs(await readCdrLines(join(DEMO, 'cdrs.jsonl')));
  await stack.drainIngest();
  console.log(`Loaded ${sent} CDRs of the demo case through SQS into DynamoDB Local.`);
  const dispute = JSON.parse(readFileSync(join(DEMO, 'dispute.json'), 'utf8'));
  const opened = await fetch(`${apiUrl}/v1/disputes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ticketingToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...dispute, ticketId: `DEMO-${Date.now()}`, customerStatement: 'The calls never connected, I should not be charged.' }),
  }).then((r) => r.json() as Promise<Dispute>);
  await stack.drainInvestigations();
  const investigated = await fetch(`${apiUrl}/v1/disputes/${opened.disputeId}`, { headers: { authorization: `Bearer ${reviewerToken}` } }).then((r) => r.json() as Promise<Dispute>);
  const rec = investigated.recommendation!;

  console.log(`\nDispute ${opened.disputeId} (${dispute.accountId}, ${dispute.claim}) → ${rec.outcome}`);
  console.log(`  disputed ${formatMoney(rec.disputedAmount.amountMinor, rec.disputedAmount.currency)}, credit ${formatMoney(rec.creditAmount.amountMinor, rec.creditAmount.currency)}, goodwill eligible: ${rec.goodwill.eligible}`);
  for (const reason of rec.reasons) console.log(`  ${reason.code}: ${reason.message}`);

  pollers = stack.startPollers();
  const auditMinutes = Number(process.env.AUDIT_INTERVAL_MINUTES ?? 60);
  // The local schedule: what EventBridge Scheduler sends to the audit-runs queue, on an interval; the poller runs it.
  auditTimer = setInterval(
    () => enqueue('auditRuns', { start: { trigger: 'schedule', scheduledAt: new Date().toISOString() } }).catch((e: Error) => console.error(`audit schedule failed: ${e.message}`)),
    auditMinutes * 60_000,
  );

  console.log(`
The API is at ${apiUrl} (tokens in lib/local/tokens.json; ticketing: ${ticketingToken}, reviewer: ${reviewerToken}, auditor: ${auditorToken}).
  curl -s -H 'authorization: Bearer ${reviewerToken}' ${apiUrl}/v1/disputes/${opened.disputeId}
  curl -s -H 'authorization: Bearer ${reviewerToken}' '${apiUrl}/v1/disputes?status=RECOMMENDED'
  curl -s -H 'authorization: Bearer ${reviewerToken}' '${apiUrl}/v1/numbers/%2B16145550123/stats?from=2026-10-27T00:00:00Z&to=2026-11-06T00:00:00Z&granularity=day'
  npx disputes show ${opened.disputeId}
  npx disputes queue      npx disputes decide ${opened.disputeId} --accept      npx disputes history ${dispute.accountId}
  npx disputes audit      npx disputes ingest FILE.jsonl      npx disputes --help
The SQS pollers run every second; the audit runs every ${auditMinutes} min (AUDIT_INTERVAL_MINUTES); dispute events go to the queue local-dispute-events. Ctrl-C stops everything.`);
  if (process.env.START_EXIT_AFTER_DEMO === '1') await shutdown();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
