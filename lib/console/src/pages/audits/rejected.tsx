// Rejected input: switch records refused at ingest, by reason and source.
import { Section, TableScroll } from '../../components';
import { count } from '../../format';
import type { Of } from './common';

export function RejectedInput({ findings }: { findings: Of<'REJECTED_INPUT'>[] }) {
  if (findings.length === 0) return null;
  return (
    <Section title="Rejected input">
      <TableScroll label="Rejected input">
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Reason</th>
              <th scope="col" class="num">
                Rejects
              </th>
              <th scope="col" class="num">
                Open
              </th>
              <th scope="col" class="num">
                Replayed
              </th>
              <th scope="col">Sources</th>
            </tr>
          </thead>
          <tbody>
            {findings.map((f) => (
              <tr key={f.reason}>
                <td class="mono">{f.reason}</td>
                <td class="num">{count(f.rejects)}</td>
                <td class="num">{count(f.open)}</td>
                <td class="num">{count(f.replayed)}</td>
                <td>{f.sources.map((s) => `${s.source} (${s.rejects})`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </Section>
  );
}
