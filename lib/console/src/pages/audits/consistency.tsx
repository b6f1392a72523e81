// Reviewer consistency: each reviewer's decisions, override rate against the team's, and credit given.
import { Section, TableScroll } from '../../components';
import { count, formatMoney, humanize, pct, ratioText } from '../../format';
import { type Of, money } from './common';

export function ReviewerConsistency({ findings }: { findings: Of<'REVIEWER_CONSISTENCY'>[] }) {
  return (
    <Section title="Reviewer consistency">
      {findings.length === 0 ? (
        <p class="empty">No decisions in the period.</p>
      ) : (
        <TableScroll label="Reviewer consistency">
          <table class="compact" data-testid="consistency">
            <thead>
              <tr>
                <th scope="col">Reviewer</th>
                <th scope="col" class="num">
                  Decisions
                </th>
                <th scope="col" class="num">
                  Accepted
                </th>
                <th scope="col" class="num">
                  Overridden
                </th>
                <th scope="col">Override rate</th>
                <th scope="col">Team rate</th>
                <th scope="col" class="num">
                  Outcome changed
                </th>
                <th scope="col">Outcomes</th>
                <th scope="col" class="num">
                  Credited
                </th>
                <th scope="col" class="num">
                  Against recommended
                </th>
              </tr>
            </thead>
            <tbody>
              {findings.map((f) => (
                <tr key={f.reviewer}>
                  <th scope="row">{f.reviewer}</th>
                  <td class="num">{count(f.decisions)}</td>
                  <td class="num">{count(f.accepted)}</td>
                  <td class="num">{count(f.overridden)}</td>
                  <td>{ratioText(f.overrideRate)}</td>
                  <td>{pct(f.teamOverrideRate.value)}</td>
                  <td class="num">{count(f.outcomeChanged)}</td>
                  <td>
                    {Object.entries(f.outcomes)
                      .map(([o, n]) => `${humanize(o)} ${n}`)
                      .join(', ')}
                  </td>
                  <td class="num">{money(f.credited)}</td>
                  <td class="num">{f.creditDelta.length > 0 ? f.creditDelta.map((m) => `${m.amountMinor >= 0 ? '+' : '−'}${formatMoney(Math.abs(m.amountMinor), m.currency)}`).join(' ') : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </Section>
  );
}
