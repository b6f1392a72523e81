// `npx disputes …`: operator and reviewer commands against the stack `npm start` is running.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { localAwsEnv } from './emulators';
import { cdrLines, sendCdrs } from './ingest-file';
import { STATE_FILE } from './state';
import { formatMoney, formatNumber } from '../domain/explain';
import type { Dispute } from '../domain/dispute';

const USAGE = `usage:
  disputes ingest FILE                      send a canonical JSON-lines CDR file to the ingest queue
  disputes open --account A --claim NEVER_CONNECTED|WRONG_DURATION
                (--number +E164 --from ISO --to ISO | --calls ID,ID…) [--ticket T] [--statement TEXT]
  disputes show DISPUTE_ID                  status, recommendation and history
The stack must be running (npm start).`;

interface StackState {
  apiUrl: string;
  endpoints: { dynamoEndpoint: string; sqsEndpoint: string };
  env: Record<string, string>;
  tokens: Record<'ticketing' | 'reviewer' | 'auditor', string>;
}

function state(): StackState {
  if (!existsSync(STATE_FILE)) throw new Error('no running stack found: start it with `npm start`');
  const s = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as StackState;
  Object.assign(process.env, localAwsEnv(s.endpoints), s.env);
  return s;
}

async function api(method: string, path: string, token: string, body?: unknown): Promise<any> {
  const s = state();
  const res = await fetch(`${s.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const payload = (await res.json()) as any;
  if (!res.ok) {
    const fields = (payload.errors ?? []).map((e: { field: string; reason: string }) => `\n  ${e.field}: ${e.reason}`).join('');
    throw new Error(`${res.status} ${payload.title}: ${payload.detail}${fields}`);
  }
  return payload;
}

function printDispute(d: Dispute): void {
  console.log(`${d.disputeId}  ${d.status}  account ${d.accountId}  ${d.claim}  ticket ${d.ticketId}`);
  console.log(`  scope: ${d.callIds ? `calls ${d.callIds.join(', ')}` : `${formatNumber(d.calledNumber)} from ${d.from} to ${d.to}`}`);
  const rec = d.recommendation;
  if (rec) {
    console.log(`  recommendation: ${rec.outcome}, credit ${formatMoney(rec.creditAmount.amountMinor, rec.creditAmount.currency)} of ${formatMoney(rec.disputedAmount.amountMinor, rec.disputedAmount.currency)} disputed (policy ${rec.policyVersion})`);
    for (const reason of rec.reasons) console.log(`    ${reason.code}: ${reason.message}`);
    if (rec.flags.length > 0) console.log(`  flags: ${rec.flags.join(', ')}`);
  }
  console.log('  history:');
  for (const h of d.history) console.log(`    ${h.at}  ${h.status.padEnd(13)} ${h.by}: ${h.note}`);
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      account: { type: 'string' },
      claim: { type: 'string' },
      number: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      calls: { type: 'string' },
      ticket: { type: 'string' },
      statement: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !command) return console.log(USAGE);
  const s = state();
  switch (command) {
    case 'ingest': {
      const file = positionals[0];
      if (!file) throw new Error('ingest needs a FILE');
      const records = (async function* () {
        for await (const { record } of cdrLines(file)) yield record;
      })();
      const sent = await sendCdrs(records, (n) => process.stderr.write(`\rsent ${n} records`));
      console.log(`\n${sent} records sent to the ingest queue; the running stack validates and stores them.`);
      return;
    }
    case 'open': {
      const body = {
        accountId: values.account,
        claim: values.claim,
        ticketId: values.ticket ?? `CLI-${Date.now()}`,
        customerStatement: values.statement,
        ...(values.calls ? { callIds: values.calls.split(',') } : { calledNumber: values.number, from: values.from, to: values.to }),
      };
      const dispute = await api('POST', '/v1/disputes', s.tokens.ticketing, body);
      console.log(`opened ${dispute.disputeId} (${dispute.status}); see it with: npx disputes show ${dispute.disputeId}`);
      return;
    }
    case 'show': {
      const id = positionals[0];
      if (!id) throw new Error('show needs a DISPUTE_ID');
      printDispute(await api('GET', `/v1/disputes/${encodeURIComponent(id)}`, s.tokens.reviewer));
      return;
    }
    default:
      throw new Error(`unknown command ${command}\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`disputes: ${error.message}`);
  process.exit(1);
});
