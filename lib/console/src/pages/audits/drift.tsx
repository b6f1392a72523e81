// Statistics drift: stored hourly buckets that differ from a recount of the stored CDRs, and their repair.
import { Section, TableScroll } from '../../components';
import { humanize } from '../../format';
import { type Of, hour } from './common';

export function StatsDrift({ findings }: { findings: Of<'STATS_DRIFT'>[] }) {
  return (
    <Section title="Statistics drift">
      {findings.length === 0 ? (
        <p class="empty">Every stored bucket matches a recount of the stored CDRs.</p>
      ) : (
        <TableScroll label="Statistics drift">
          <table class="compact" data-testid="drift">
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Hour (UTC)</th>
                <th scope="col">Differences (stored → recounted)</th>
                <th scope="col">Repair</th>
              </tr>
            </thead>
            <tbody>
              {findings.map((f) => (
                <tr key={`${f.calledNumber}${f.hour}`}>
                  <td>{f.calledNumber}</td>
                  <td>{hour(f.hour)}</td>
                  <td>{f.stored ? f.differences.map((d) => `${d} ${counter(f.stored, d)} → ${counter(f.recounted, d)}`).join('; ') : `not stored; recount ${f.recounted.attempts} attempts`}</td>
                  <td>{f.repair ? humanize(f.repair) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </Section>
  );
}

/** A counter of a drifted bucket by the name the finding uses ("answered", "tta[1,3)"). */
function counter(c: { ttaHistogram: number[] } | null, name: string): string {
  if (!c) return '0';
  const tta = /^tta(.*)$/.exec(name);
  const bins = ['[0,1)', '[1,3)', '[3,6)', '[6,12)', '[12,24)', '[24,inf)'];
  const value = tta ? c.ttaHistogram[bins.indexOf(tta[1]!)] : (c as unknown as Record<string, unknown>)[name];
  return typeof value === 'number' ? String(value) : '0';
}
