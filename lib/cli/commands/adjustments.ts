// `disputes adjustments list|show|approve|posted`: the credits on their way to billing, through the API. `approve`
// is the local reviewer's (a second reviewer's approval of a credit above the limit); `posted` is the billing
// system's acknowledgment, sent with the local billing token; `list --csv FILE` is the export a billing team loads.
import { writeFileSync } from 'node:fs';
import type { Adjustment } from '../../domain/adjustments/adjustment';
import { ADJUSTMENT_STATUSES } from '../../domain/adjustments/adjustment';
import { ValidationError } from '../../domain/errors';
import { defineCommand } from '../command';
import { money, plural, printJson, table } from '../format';
import { type RunningStack, api } from '../local-stack';
import { instant, oneArgument, oneOf, without } from '../validate';

const SUBCOMMANDS = ['list', 'show', 'approve', 'posted'] as const;
const ID = /^adj-[0-9A-Za-z]{1,64}-[0-9]{1,4}$/;

/** Every page of the feed, following the cursor. */
async function listAll(stack: RunningStack, status: string, since: string | undefined): Promise<Adjustment[]> {
  const items: Adjustment[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ status, limit: '100', ...(since ? { since } : {}), ...(cursor ? { cursor } : {}) });
    const page = await api<{ items: Adjustment[]; cursor?: string }>(stack, 'reviewer', 'GET', `/v1/adjustments?${query.toString()}`);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/** RFC 4180 quoting; a cell a spreadsheet would run as a formula gets a leading apostrophe. */
const cell = (value: string | number | undefined): string => {
  const text = value === undefined ? '' : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export const CSV_COLUMNS = ['adjustmentId', 'status', 'accountId', 'disputeId', 'ticketId', 'kind', 'amountMinor', 'currency', 'amount', 'decidedBy', 'decidedAt', 'approvedBy', 'approvedAt', 'postedAt', 'reason'] as const;

export function adjustmentsToCsv(items: Adjustment[]): string {
  const rows = items.map((a) =>
    [a.adjustmentId, a.status, a.accountId, a.disputeId, a.ticketId, a.kind, a.amount.amountMinor, a.amount.currency, money(a.amount), a.decidedBy, a.decidedAt, a.approval?.by, a.approval?.at, a.posted?.at, a.reason].map(cell).join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}

function printOne(a: Adjustment): void {
  console.log(`${a.adjustmentId}  ${a.status}  ${money(a.amount)} ${a.kind}  account ${a.accountId}`);
  console.log(`  dispute ${a.disputeId} (ticket ${a.ticketId}), ${a.action} by ${a.decidedBy} at ${a.decidedAt}${a.reason ? `: ${a.reason}` : ''}`);
  if (a.approval) console.log(`  approved ${a.approval.automatic ? 'by policy (within the limit)' : `by ${a.approval.by}`} at ${a.approval.at}`);
  if (a.posted) console.log(`  posted, acknowledged by ${a.posted.by} at ${a.posted.at}`);
}

export const adjustments = defineCommand({
  options: { status: { type: 'string' }, since: { type: 'string' }, json: { type: 'boolean' }, csv: { type: 'string' } },
  check({ values, positionals }) {
    const sub = oneOf('subcommand', positionals[0] ?? '', SUBCOMMANDS);
    if (values.status !== undefined) oneOf('status', values.status, ADJUSTMENT_STATUSES);
    if (values.since !== undefined) instant('since', values.since);
    if (sub === 'list') {
      if (positionals.length > 1) throw new ValidationError('list', `adjustments list takes no argument (got ${positionals.slice(1).join(' ')})`);
      if (values.json && values.csv !== undefined) throw new ValidationError('csv', '--csv writes a file; --json prints: give one of them');
      return;
    }
    oneArgument(`adjustments ${sub}`, 'ADJUSTMENT_ID', positionals.slice(1));
    without(values, ['status', 'since', 'csv'], `adjustments ${sub} (they filter adjustments list)`);
    if (!ID.test(positionals[1]!)) throw new ValidationError('ADJUSTMENT_ID', `${positionals[1]} is not an adjustment id (adj-<disputeId>-<n>)`);
  },
  async run({ values, positionals, stack }) {
    const sub = positionals[0] as (typeof SUBCOMMANDS)[number];
    if (sub === 'list') {
      const status = values.status ?? 'APPROVED';
      const items = await listAll(stack, status, values.since);
      if (values.json) return printJson({ items }), 0;
      if (values.csv !== undefined) {
        writeFileSync(values.csv, adjustmentsToCsv(items));
        console.error(`wrote ${plural(items.length, 'adjustment')} to ${values.csv}`);
        return 0;
      }
      console.log(`${plural(items.length, 'adjustment')} ${status}${values.since ? ` since ${values.since}` : ''}`);
      const columns = [
        { header: 'adjustment' },
        { header: 'amount', align: 'right' as const },
        { header: 'kind' },
        { header: 'account' },
        { header: 'decided by' },
        { header: status === 'POSTED' ? 'posted at' : status === 'APPROVED' ? 'approved at' : 'decided at' },
      ];
      const at = (a: Adjustment) => (status === 'POSTED' ? a.posted?.at : status === 'APPROVED' ? a.approval?.at : a.decidedAt) ?? '';
      for (const line of table(columns, items.map((a) => [a.adjustmentId, money(a.amount), a.kind, a.accountId, a.decidedBy, at(a)]))) console.log(line);
      return 0;
    }
    const id = positionals[1]!;
    const path = `/v1/adjustments/${id}`;
    const adjustment =
      sub === 'show'
        ? await api<Adjustment>(stack, 'reviewer', 'GET', path)
        : sub === 'approve'
          ? await api<Adjustment>(stack, 'reviewer', 'POST', `${path}/approve`)
          : await api<Adjustment>(stack, 'billing', 'POST', `${path}/posted`);
    if (values.json) return printJson(adjustment), 0;
    printOne(adjustment);
    return 0;
  },
});
