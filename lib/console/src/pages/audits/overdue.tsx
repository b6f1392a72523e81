// Reviews overdue: recommended disputes still waiting for a reviewer's decision.
import { MoneyText, OutcomeBadge, Section, TableScroll } from '../../components';
import { count, dateTimeAt, humanize, shortId } from '../../format';
import { href } from '../../router';
import type { Of } from './common';

export function ReviewsOverdue({ findings }: { findings: Of<'REVIEW_OVERDUE'>[] }) {
  if (findings.length === 0) return null;
  return (
    <Section title="Reviews overdue">
      <TableScroll label="Reviews overdue">
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Dispute</th>
              <th scope="col">Account</th>
              <th scope="col">Claim</th>
              <th scope="col">Origin</th>
              <th scope="col">Recommended (UTC)</th>
              <th scope="col" class="num">
                Hours waiting
              </th>
              <th scope="col">Outcome</th>
              <th scope="col" class="num">
                Credit
              </th>
            </tr>
          </thead>
          <tbody>
            {findings.map((f) => (
              <tr key={f.disputeId}>
                <td>
                  <a href={href(['disputes', f.disputeId])} title={f.disputeId}>
                    {shortId(f.disputeId)}
                  </a>
                </td>
                <td>{f.accountId}</td>
                <td>{humanize(f.claim)}</td>
                <td>{f.origin === 'TICKET' ? 'Ticket' : 'Audit'}</td>
                <td>{dateTimeAt(f.recommendedAt, '+00:00', false)}</td>
                <td class="num">{count(f.hoursWaiting)}</td>
                <td>
                  <OutcomeBadge outcome={f.outcome} />
                </td>
                <td class="num">
                  <MoneyText money={f.creditAmount} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </Section>
  );
}
