// `disputes rejects list|show|replay|resolve|dismiss|keep|replace`: the kept rejects, sending them through ingest
// again once they can pass, and closing them through the API (recorded as the local auditor, with the time).
import type { Reject } from '../../domain/rejects/reject';
import { listRejects } from '../../adapters/reject-store';
import { ValidationError } from '../../domain/errors';
import { REJECT_ID_PATTERN } from '../../domain/rejects/identity';
import { REJECT_STATUSES } from '../../domain/rejects/lifecycle';
import { replayRejects, waitForRun } from '../../use-cases/ingest/import-file';
import { type OptionValues, defineCommand } from '../command';
import { plural, printJson } from '../format';
import { type RunningStack, api } from '../local-stack';
import { OPERATOR_OPTIONS, adapterOptions } from '../operator-options';
import { printRun } from '../run-summary';
import { oneArgument, oneOf, wholeNumber, without } from '../validate';

const OPTIONS = {
  ...OPERATOR_OPTIONS,
  reason: { type: 'string' },
  note: { type: 'string' },
  status: { type: 'string' },
  all: { type: 'boolean' },
  json: { type: 'boolean' },
  id: { type: 'string', multiple: true },
  raw: { type: 'string' },
  'wait-seconds': { type: 'string' },
} as const;
type Values = OptionValues<typeof OPTIONS>;

const SUBCOMMANDS = ['list', 'show', 'replay', 'resolve', 'dismiss', 'keep', 'replace'] as const;
type Sub = (typeof SUBCOMMANDS)[number];
const CLOSING = ['resolve', 'dismiss', 'keep', 'replace'] as const;
type Closing = (typeof CLOSING)[number];
const isClosing = (sub: Sub): sub is Closing => (CLOSING as readonly string[]).includes(sub);

const whereOf = (origin: Reject['origin']): string =>
  origin.stream !== undefined
    ? `overwritten in a race (stream record ${origin.sequence ?? '?'})`
    : origin.file !== undefined
    ? `${origin.file}:${origin.line ?? '?'}${origin.index !== undefined ? `[${origin.index}]` : ''}`
    : `message ${origin.messageId ?? '?'}${origin.index !== undefined ? `[${origin.index}]` : ''}`;

/** The reject's state in a few words: open, or how, by whom and when it was closed. */
function stateOf(r: Reject): string {
  if (r.status === 'OPEN') return 'OPEN';
  const res = r.resolution;
  if (!res) return r.replayRun ? `REPLAYED in run ${r.replayRun}` : r.status;
  return `${r.status} by ${res.by} at ${res.at}${res.replayRun ? ` (run ${res.replayRun})` : ''}${res.reason ? `: ${res.reason}` : ''}`;
}

function printReject(r: Reject): void {
  const seen = r.sightings > 1 ? `seen ${r.sightings} times, first ${r.receivedAt}, last ${r.lastSeenAt}${r.lastOrigin ? ` (${whereOf(r.lastOrigin)})` : ''}` : `seen ${r.receivedAt}`;
  console.log(`${r.rejectId}  ${r.kind}  ${stateOf(r)}`);
  console.log(`  source ${r.source}  ${whereOf(r.origin)}${r.format ? `  ${r.format}` : ''}  ${seen}`);
  const cut = r.truncated?.includes('raw') ? ` … (kept ${r.raw.length} characters of ${r.rawBytes ?? '?'} bytes, sha256 ${r.rawSha256 ?? '?'})` : '';
  console.log(`  raw: ${r.raw.length > 300 ? `${r.raw.slice(0, 300)}…` : r.raw}${cut}`);
  for (const p of r.problems) console.log(`  ${p.field}: ${p.reason}`);
}

async function list(values: Values): Promise<number> {
  const status = values.status === undefined ? undefined : oneOf('status', values.status, REJECT_STATUSES);
  const found = await listRejects({ reason: values.reason, source: values.source, all: Boolean(values.all), status });
  if (values.json) {
    for (const reject of found) console.log(JSON.stringify(reject));
    return 0;
  }
  for (const reject of found) printReject(reject);
  const sightings = found.reduce((n, r) => n + r.sightings, 0);
  console.log(`${plural(found.length, 'reject')}${sightings > found.length ? ` (${plural(sightings, 'sighting')})` : ''}${values.all || status ? '' : ' open (--all lists closed ones too)'}`);
  return 0;
}

async function replay(values: Values): Promise<number> {
  const ids = values.id ?? [];
  // Replay overrides; --source filters which rejects are replayed, so it is not an override here.
  const overrides = adapterOptions({ ...values, source: undefined });
  const filter = { reason: values.reason, source: values.source };
  const outcome = await replayRejects(ids.length > 0 ? { ids } : { filter }, { overrides, correctedRaw: values.raw });
  for (const s of outcome.skipped) console.log(`skipped ${s.rejectId}: ${s.why}`);
  for (const s of outcome.stillRejected) console.log(`still rejected ${s.rejectId}: ${s.problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`);
  console.log(`${outcome.replayed.length} rejects re-validated and sent through ingest (${outcome.records} records, run ${outcome.ingestRun}); ${outcome.stillRejected.length} still rejected, ${outcome.skipped.length} skipped`);
  if (outcome.records === 0) return outcome.stillRejected.length > 0 ? 2 : 0;
  const summary = await waitForRun(outcome.ingestRun, outcome.records, { stallSeconds: Number(values['wait-seconds'] ?? 60) });
  const status = printRun(summary, 'the replayed records:');
  return status === 0 && outcome.stillRejected.length > 0 ? 2 : status;
}

const path = (id: string, action?: Closing) => `/v1/rejects/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;

async function show(stack: RunningStack, id: string, values: Values): Promise<number> {
  const reject = await api<Reject>(stack, 'auditor', 'GET', path(id));
  if (values.json) printJson(reject);
  else printReject(reject);
  return 0;
}

const DONE: Record<Closing, string> = { resolve: 'resolved', dismiss: 'dismissed', keep: 'settled: the stored CDR kept', replace: 'settled: the stored CDR replaced by the conflicting one' };

/** Closes one reject through the API, as the auditor token's user. */
async function closeOne(stack: RunningStack, action: Closing, id: string, values: Values): Promise<number> {
  const body = action === 'dismiss' ? { reason: values.reason } : values.note !== undefined ? { note: values.note } : undefined;
  const closed = await api<Reject>(stack, 'auditor', 'POST', path(id, action), body);
  if (values.json) printJson(closed);
  else console.log(`${closed.rejectId} ${DONE[action]}: ${stateOf(closed)}`);
  return 0;
}

/** Every mistake on the command line, before the stack is looked at. */
function check(values: Values, positionals: string[]): { sub: Sub; id?: string } {
  const [name, ...rest] = positionals;
  if (name === undefined) throw new ValidationError('list|replay|…', `rejects needs one of ${SUBCOMMANDS.join(', ')}: disputes rejects list`);
  const sub = oneOf('(subcommand)', name, SUBCOMMANDS);
  if (values['wait-seconds'] !== undefined) wholeNumber('wait-seconds', values['wait-seconds'], 1, 86_400);
  if (sub === 'list') {
    if (rest.length > 0) throw new ValidationError('(argument)', `rejects list takes options only; not understood: ${rest.join(' ')}`);
    if (values.status !== undefined) oneOf('status', values.status, REJECT_STATUSES);
    return { sub };
  }
  if (sub === 'replay') {
    const ids = values.id ?? [];
    if (rest.length > 0) throw new ValidationError('--id', `rejects replay names rejects with --id ID; not understood: ${rest.join(' ')}`);
    if (ids.length === 0 && !values.all) throw new ValidationError('--id', 'replay needs --id ID or --all');
    if (values.raw !== undefined && ids.length !== 1) throw new ValidationError('--raw', '--raw replaces the text of one reject: give exactly one --id');
    adapterOptions({ ...values, source: undefined });
    return { sub };
  }
  const id = oneArgument(`rejects ${sub}`, 'REJECT_ID', rest);
  if (!REJECT_ID_PATTERN.test(id)) throw new ValidationError('REJECT_ID', `${id} is not a reject id: 26 characters 0-9 and A-Z, as rejects list prints them`);
  if (sub === 'dismiss' && !values.reason?.trim()) throw new ValidationError('--reason', 'dismiss needs --reason TEXT: why the reject is dismissed');
  without(values, ['all', 'id', 'raw', 'status'], `rejects ${sub}`);
  if (sub !== 'dismiss') without(values, ['reason'], `rejects ${sub} (--note TEXT says how it was resolved)`);
  if (sub === 'dismiss' || sub === 'show') without(values, ['note'], `rejects ${sub}`);
  return { sub, id };
}

/** `rejects list|show` read kept rejects; `replay` re-validates and ingests what passes; the rest close one reject. */
export const rejects = defineCommand({
  options: OPTIONS,
  check: ({ values, positionals }) => void check(values, positionals),
  async run({ values, positionals, stack }) {
    const { sub, id } = check(values, positionals);
    if (sub === 'list') return list(values);
    if (sub === 'replay') return replay(values);
    if (sub === 'show') return show(stack, id!, values);
    if (isClosing(sub)) return closeOne(stack, sub, id!, values);
    return 1;
  },
});
