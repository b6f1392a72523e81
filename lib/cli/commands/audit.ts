// `disputes audit`: runs the batch audit through the API and waits for it, or reads an earlier one.
import { writeFileSync } from 'node:fs';
import type { AuditReport } from '../../domain/audit/findings';
import { ValidationError } from '../../domain/errors';
import { auditSummary, auditToCsv } from '../audit-report';
import { defineCommand } from '../command';
import { printJson } from '../format';
import { api } from '../local-stack';
import { noArguments, oneOf, period, wholeNumber, without } from '../validate';

const EXPORTS = ['json', 'csv'] as const;

/** Prints the report's summary, its JSON, or exports it whole; 0 when completed, 1 when failed, 3 when still running at the deadline. */
export const audit = defineCommand({
  options: {
    id: { type: 'string', multiple: true },
    from: { type: 'string' },
    to: { type: 'string' },
    repair: { type: 'boolean' },
    export: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    'wait-seconds': { type: 'string' },
  },
  check({ values, positionals }) {
    noArguments('audit', positionals);
    if (values.export !== undefined) oneOf('export', values.export, EXPORTS);
    if (values.json) without(values, ['export'], '--json (which prints the report as the API sends it; --export json writes the same)');
    if (values.out !== undefined && values.export === undefined) throw new ValidationError('out', '--out writes an export: add --export json or --export csv');
    if (values['wait-seconds'] !== undefined) wholeNumber('wait-seconds', values['wait-seconds'], 0, 86_400);
    if ((values.id?.length ?? 0) > 1) throw new ValidationError('id', '--id reads one audit report: give it once');
    if (values.id) {
      without(values, ['from', 'to', 'repair'], '--id (which reads an earlier report; without --id, a new audit runs)');
      return;
    }
    if ((values.from === undefined) !== (values.to === undefined)) throw new ValidationError(values.from === undefined ? 'from' : 'to', 'give both --from and --to, or neither (the previous 24 h)');
    period(values.from, values.to);
  },
  async run({ values, stack }) {
    const id = values.id?.[0];
    const get = (auditId: string) => api<AuditReport>(stack, 'auditor', 'GET', `/v1/audits/${encodeURIComponent(auditId)}`);
    let report = id
      ? await get(id)
      : await api<AuditReport>(stack, 'auditor', 'POST', '/v1/audits', { ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}), ...(values.repair ? { repair: true } : {}) });
    if (!id) console.error(`audit ${report.auditId} started over ${report.period.from} – ${report.period.to}; waiting…`);
    const deadline = Date.now() + Number(values['wait-seconds'] ?? 900) * 1000;
    while (report.status === 'RUNNING' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      report = await get(report.auditId);
    }
    if (values.json) printJson(report);
    else if (values.export) {
      const text = values.export === 'json' ? `${JSON.stringify(report, null, 2)}\n` : auditToCsv(report);
      if (values.out) {
        writeFileSync(values.out, text);
        console.error(`wrote ${values.out}`);
      } else process.stdout.write(text);
    } else console.log(auditSummary(report));
    if (report.status === 'RUNNING') {
      console.error('the audit is still running; read it later with --id');
      return 3;
    }
    return report.status === 'COMPLETED' ? 0 : 1;
  },
});
