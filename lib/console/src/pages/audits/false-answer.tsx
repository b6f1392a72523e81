// False answer suspected: numbers with many short or sub-second answered calls, and who was charged.
import { Section, TableScroll } from '../../components';
import { count, ratioText } from '../../format';
import { href } from '../../router';
import type { AuditReport } from '../../types';
import { type Of, money } from './common';

export function FalseAnswers({ findings, period }: { findings: Of<'FALSE_ANSWER_SUSPECTED'>[]; period: AuditReport['period'] }) {
  if (findings.length === 0) return null;
  return (
    <Section title="False answer suspected">
      <TableScroll label="False answer suspected">
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col" class="num">
                Answered
              </th>
              <th scope="col">Short calls</th>
              <th scope="col">Answered under 1 s</th>
              <th scope="col">Accounts charged</th>
              <th scope="col" class="num">
                Charged
              </th>
            </tr>
          </thead>
          <tbody>
            {findings.map((f) => (
              <tr key={f.calledNumber}>
                <td>
                  <a href={href(['numbers', f.calledNumber], { from: period.from, to: period.to })}>{f.calledNumber}</a>
                </td>
                <td class="num">{count(f.answered)}</td>
                <td>{ratioText(f.scr)}</td>
                <td>{ratioText(f.subSecondAnswers)}</td>
                <td>{f.accounts.map((a) => `${a.accountId} (${a.calls})`).join(', ') || '–'}</td>
                <td class="num">{money(f.charged)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </Section>
  );
}
