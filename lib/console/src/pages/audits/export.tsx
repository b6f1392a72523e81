// Downloads of a report as JSON (the API's answer as is) and as CSV.
import { download } from '../../components';
import { auditToCsv } from '../../../../domain/audit/csv';
import type { AuditReport } from '../../types';

export function ExportButtons({ report: r }: { report: AuditReport }) {
  return (
    <div class="button-row">
      <button type="button" class="secondary" onClick={() => download(`audit-${r.auditId}.json`, 'application/json', `${JSON.stringify(r, null, 2)}\n`)} data-testid="export-json">
        Export JSON
      </button>
      <button type="button" class="secondary" onClick={() => download(`audit-${r.auditId}.csv`, 'text/csv', auditToCsv(r))} data-testid="export-csv">
        Export CSV
      </button>
    </div>
  );
}
