// An audit report read in full: its facts, findings by type with counts and money, the tables per finding type
// (statistics drift, reviewer consistency, …), JSON and CSV exports.
import { useEffect, useState } from 'preact/hooks';
import { ProblemBox, Section, Status } from '../../components';
import { count, plural, shortId, utc } from '../../format';
import { href } from '../../router';
import { useApp, useResource } from '../../state';
import type { AuditReport, FindingType } from '../../types';
import { BillingFindings } from './billing';
import { type Of, hour } from './common';
import { ReviewerConsistency } from './consistency';
import { StatsDrift } from './drift';
import { ExportButtons } from './export';
import { FalseAnswers } from './false-answer';
import { NetworkDegradation } from './network';
import { ReviewsOverdue } from './overdue';
import { RejectedInput } from './rejected';
import { AuditStatus } from './status';
import { SummaryTable } from './summary';

export function AuditPage({ id }: { id: string }) {
  const { api } = useApp();
  const [generation, setGeneration] = useState(0);
  const report = useResource(`audit:${id}:${generation}`, (signal) => api.get<AuditReport>(`/v1/audits/${encodeURIComponent(id)}`, { signal }));
  const [last, setLast] = useState<AuditReport | undefined>();
  useEffect(() => {
    if (report.data) setLast(report.data);
  }, [report.data]);
  const r = report.data ?? (last?.auditId === id ? last : undefined);
  useEffect(() => {
    if (r?.status !== 'RUNNING') return;
    const timer = setTimeout(() => setGeneration((g) => g + 1), 2000);
    return () => clearTimeout(timer);
  }, [r]);
  if (!r) return <Status loading={report.loading} error={report.error} what="audit report" />;
  const of = <T extends FindingType>(type: T) => r.findings.filter((f): f is Of<T> => f.type === type);

  return (
    <>
      <nav class="breadcrumbs" aria-label="Breadcrumbs">
        <a href={href(['audits'])}>Audits</a> <span aria-hidden="true">›</span> <span>Report {shortId(r.auditId)}</span>
      </nav>
      <h1>
        Audit report <span class="mono">{r.auditId}</span>
      </h1>
      {report.error && <ProblemBox error={report.error} what="audit report" />}
      <div class="grid two">
        <Section title="Report" actions={<ExportButtons report={r} />}>
          <dl class="facts">
            <dt>Status</dt>
            <dd>
              <AuditStatus report={r} />
              {r.failure && <span class="field-error"> {r.failure}</span>}
            </dd>
            <dt>Period (UTC)</dt>
            <dd>
              {hour(r.period.from)} – {hour(r.period.to)}
            </dd>
            <dt>Trigger</dt>
            <dd>{r.trigger}</dd>
            <dt>Started</dt>
            <dd>
              {utc(r.startedAt)}
              {r.finishedAt ? `, finished ${utc(r.finishedAt)}` : ''}
            </dd>
            <dt>CDRs examined</dt>
            <dd>{count(r.cdrsExamined)}</dd>
            <dt>Policy</dt>
            <dd>
              {r.policyVersion ?? '–'}
              {r.repair ? ', repair on' : ''}
            </dd>
            <dt>Disputes opened</dt>
            <dd>
              {count(r.disputes.opened)} for {plural(r.disputes.accounts, 'account')} ({plural(r.disputes.calls, 'call')})
              {r.disputes.alreadyDisputed > 0 ? `; ${plural(r.disputes.alreadyDisputed, 'call')} already disputed` : ''}
            </dd>
          </dl>
        </Section>
        <Section title="Findings by type">
          <SummaryTable summary={r.summary} />
        </Section>
      </div>

      <BillingFindings title="Billed but not answered" findings={of('BILLED_UNANSWERED')} />
      <BillingFindings title="Billed beyond the increment" findings={of('OVERBILLED_DURATION')} />
      <NetworkDegradation findings={of('NETWORK_DEGRADATION')} />
      <FalseAnswers findings={of('FALSE_ANSWER_SUSPECTED')} period={r.period} />
      <StatsDrift findings={of('STATS_DRIFT')} />
      <ReviewsOverdue findings={of('REVIEW_OVERDUE')} />
      <ReviewerConsistency findings={of('REVIEWER_CONSISTENCY')} />
      <RejectedInput findings={of('REJECTED_INPUT')} />
    </>
  );
}
