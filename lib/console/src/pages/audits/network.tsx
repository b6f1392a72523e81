// Network degradation findings: a number's hours whose NER fell below its baseline, and who was charged.
import { Section, TableScroll } from '../../components';
import { count, ratioText } from '../../format';
import { href } from '../../router';
import { type Of, hour, money } from './common';

export function NetworkDegradation({ findings }: { findings: Of<'NETWORK_DEGRADATION'>[] }) {
  if (findings.length === 0) return null;
  return (
    <Section title="Network degradation">
      <TableScroll label="Network degradation">
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Hour (UTC)</th>
              <th scope="col" class="num">
                Attempts
              </th>
              <th scope="col">NER</th>
              <th scope="col">Baseline NER</th>
              <th scope="col">Accounts charged</th>
              <th scope="col" class="num">
                Charged
              </th>
            </tr>
          </thead>
          <tbody>
            {findings.map((f) => (
              <tr key={`${f.calledNumber}${f.hour}`}>
                <td>
                  <a href={href(['numbers', f.calledNumber], { from: new Date(Date.parse(f.hour) - 7 * 86_400_000).toISOString(), to: new Date(Date.parse(f.hour) + 86_400_000).toISOString() })}>{f.calledNumber}</a>
                </td>
                <td>{hour(f.hour)}</td>
                <td class="num">{count(f.attempts)}</td>
                <td>{ratioText(f.ner)}</td>
                <td>{ratioText(f.baselineNer)}</td>
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
