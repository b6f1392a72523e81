// The form that starts an audit over a period (or the previous 24 hours) and opens its report.
import { useState } from 'preact/hooks';
import { type ApiError, asApiError, errorsFor, newIdempotencyKey, unclaimedErrors } from '../../api';
import { Field, FormProblem, Section } from '../../components';
import { href, navigate } from '../../router';
import { useApp } from '../../state';
import type { AuditReport } from '../../types';
import { MAX_AUDIT_DAYS } from '../../../../domain/audit/findings';

const fromInput = (value: string) => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? `${value}:00Z` : '');

export function RunAudit() {
  const { api } = useApp();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [repair, setRepair] = useState(false);
  const [checks, setChecks] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const found: Record<string, string[]> = {};
    const f = from ? fromInput(from) : '';
    const t = to ? fromInput(to) : '';
    if (from && !f) found.from = ['enter a date and time'];
    if (to && !t) found.to = ['enter a date and time'];
    if (Boolean(from) !== Boolean(to)) found[from ? 'to' : 'from'] = ['give both from and to, or neither'];
    if (f && t && Date.parse(t) <= Date.parse(f)) found.to = ['must be after from'];
    else if (f && t && Date.parse(t) - Date.parse(f) > MAX_AUDIT_DAYS * 86_400_000) found.to = [`an audit covers at most ${MAX_AUDIT_DAYS} days`];
    setChecks(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<AuditReport>('/v1/audits', { body: { ...(f && t ? { from: f, to: t } : {}), repair }, idempotencyKey: newIdempotencyKey() });
      navigate(href(['audits', res.body.auditId]));
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Run an audit now">
      <form class="filters" onSubmit={(e) => void submit(e)} noValidate data-testid="run-audit">
        <FormProblem error={error} unclaimed={unclaimedErrors(error, ['from', 'to', 'repair'])} />
        <Field label="From (UTC)" errors={[...(checks.from ?? []), ...errorsFor(error, 'from')]}>
          {(p) => <input {...p} type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />}
        </Field>
        <Field label="To (UTC)" errors={[...(checks.to ?? []), ...errorsFor(error, 'to')]}>
          {(p) => <input {...p} type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} />}
        </Field>
        <div class="field checkbox">
          <label>
            <input type="checkbox" checked={repair} onChange={(e) => setRepair(e.currentTarget.checked)} /> Repair drifted statistics
          </label>
        </div>
        <div class="field actions-inline">
          <button type="submit" disabled={busy}>
            {busy ? 'Starting…' : 'Run audit'}
          </button>
        </div>
      </form>
      <p class="hint">Whole UTC hours; without a period the audit covers the previous 24 hours. At most {MAX_AUDIT_DAYS} days.</p>
    </Section>
  );
}
