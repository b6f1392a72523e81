// The batch audit's reports, newest first, and running one now.
import { Section, Status, TableScroll } from '../../components';
import { count, dateTimeAt, shortId } from '../../format';
import { href } from '../../router';
import { useApp, useResource } from '../../state';
import type { AuditHeader } from '../../types';
import { hour } from './common';
import { RunAudit } from './run';
import { AuditStatus } from './status';

export function AuditsPage() {
  const { api } = useApp();
  const list = useResource('audits', (signal) => api.get<{ items: AuditHeader[] }>('/v1/audits?limit=50', { signal }));
  return (
    <>
      <h1>Audits</h1>
      <RunAudit />
      <Section title="Reports, newest first">
        {list.data ? (
          list.data.items.length === 0 ? (
            <p class="empty">No audit has run yet.</p>
          ) : (
            <TableScroll label="Audit reports">
              <table data-testid="audits">
                <thead>
                  <tr>
                    <th scope="col">Report</th>
                    <th scope="col">Started (UTC)</th>
                    <th scope="col">Period (UTC)</th>
                    <th scope="col">Trigger</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="num">
                      CDRs
                    </th>
                    <th scope="col" class="num">
                      Findings
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.map((a) => (
                    <tr key={a.auditId}>
                      <td>
                        <a href={href(['audits', a.auditId])} title={a.auditId}>
                          {shortId(a.auditId)}
                        </a>
                      </td>
                      <td>{dateTimeAt(a.startedAt, '+00:00', false)}</td>
                      <td>
                        {hour(a.period.from)} – {hour(a.period.to)}
                      </td>
                      <td>{a.trigger}</td>
                      <td>
                        <AuditStatus report={a} />
                      </td>
                      <td class="num">{count(a.cdrsExamined)}</td>
                      <td class="num">{count(a.summary.reduce((s, x) => s + x.findings, 0))}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )
        ) : (
          <Status loading={list.loading} error={list.error} what="audit reports" />
        )}
      </Section>
    </>
  );
}
