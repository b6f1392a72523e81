// Every disputed call, filtered by verdict and sortable by column.
import { useState } from 'preact/hooks';
import { MoneyText, OutcomeBadge, Section, SortHeader, type SortDir, TableScroll } from '../../components';
import { dateTimeAt, formatMoney, humanize, offsetLabel, seconds } from '../../format';
import type { CallAssessment } from '../../types';

type Column = 'startedAt' | 'answered' | 'ttaSeconds' | 'talkSeconds' | 'billedSeconds' | 'expectedBilledSeconds' | 'charge' | 'verdict' | 'creditMinor';
const VERDICTS = ['CREDIT', 'DENY', 'ESCALATE'] as const;

function sortValue(c: CallAssessment, column: Column): number | string {
  switch (column) {
    case 'startedAt':
      return Date.parse(c.startedAt);
    case 'answered':
      return c.answered ? 1 : 0;
    case 'ttaSeconds':
      return c.ttaSeconds ?? -1;
    case 'charge':
      return c.charge.amountMinor;
    case 'verdict':
      return c.verdict;
    default:
      return c[column];
  }
}

export function CallsTable({ calls, offset }: { calls: CallAssessment[]; offset: string }) {
  const [verdict, setVerdict] = useState('');
  const [sort, setSort] = useState<{ column: Column; dir: SortDir }>({ column: 'startedAt', dir: 'ascending' });
  const shown = calls
    .filter((c) => !verdict || c.verdict === verdict)
    .sort((x, y) => {
      const a = sortValue(x, sort.column);
      const b = sortValue(y, sort.column);
      const order = a < b ? -1 : a > b ? 1 : 0;
      return sort.dir === 'ascending' ? order : -order;
    });
  const onSort = (column: string) => setSort((s) => ({ column: column as Column, dir: s.column === column && s.dir === 'ascending' ? 'descending' : 'ascending' }));
  const header = (label: string, column: Column, numeric = false) => <SortHeader label={label} column={column} sort={sort} onSort={onSort} numeric={numeric} />;
  return (
    <Section title={`Disputed calls (${calls.length})`}>
      <fieldset class="segmented" data-testid="verdict-filter">
        <legend>Verdict</legend>
        {['', ...VERDICTS].map((v) => (
          <label key={v || 'all'}>
            <input type="radio" name="verdict" value={v} checked={verdict === v} onChange={() => setVerdict(v)} />
            {v ? humanize(v) : 'All'} ({calls.filter((c) => !v || c.verdict === v).length})
          </label>
        ))}
      </fieldset>
      <TableScroll label="Disputed calls">
        <table class="calls" data-testid="calls">
          <caption class="visually-hidden">
            Disputed calls, {shown.length} shown, sorted by {sort.column} {sort.dir}
          </caption>
          <thead>
            <tr>
              {header(`Started (${offsetLabel(offset)})`, 'startedAt')}
              {header('Answered', 'answered')}
              {header('Time to answer', 'ttaSeconds', true)}
              {header('Talk', 'talkSeconds', true)}
              {header('Billed', 'billedSeconds', true)}
              {header('Expected', 'expectedBilledSeconds', true)}
              {header('Charge', 'charge', true)}
              {header('Verdict', 'verdict')}
              {header('Credit', 'creditMinor', true)}
              <th scope="col">Reasons</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => (
              <tr key={c.callId} class={c.billedSeconds > c.expectedBilledSeconds ? 'overbilled' : ''}>
                <td title={c.callId}>{dateTimeAt(c.startedAt, offset)}</td>
                <td>{c.answered ? 'Yes' : 'No'}</td>
                <td class="num">{seconds(c.ttaSeconds, 2)}</td>
                <td class="num">{seconds(c.talkSeconds)}</td>
                <td class="num">{c.billedSeconds} s</td>
                <td class="num">{c.expectedBilledSeconds} s</td>
                <td class="num">
                  <MoneyText money={c.charge} />
                </td>
                <td>
                  <OutcomeBadge outcome={c.verdict} />
                </td>
                <td class="num">{formatMoney(c.creditMinor, c.charge.currency)}</td>
                <td class="small">{c.reasons.map(humanize).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {shown.length === 0 && <p class="empty">No call has this verdict.</p>}
    </Section>
  );
}
