// A report's findings by type, with counts and money.
import { TableScroll } from '../../components';
import { count, humanize, plural } from '../../format';
import type { FindingSummary, FindingType } from '../../types';
import { money } from './common';

/** What a type's money means (as the CLI's summary labels it). */
const MONEY_LABEL: Partial<Record<FindingType, string>> = {
  BILLED_UNANSWERED: 'credit',
  OVERBILLED_DURATION: 'credit',
  NETWORK_DEGRADATION: 'charged during them',
  FALSE_ANSWER_SUSPECTED: 'charged for suspect calls',
  REVIEW_OVERDUE: 'recommended credit',
  REVIEWER_CONSISTENCY: 'credited',
};

export function SummaryTable({ summary }: { summary: FindingSummary[] }) {
  return (
    <TableScroll label="Findings by type">
      <table class="compact" data-testid="audit-summary">
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col" class="num">
              Findings
            </th>
            <th scope="col" class="num">
              Count
            </th>
            <th scope="col" class="num">
              Money
            </th>
          </tr>
        </thead>
        <tbody>
          {summary.map((s) => (
            <tr key={s.type} data-type={s.type} class={s.findings > 0 ? '' : 'quiet'}>
              <th scope="row">{humanize(s.type)}</th>
              <td class="num">{count(s.findings)}</td>
              <td class="num">
                {count(s.count)} {s.unit}
                {s.accounts ? `, ${plural(s.accounts, 'account')}` : ''}
              </td>
              <td class="num">
                {s.totals.length > 0 ? (
                  <>
                    {money(s.totals)} <span class="muted small">{MONEY_LABEL[s.type]}</span>
                  </>
                ) : (
                  '–'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
