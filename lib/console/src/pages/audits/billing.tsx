// Billing findings (billed but not answered, billed beyond the increment): per account, its calls and disputes.
import { MoneyText, Section, TableScroll } from '../../components';
import { dateTimeAt, formatMoney, plural, shortId } from '../../format';
import { href } from '../../router';
import type { Of } from './common';

export function BillingFindings({ title, findings }: { title: string; findings: Of<'BILLED_UNANSWERED' | 'OVERBILLED_DURATION'>[] }) {
  if (findings.length === 0) return null;
  return (
    <Section title={title}>
      {findings.map((f) => (
        <details key={`${f.accountId}${f.credit.currency}`} class="finding">
          <summary>
            <strong>{f.accountId}</strong>: {plural(f.calls.length, 'call')}, credit <MoneyText money={f.credit} /> of <MoneyText money={f.charged} /> charged
            {f.disputes.length > 0 && `; ${f.disputes.length} dispute${f.disputes.length === 1 ? '' : 's'} opened`}
            {f.alreadyDisputed > 0 && `; ${plural(f.alreadyDisputed, 'call')} already disputed`}
          </summary>
          {f.disputes.length > 0 && (
            <p>
              Disputes:{' '}
              {f.disputes.map((d, i) => (
                <span key={d.disputeId}>
                  {i > 0 && ', '}
                  <a href={href(['disputes', d.disputeId])}>{shortId(d.disputeId)}</a> ({d.calls} calls{d.created ? ', new' : ''})
                </span>
              ))}
            </p>
          )}
          <TableScroll label={`Calls of ${f.accountId}`}>
            <table class="compact">
              <thead>
                <tr>
                  <th scope="col">Call</th>
                  <th scope="col">Number</th>
                  <th scope="col">Started (UTC)</th>
                  <th scope="col">Answered</th>
                  <th scope="col" class="num">
                    Billed / expected
                  </th>
                  <th scope="col" class="num">
                    Charge
                  </th>
                  <th scope="col" class="num">
                    Credit
                  </th>
                </tr>
              </thead>
              <tbody>
                {f.calls.map((c) => (
                  <tr key={`${c.source}/${c.callId}`}>
                    <td class="mono small">{c.callId}</td>
                    <td>{c.calledNumber}</td>
                    <td>{dateTimeAt(c.startedAt, '+00:00')}</td>
                    <td>{c.answered ? 'Yes' : 'No'}</td>
                    <td class="num">
                      {c.billedSeconds} s / {c.expectedBilledSeconds} s
                    </td>
                    <td class="num">
                      <MoneyText money={c.charge} />
                    </td>
                    <td class="num">{formatMoney(c.creditMinor, c.charge.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </details>
      ))}
    </Section>
  );
}
