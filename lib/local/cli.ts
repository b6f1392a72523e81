// `npx disputes …`: operator and reviewer commands against the stack `npm start` is running.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { localAwsEnv } from './emulators';
import { type RunSummary, type SentFile, replayRejects, sendFile, waitForRun } from './ingest-file';
import { STATE_FILE } from './state';
import { type Reject, rejects } from '../adapters/reject-store';
import { formatMoney, formatNumber, parseMoney } from '../domain/explain';
import { auditSummary, auditToCsv } from './audit-cli';
import type { Dispute } from '../domain/dispute';
import { AdapterOptions, FORMATS, type FormatName } from '../formats';
import { ASTERISK } from '../formats/asterisk';
import { FREESWITCH } from '../formats/freeswitch';
import { readNumber } from '../formats/normalise';

const USAGE = `usage:
  disputes ingest FILE [--format jsonl|asterisk|freeswitch] [OPERATOR OPTIONS] [--wait-seconds N]
        streams FILE to the ingest queue (format detected when omitted) and waits for the stack to store it;
        prints accepted, duplicates, conflicts and rejected by reason; exit status 0 when nothing was rejected,
        2 when something was rejected or conflicted (kept: see rejects list), 3 when the stack did not finish
        counting within --wait-seconds (default 60) of no progress, 1 on error
  disputes rejects list [--reason R] [--source S] [--all] [--json]
        kept rejects with file, line, raw text and reasons: open ones (--all: replayed ones too), oldest first
        within a source. --reason matches CONFLICT, a field or column name, or part of a reason
  disputes rejects replay (--id ID [--id ID…] [--raw TEXT] | --all [--reason R] [--source S]) [OPERATOR OPTIONS]
        re-reads each reject with its format adapter and options (the options given here override them, --raw
        replaces one reject's text) and sends what now passes through ingest; exit status as for ingest
  disputes open --account A --claim NEVER_CONNECTED|WRONG_DURATION
                (--number +E164 --from ISO --to ISO | --calls ID,ID…) [--ticket T] [--statement TEXT]
  disputes show DISPUTE_ID                  status, recommendation and history
  disputes queue [--status RECOMMENDED|RECEIVED|INVESTIGATING|DECIDED] [--account A] [--limit N] [--all] [--json]
        the review queue, oldest first (one page of --limit, default 25; --all follows the cursor to the end)
  disputes decide DISPUTE_ID --accept [--note TEXT]
  disputes decide DISPUTE_ID --override --outcome CREDIT|PARTIAL_CREDIT|DENY --credit AMOUNT --reason TEXT
        AMOUNT in the currency of the disputed calls, e.g. 1.20 for $1.20; decided as the reviewer token's user
  disputes history ACCOUNT [--json]         every dispute of an account, oldest first, with outcome and credit
  disputes stats +E164 [--from ISO] [--to ISO] [--granularity hour|day]
  disputes audit [--from ISO --to ISO] [--repair] [--export json|csv] [--out FILE]
        runs the batch audit now (through the API), waits for it and prints a summary per finding type, or
        exports the whole report; --repair rewrites drifted connect statistics
  disputes audit --id AUDIT_ID [--export json|csv] [--out FILE]    an earlier report

OPERATOR OPTIONS (what switch files do not say):
  --source S            the switch or feed (deduplication is per source + call id; default: default)
  --country CC          ISO country of national numbers (numbers are stored E.164)
  --timezone ZONE       IANA zone of zone-less timestamps, e.g. America/Chicago
  --account A           the billed account (or the fallback of --account-column)
  --account-column COL  the column naming the account, e.g. accountcode
  --caller +E164        the number calls are billed from when the switch wrote none or an extension
  --rate N              charge in minor units per minute of billed time (PBX files; 0 without it)
  --increment MIN/STEP  billing increment in seconds, e.g. 60/60 or 30/6 (default 1/1)
  --currency XXX        currency of the charges (default USD)
  --allow-extensions    keep internal extensions as called numbers instead of rejecting them
The stack must be running (npm start).`;

interface StackState {
  apiUrl: string;
  endpoints: { dynamoEndpoint: string; sqsEndpoint: string };
  env: Record<string, string>;
  tokens: Record<'ticketing' | 'reviewer' | 'auditor', string>;
}

function state(): StackState {
  // DISPUTES_STATE points the CLI at another stack (the tests use it).
  const file = process.env.DISPUTES_STATE ?? STATE_FILE;
  if (!existsSync(file)) throw new Error('no running stack found: start it with `npm start`');
  const s = JSON.parse(readFileSync(file, 'utf8')) as StackState;
  Object.assign(process.env, localAwsEnv(s.endpoints), s.env);
  return s;
}

async function api(method: string, path: string, token: string, body?: unknown): Promise<any> {
  const s = state();
  const res = await fetch(`${s.apiUrl}${path}`, {
    method,
    // One key per command: should the request be retried, the API answers it once.
    headers: { authorization: `Bearer ${token}`, ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
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

const money = (m: { amountMinor: number; currency: string } | undefined) => (m ? formatMoney(m.amountMinor, m.currency) : '');
const ageOf = (iso: string) => {
  const hours = (Date.now() - Date.parse(iso)) / 3_600_000;
  return hours < 48 ? `${Math.floor(hours)}h` : `${Math.floor(hours / 24)}d`;
};

async function queue(values: Record<string, any>, token: string): Promise<number> {
  const params = new URLSearchParams({ status: values.status ?? 'RECOMMENDED', limit: values.limit ?? '25', ...(values.account ? { accountId: values.account } : {}) });
  const items: Dispute[] = [];
  let cursor: string | undefined;
  do {
    const page = await api('GET', `/v1/disputes?${params}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
    items.push(...page.items);
    cursor = values.all ? page.cursor : undefined;
    if (!values.all && page.cursor) console.error(`(more: --all, or --limit above ${values.limit ?? 25})`);
  } while (cursor);
  if (values.json) return console.log(JSON.stringify(items, null, 2)), 0;
  console.log(`${items.length} ${params.get('status')} dispute(s), oldest first`);
  for (const d of items) {
    const rec = d.recommendation;
    console.log(`${d.disputeId}  ${ageOf(d.openedAt).padStart(4)}  ${d.accountId.padEnd(12)} ${d.claim.padEnd(15)} ${d.origin.padEnd(6)} ${rec ? `${rec.outcome.padEnd(14)} credit ${money(rec.creditAmount)} of ${money(rec.disputedAmount)}` : ''}`);
  }
  return 0;
}

async function decideCommand(id: string | undefined, values: Record<string, any>, token: string): Promise<number> {
  if (!id) throw new Error('decide needs a DISPUTE_ID');
  if (Boolean(values.accept) === Boolean(values.override)) throw new Error('decide needs exactly one of --accept or --override');
  let body: Record<string, unknown> = { action: 'ACCEPT', ...(values.note ? { note: values.note } : {}) };
  if (values.override) {
    const dispute = (await api('GET', `/v1/disputes/${encodeURIComponent(id)}`, token)) as Dispute;
    const currency = dispute.recommendation?.disputedAmount.currency ?? 'USD';
    if (values.credit === undefined) throw new Error('--override needs --credit AMOUNT (0 for DENY)');
    body = { action: 'OVERRIDE', outcome: values.outcome, creditAmount: { amountMinor: parseMoney(values.credit, currency), currency }, reason: values.reason };
  }
  const decided = (await api('POST', `/v1/disputes/${encodeURIComponent(id)}/decision`, token, body)) as Dispute;
  const d = decided.decision!;
  console.log(`${decided.disputeId} DECIDED: ${d.action === 'ACCEPT' ? 'accepted' : 'overrode with'} ${d.outcome} ${money(d.creditAmount)} by ${d.reviewer}`);
  if (d.difference.outcomeChanged || d.difference.creditDeltaMinor !== 0) console.log(`  differs from the recommendation: outcome changed ${d.difference.outcomeChanged}, credit ${d.difference.creditDeltaMinor >= 0 ? '+' : ''}${d.difference.creditDeltaMinor} minor units`);
  return 0;
}

async function historyCommand(account: string | undefined, values: Record<string, any>, token: string): Promise<number> {
  if (!account) throw new Error('history needs an ACCOUNT');
  const { items } = (await api('GET', `/v1/accounts/${encodeURIComponent(account)}/disputes`, token)) as { items: Dispute[] };
  if (values.json) return console.log(JSON.stringify(items, null, 2)), 0;
  console.log(`${items.length} dispute(s) for account ${account}, oldest first`);
  for (const d of items) {
    const rec = d.recommendation;
    const decided = d.decision ? `decided ${d.decision.outcome} ${money(d.decision.creditAmount)} by ${d.decision.reviewer}` : '';
    console.log(`${d.openedAt.slice(0, 16)}  ${d.disputeId}  ${d.claim.padEnd(15)} ${d.origin.padEnd(6)} ${d.status.padEnd(13)} ${rec ? `recommended ${rec.outcome} ${money(rec.creditAmount)}` : ''}  ${decided}`);
  }
  return 0;
}

async function statsCommand(number: string | undefined, values: Record<string, any>, token: string): Promise<number> {
  if (!number) throw new Error('stats needs a number (+E164)');
  const params = new URLSearchParams({ granularity: values.granularity ?? 'day', ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}) });
  const stats = await api('GET', `/v1/numbers/${encodeURIComponent(number)}/stats?${params}`, token);
  const pct = (r: { value: number | null; interval: { low: number; high: number } | null }) => (r.value === null ? '   n/a' : `${(r.value * 100).toFixed(0).padStart(5)}% (${(r.interval!.low * 100).toFixed(0)}-${(r.interval!.high * 100).toFixed(0)}%)`);
  console.log(`${formatNumber(stats.calledNumber)} from ${stats.from} to ${stats.to}`);
  for (const p of [...stats.series.filter((x: any) => x.attempts > 0), { period: 'total', ...stats.total }]) {
    console.log(`${String(p.period).padEnd(21)} attempts ${String(p.attempts).padStart(6)}  ASR ${pct(p.asr)}  NER ${pct(p.ner)}  short ${pct(p.scr)}`);
  }
  return 0;
}

async function auditCommand(values: Record<string, any>, token: string): Promise<number> {
  const id: string | undefined = values.id?.[0];
  let report = id
    ? await api('GET', `/v1/audits/${encodeURIComponent(id)}`, token)
    : await api('POST', '/v1/audits', token, { ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}), ...(values.repair ? { repair: true } : {}) });
  if (!id) console.error(`audit ${report.auditId} started over ${report.period.from} – ${report.period.to}; waiting…`);
  const deadline = Date.now() + Number(values['wait-seconds'] ?? 900) * 1000;
  while (report.status === 'RUNNING' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    report = await api('GET', `/v1/audits/${encodeURIComponent(report.auditId)}`, token);
  }
  if (values.export) {
    if (values.export !== 'json' && values.export !== 'csv') throw new Error('--export takes json or csv');
    const text = values.export === 'json' ? `${JSON.stringify(report, null, 2)}\n` : auditToCsv(report);
    if (values.out) {
      writeFileSync(values.out, text);
      console.error(`wrote ${values.out}`);
    } else process.stdout.write(text);
  } else console.log(auditSummary(report));
  if (report.status === 'RUNNING') return console.error('the audit is still running; read it later with --id'), 3;
  return report.status === 'COMPLETED' ? 0 : 1;
}

/** A progress bar with a rate on a terminal; a plain line every few seconds when stderr is a file or a pipe. */
function progress(label: string, total: number, unit: string) {
  const started = Date.now();
  const rate = (n: number) => Math.round(n / Math.max(0.001, (Date.now() - started) / 1000));
  if (process.stderr.isTTY) {
    const bar = new SingleBar({ format: `${label} |{bar}| {percentage}% | {count} ${unit} | {rate} ${unit}/s`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
    bar.start(Math.max(total, 1), 0, { count: 0, rate: 0 });
    return { update: (value: number, count = value) => bar.update(value, { count, rate: rate(count) }), stop: () => bar.stop() };
  }
  let printedAt = 0;
  let last: [number, number] | undefined;
  const line = ([value, count]: [number, number]) => process.stderr.write(`${label}: ${Math.floor((100 * value) / Math.max(total, 1))}%, ${count} ${unit}, ${rate(count)} ${unit}/s\n`);
  return {
    update(value: number, count = value) {
      last = [value, count];
      if (Date.now() - printedAt < 2000) return;
      [printedAt, last] = [Date.now(), undefined];
      line([value, count]);
    },
    // The final state is always printed, however quickly it came.
    stop: () => last && line(last),
  };
}

function adapterOptions(values: Record<string, string | boolean | string[] | undefined>, format?: FormatName): AdapterOptions {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const country = text('country')?.toUpperCase();
  const options: Record<string, unknown> = { source: text('source'), country, timezone: text('timezone'), account: text('account'), accountColumn: text('account-column'), currency: text('currency')?.toUpperCase() };
  const caller = text('caller');
  if (caller !== undefined) {
    const reading = readNumber(caller, country);
    if (reading.kind !== 'e164') throw new Error(`--caller ${caller} is not a phone number${country ? '' : ' (write it as +E.164, or give --country)'}`);
    options.caller = reading.value;
  }
  const rate = text('rate');
  if (rate !== undefined) {
    if (!/^\d+$/.test(rate)) throw new Error('--rate must be a whole number of minor units per minute');
    options.rate = Number(rate);
  }
  const increment = text('increment');
  if (increment !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(increment);
    if (!m) throw new Error('--increment must be MIN/STEP in seconds, e.g. 60/60 or 30/6');
    options.increment = { minimumSeconds: Number(m[1]), incrementSeconds: Number(m[2]) };
  }
  if (values['allow-extensions']) options.allowExtensions = true;
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const parsed = AdapterOptions.safeParse(given);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`).join('\n'));
  const columns = format === 'asterisk' ? [...ASTERISK.layouts[21]!] : format === 'freeswitch' ? [...FREESWITCH.layouts[15]!] : undefined;
  if (options.accountColumn && columns && !columns.includes(options.accountColumn as string)) throw new Error(`--account-column must be one of ${columns.join(', ')}`);
  return given as AdapterOptions;
}

function printRun(summary: RunSummary, what: string): number {
  console.log(`${what}`);
  console.log(`  accepted    ${summary.accepted}`);
  console.log(`  duplicates  ${summary.duplicates}   (already stored with the same content, counted once)`);
  console.log(`  conflicts   ${summary.conflicts}${summary.conflicts > 0 ? '   (same source and call id, other content: kept for review, see `disputes rejects list --reason CONFLICT`)' : ''}`);
  console.log(`  rejected    ${summary.rejected}${summary.rejected > 0 ? '   (kept with line and reasons, see `disputes rejects list`)' : ''}`);
  const reasons = Object.entries(summary.byReason).sort(([, a], [, b]) => b - a);
  for (const [reason, n] of reasons) console.log(`    ${String(n).padStart(7)}  ${reason}`);
  if (!summary.complete) {
    console.log(`  the stack counted ${summary.total} records and then stopped making progress: is it running (npm start)?`);
    return 3;
  }
  return summary.rejected + summary.conflicts > 0 ? 2 : 0;
}

async function ingest(file: string, values: Record<string, any>): Promise<number> {
  if (!existsSync(file)) throw new Error(`no file ${file}`);
  const format = values.format as FormatName | undefined;
  if (format && !FORMATS.includes(format)) throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
  const adapter = adapterOptions(values, format);
  const started = Date.now();
  const reading = progress('reading', statSync(file).size, 'records');
  let sent: SentFile;
  try {
    sent = await sendFile(file, { format, adapter, onProgress: (p) => reading.update(p.bytesRead, p.records) });
  } finally {
    reading.stop();
  }
  const readSeconds = (Date.now() - started) / 1000;
  console.log(`${sent.file} (${sent.format}): ${sent.records} records read and sent in ${readSeconds.toFixed(1)} s (${Math.round(sent.records / Math.max(readSeconds, 0.001))} records/s), ${sent.rejectedAtEdge} of them rejected at the edge; run ${sent.ingestRun}`);
  const storing = progress('storing', sent.records, 'records');
  const summary = await waitForRun(sent.ingestRun, sent.records, { stallSeconds: Number(values['wait-seconds'] ?? 60), onProgress: (n) => storing.update(n) }).finally(() => storing.stop());
  return printRun(summary, `${summary.total} of ${sent.records} records counted by the stack in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
}

function printReject(r: Reject): void {
  const where = r.origin.file !== undefined ? `${r.origin.file}:${r.origin.line}${r.origin.index !== undefined ? `[${r.origin.index}]` : ''}` : `message ${r.origin.messageId ?? '?'}${r.origin.index !== undefined ? `[${r.origin.index}]` : ''}`;
  console.log(`${r.rejectId}  ${r.kind}${r.status === 'REPLAYED' ? ` (replayed in run ${r.replayRun})` : ''}  source ${r.source}  ${where}${r.format ? `  ${r.format}` : ''}  ${r.receivedAt}`);
  console.log(`  raw: ${r.raw.length > 300 ? `${r.raw.slice(0, 300)}…` : r.raw}`);
  for (const p of r.problems) console.log(`  ${p.field}: ${p.reason}`);
}

async function rejectsCommand(sub: string | undefined, values: Record<string, any>): Promise<number> {
  const filter = { reason: values.reason as string | undefined, source: values.source as string | undefined };
  if (sub === 'list') {
    let n = 0;
    for await (const reject of rejects({ ...filter, all: Boolean(values.all) })) {
      if (values.json) console.log(JSON.stringify(reject));
      else printReject(reject);
      n++;
    }
    if (!values.json) console.log(`${n} reject${n === 1 ? '' : 's'}`);
    return 0;
  }
  if (sub === 'replay') {
    const ids = (values.id as string[] | undefined) ?? [];
    if (ids.length === 0 && !values.all) throw new Error('replay needs --id ID or --all');
    if (values.raw !== undefined && ids.length !== 1) throw new Error('--raw replaces the text of one reject: give exactly one --id');
    // Replay overrides; --source filters which rejects are replayed, so it is not an override here.
    const overrides = adapterOptions({ ...values, source: undefined });
    const outcome = await replayRejects(ids.length > 0 ? { ids } : { filter }, { overrides, correctedRaw: values.raw });
    for (const s of outcome.skipped) console.log(`skipped ${s.rejectId}: ${s.why}`);
    for (const s of outcome.stillRejected) console.log(`still rejected ${s.rejectId}: ${s.problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`);
    console.log(`${outcome.replayed.length} rejects re-validated and sent through ingest (${outcome.records} records, run ${outcome.ingestRun}); ${outcome.stillRejected.length} still rejected, ${outcome.skipped.length} skipped`);
    if (outcome.records === 0) return outcome.stillRejected.length > 0 ? 2 : 0;
    const summary = await waitForRun(outcome.ingestRun, outcome.records, { stallSeconds: Number(values['wait-seconds'] ?? 60) });
    const status = printRun(summary, 'the replayed records:');
    return status === 0 && outcome.stillRejected.length > 0 ? 2 : status;
  }
  throw new Error(`rejects needs list or replay\n${USAGE}`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
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
      format: { type: 'string' },
      source: { type: 'string' },
      country: { type: 'string' },
      timezone: { type: 'string' },
      'account-column': { type: 'string' },
      caller: { type: 'string' },
      rate: { type: 'string' },
      increment: { type: 'string' },
      currency: { type: 'string' },
      'allow-extensions': { type: 'boolean' },
      'wait-seconds': { type: 'string' },
      reason: { type: 'string' },
      id: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      raw: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
      status: { type: 'string' },
      limit: { type: 'string' },
      accept: { type: 'boolean' },
      override: { type: 'boolean' },
      outcome: { type: 'string' },
      credit: { type: 'string' },
      note: { type: 'string' },
      granularity: { type: 'string' },
      repair: { type: 'boolean' },
      export: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (values.help || !command) {
    console.log(USAGE);
    return 0;
  }
  const s = state();
  switch (command) {
    case 'ingest': {
      const file = positionals[0];
      if (!file) throw new Error('ingest needs a FILE');
      return ingest(file, values);
    }
    case 'rejects':
      return rejectsCommand(positionals[0], values);
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
      return 0;
    }
    case 'show': {
      const id = positionals[0];
      if (!id) throw new Error('show needs a DISPUTE_ID');
      printDispute(await api('GET', `/v1/disputes/${encodeURIComponent(id)}`, s.tokens.reviewer));
      return 0;
    }
    case 'queue':
      return queue(values, s.tokens.reviewer);
    case 'decide':
      return decideCommand(positionals[0], values, s.tokens.reviewer);
    case 'history':
      return historyCommand(positionals[0], values, s.tokens.reviewer);
    case 'stats':
      return statsCommand(positionals[0], values, s.tokens.reviewer);
    case 'audit':
      return auditCommand(values, s.tokens.auditor);
    default:
      throw new Error(`unknown command ${command}\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: Error) => {
    console.error(`disputes: ${error.message}`);
    process.exit(1);
  },
);
