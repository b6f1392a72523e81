// An audit's status badge, with its progress while it runs.
import { humanize } from '../../format';
import type { AuditHeader } from '../../types';

export function AuditStatus({ report }: { report: AuditHeader }) {
  const cls = report.status === 'COMPLETED' ? 'good' : report.status === 'FAILED' ? 'bad' : 'warn';
  const p = report.progress;
  return (
    <>
      <span class={`badge ${cls}`}>{humanize(report.status)}</span>
      {report.status === 'RUNNING' && (
        <span class="small muted">
          {' '}
          {p.hoursDone}/{p.hours} hours, {p.groupsDone}/{p.groups} groups
        </span>
      )}
    </>
  );
}
