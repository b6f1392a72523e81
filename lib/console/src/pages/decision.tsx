// The reviewer's actions on a recommended dispute: accept, override (outcome, amount typed in currency units,
// reason), goodwill as its own decision, re-investigate. Each form checks what it can before sending and shows the
// API's problem details next to the field they name. When the API offers leases, the page holds one while open.
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, asApiError, errorsFor, newIdempotencyKey, unclaimedErrors } from '../api';
import { Field, FormProblem, MoneyText, OutcomeBadge } from '../components';
import { formatMoney, fractionDigits, humanize, minorToInput, parseMoney, utc } from '../format';
import { hasRole, useApp } from '../state';
import type { Decision, Dispute, Lease } from '../types';

const OVERRIDE_OUTCOMES = ['CREDIT', 'PARTIAL_CREDIT', 'DENY'] as const;
const MAX_TEXT = 2000;

export function DecisionSummary({ decision }: { decision: Decision }) {
  const d = decision.difference;
  return (
    <div data-testid="decision">
      <p>
        <strong>{decision.action === 'ACCEPT' ? 'Accepted' : decision.action === 'OVERRIDE' ? 'Overridden' : 'Goodwill granted'}</strong> by {decision.reviewer}, {utc(decision.decidedAt)}
      </p>
      <p>
        <OutcomeBadge outcome={decision.outcome} large /> credit <MoneyText money={decision.creditAmount} />
      </p>
      {decision.reason && (
        <p>
          Reason: <q>{decision.reason}</q>
        </p>
      )}
      <p class="muted small">
        {d.outcomeChanged ? 'The outcome differs from the recommendation' : 'Same outcome as recommended'}
        {d.creditDeltaMinor !== 0 ? `; credit ${d.creditDeltaMinor > 0 ? '+' : '−'}${formatMoney(Math.abs(d.creditDeltaMinor), decision.creditAmount.currency)} against the recommendation` : ''}.
      </p>
    </div>
  );
}

type LeaseState = { kind: 'off' } | { kind: 'acquiring' } | { kind: 'held'; lease: Lease } | { kind: 'taken'; lease: Partial<Lease> } | { kind: 'error'; error: ApiError };

/** Holds the dispute's lease while the page is open (when the API has leases), renewing it before it expires. */
function useLease(dispute: Dispute, enabled: boolean): LeaseState {
  const { api } = useApp();
  const [state, setState] = useState<LeaseState>({ kind: enabled ? 'acquiring' : 'off' });
  useEffect(() => {
    if (!enabled) {
      setState({ kind: 'off' });
      return;
    }
    const path = `/v1/disputes/${encodeURIComponent(dispute.disputeId)}/lease`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let held = false;
    let stopped = false;
    const controller = new AbortController();
    const acquire = async () => {
      try {
        const { body } = await api.post<Lease>(path, { signal: controller.signal, idempotencyKey: newIdempotencyKey() });
        if (stopped) return;
        held = true;
        setState({ kind: 'held', lease: body });
        timer = setTimeout(() => void acquire(), Math.max(5000, (Date.parse(body.expiresAt) - Date.now()) / 2));
      } catch (error) {
        if (stopped) return;
        held = false;
        const e = asApiError(error);
        if (e.status === 409) {
          // The API names the holder in the problem's detail and serves the lease on the dispute: read it afresh, as
          // the page may have loaded before the other reviewer took the dispute.
          let current = dispute.lease;
          if (typeof e.extra.holder !== 'string') {
            current = await api
              .get<Dispute>(`/v1/disputes/${encodeURIComponent(dispute.disputeId)}`, { signal: controller.signal })
              .then((d) => d.lease ?? current)
              .catch(() => current);
            if (stopped) return;
          }
          const lease = { holder: typeof e.extra.holder === 'string' ? e.extra.holder : current?.holder, expiresAt: typeof e.extra.expiresAt === 'string' ? e.extra.expiresAt : current?.expiresAt };
          setState({ kind: 'taken', lease });
          const until = lease.expiresAt ? Date.parse(lease.expiresAt) - Date.now() : 15_000;
          timer = setTimeout(() => void acquire(), Math.min(60_000, Math.max(5000, until + 500)));
        } else {
          setState({ kind: 'error', error: e });
        }
      }
    };
    // Released when the page goes (another route, a decision, a closed tab), so the next reviewer need not wait.
    const release = () => {
      if (!held) return;
      held = false;
      void api.delete(path, { keepalive: true }).catch(() => undefined);
    };
    addEventListener('pagehide', release);
    void acquire();
    return () => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
      removeEventListener('pagehide', release);
      release();
    };
  }, [dispute.disputeId, enabled]);
  return state;
}

export function DecisionPanel({ dispute, onChange }: { dispute: Dispute; onChange: (d: Dispute) => void }) {
  const { session, features } = useApp();
  const reviewer = hasRole(session, 'reviewer');
  const open = dispute.status === 'RECOMMENDED' && !!dispute.recommendation;
  const lease = useLease(dispute, reviewer && open && features.lease);

  if (!reviewer) {
    return (
      <p class="note" data-testid="no-decision-role">
        Decisions need the reviewer role. You are signed in as <strong>{session?.subject}</strong> ({session?.roles.join(', ') || 'no known role'}).
      </p>
    );
  }
  if (!open) return <p class="note">{dispute.status === 'DECIDED' ? 'This dispute is decided.' : 'The dispute can be decided once it is recommended.'}</p>;

  const blocked = lease.kind === 'taken' || lease.kind === 'acquiring';
  return (
    <div class="decision-panel" data-testid="decision-actions">
      {lease.kind === 'held' && (
        <p class="note small" data-testid="lease">
          You hold this dispute until {utc(lease.lease.expiresAt)}; other reviewers see it as in review.
        </p>
      )}
      {lease.kind === 'acquiring' && (
        <p class="loading small" role="status">
          Taking the dispute for review…
        </p>
      )}
      {lease.kind === 'taken' && (
        <p class="problem" role="alert" data-testid="lease-held">
          <strong>{lease.lease.holder ?? 'Another reviewer'}</strong> is reviewing this dispute{lease.lease.expiresAt ? ` until ${utc(lease.lease.expiresAt)}` : ''}. The actions open when they are done.
        </p>
      )}
      {lease.kind === 'error' && (
        <p class="problem" role="alert">
          The dispute could not be taken for review: {lease.error.title}
          {lease.error.detail ? ` — ${lease.error.detail}` : ''}. You can still decide; the API refuses a decision another reviewer already made.
        </p>
      )}
      <fieldset class="plain" disabled={blocked}>
        <legend class="visually-hidden">Decision actions</legend>
        <AcceptForm dispute={dispute} onChange={onChange} />
        {features.goodwill && dispute.recommendation!.goodwill.eligible && <GoodwillForm dispute={dispute} onChange={onChange} />}
        <OverrideForm dispute={dispute} onChange={onChange} />
        <ReinvestigateForm dispute={dispute} onChange={onChange} />
      </fieldset>
    </div>
  );
}

/** Sends a decision body; a problem comes back as the form's error. */
function useSubmit(dispute: Dispute, onChange: (d: Dispute) => void) {
  const { api } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const send = async (path: 'decision' | 'reinvestigate', body?: unknown) => {
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<Dispute>(`/v1/disputes/${encodeURIComponent(dispute.disputeId)}/${path}`, { ...(body !== undefined ? { body } : {}), idempotencyKey: newIdempotencyKey() });
      onChange(res.body);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, send, setError };
}

function AcceptForm({ dispute, onChange }: { dispute: Dispute; onChange: (d: Dispute) => void }) {
  const rec = dispute.recommendation!;
  const { busy, error, send } = useSubmit(dispute, onChange);
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string[]>([]);
  const escalated = rec.outcome === 'ESCALATE';
  const submit = (e: Event) => {
    e.preventDefault();
    if (note.length > MAX_TEXT) return setNoteError([`at most ${MAX_TEXT} characters`]);
    setNoteError([]);
    void send('decision', { action: 'ACCEPT', ...(note.trim() ? { note: note.trim() } : {}) });
  };
  return (
    <form class="action" onSubmit={submit} noValidate aria-labelledby="accept-heading">
      <h3 id="accept-heading">Accept the recommendation</h3>
      <FormProblem error={error} unclaimed={unclaimedErrors(error, ['note'])} />
      {escalated ? (
        <p class="note">An escalated recommendation has no outcome to accept: override it with one.</p>
      ) : (
        <>
          <Field label="Note (optional)" errors={[...noteError, ...errorsFor(error, 'note')]}>
            {(p) => <input {...p} type="text" value={note} maxLength={MAX_TEXT} onInput={(e) => setNote(e.currentTarget.value)} />}
          </Field>
          <button type="submit" disabled={busy} data-testid="accept">
            {busy ? 'Accepting…' : `Accept: ${humanize(rec.outcome)}, credit ${formatMoney(rec.creditAmount.amountMinor, rec.creditAmount.currency)}`}
          </button>
        </>
      )}
    </form>
  );
}

function GoodwillForm({ dispute, onChange }: { dispute: Dispute; onChange: (d: Dispute) => void }) {
  const rec = dispute.recommendation!;
  const { busy, error, send } = useSubmit(dispute, onChange);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string[]>([]);
  const submit = (e: Event) => {
    e.preventDefault();
    const text = reason.trim();
    if (!text) return setReasonError(['a goodwill credit needs a reason']);
    if (text.length > MAX_TEXT) return setReasonError([`at most ${MAX_TEXT} characters`]);
    setReasonError([]);
    void send('decision', { action: 'GOODWILL', reason: text });
  };
  return (
    <form class="action" onSubmit={submit} noValidate aria-labelledby="goodwill-heading" data-testid="goodwill-form">
      <h3 id="goodwill-heading">Grant goodwill</h3>
      <p class="small">
        Credits {formatMoney(rec.goodwill.amountMinor, rec.disputedAmount.currency)} as goodwill, recorded as its own decision (not an override of the {humanize(rec.outcome)} outcome).
      </p>
      <FormProblem error={error} unclaimed={unclaimedErrors(error, ['reason'])} />
      <Field label="Reason" errors={[...reasonError, ...errorsFor(error, 'reason')]}>
        {(p) => <textarea {...p} rows={2} value={reason} maxLength={MAX_TEXT} onInput={(e) => setReason(e.currentTarget.value)} />}
      </Field>
      <button type="submit" class="secondary" disabled={busy}>
        {busy ? 'Granting…' : `Grant ${formatMoney(rec.goodwill.amountMinor, rec.disputedAmount.currency)} goodwill`}
      </button>
    </form>
  );
}

function OverrideForm({ dispute, onChange }: { dispute: Dispute; onChange: (d: Dispute) => void }) {
  const rec = dispute.recommendation!;
  const currency = rec.disputedAmount.currency;
  const disputed = rec.disputedAmount.amountMinor;
  const { busy, error, send } = useSubmit(dispute, onChange);
  const [outcome, setOutcome] = useState('');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [checks, setChecks] = useState<Record<string, string[]>>({});
  const [open, setOpen] = useState(false);
  const firstInvalid = useRef<HTMLFormElement>(null);

  useEffect(() => {
    // After a failed check or a problem, focus the first field in error so keyboard and screen-reader users land on it.
    firstInvalid.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [checks, error]);

  const chooseOutcome = (value: string) => {
    setOutcome(value);
    if (value === 'DENY') setAmount(minorToInput(0, currency));
    else if (value === 'CREDIT' && (amount === '' || parseMoney(amount, currency).ok === false || amount === minorToInput(0, currency))) setAmount(minorToInput(disputed, currency));
    else if (value === 'PARTIAL_CREDIT' && amount === minorToInput(0, currency)) setAmount('');
  };

  const submit = (e: Event) => {
    e.preventDefault();
    const found: Record<string, string[]> = {};
    if (!OVERRIDE_OUTCOMES.includes(outcome as (typeof OVERRIDE_OUTCOMES)[number])) found.outcome = ['choose an outcome'];
    const parsed = parseMoney(amount, currency);
    if (!parsed.ok) found.amount = [parsed.reason];
    else if (parsed.value > disputed) found.amount = [`must not exceed the disputed ${formatMoney(disputed, currency)}`];
    else if (outcome === 'DENY' && parsed.value !== 0) found.amount = ['DENY credits nothing: enter 0'];
    else if ((outcome === 'CREDIT' || outcome === 'PARTIAL_CREDIT') && parsed.value === 0) found.amount = [`${humanize(outcome)} credits something: enter an amount above 0`];
    const text = reason.trim();
    if (!text) found.reason = ['an override needs a reason'];
    else if (text.length > MAX_TEXT) found.reason = [`at most ${MAX_TEXT} characters`];
    setChecks(found);
    if (Object.keys(found).length > 0 || !parsed.ok) return;
    void send('decision', { action: 'OVERRIDE', outcome, creditAmount: { amountMinor: parsed.value, currency }, reason: text });
  };

  const digits = fractionDigits(currency);
  return (
    <details class="action" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary data-testid="override-toggle">Override with another outcome…</summary>
      <form ref={firstInvalid} onSubmit={submit} noValidate aria-label="Override the recommendation" data-testid="override-form">
        <FormProblem error={error} unclaimed={unclaimedErrors(error, ['outcome', 'creditAmount', 'reason'])} />
        <Field label="Outcome" errors={[...(checks.outcome ?? []), ...errorsFor(error, 'outcome')]}>
          {(p) => (
            <select {...p} name="outcome" value={outcome} onChange={(e) => chooseOutcome(e.currentTarget.value)}>
              <option value="">Choose…</option>
              {OVERRIDE_OUTCOMES.map((o) => (
                <option value={o} key={o}>
                  {humanize(o)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label={`Credit (${currency})`}
          hint={`In ${currency}${digits > 0 ? ` with up to ${digits} decimals` : ', whole units'}; at most the disputed ${formatMoney(disputed, currency)}.`}
          errors={[...(checks.amount ?? []), ...errorsFor(error, 'creditAmount')]}
        >
          {(p) => <input {...p} name="amount" type="text" inputMode="decimal" autoComplete="off" value={amount} onInput={(e) => setAmount(e.currentTarget.value)} placeholder={minorToInput(0, currency)} />}
        </Field>
        <Field label="Reason" hint="Recorded with the decision and shown in the audit's reviewer consistency." errors={[...(checks.reason ?? []), ...errorsFor(error, 'reason')]}>
          {(p) => <textarea {...p} name="reason" rows={3} value={reason} maxLength={MAX_TEXT} onInput={(e) => setReason(e.currentTarget.value)} />}
        </Field>
        <button type="submit" disabled={busy} data-testid="override-submit">
          {busy ? 'Overriding…' : 'Override'}
        </button>
      </form>
    </details>
  );
}

function ReinvestigateForm({ dispute, onChange }: { dispute: Dispute; onChange: (d: Dispute) => void }) {
  const { busy, error, send } = useSubmit(dispute, onChange);
  return (
    <form
      class="action"
      onSubmit={(e) => {
        e.preventDefault();
        void send('reinvestigate');
      }}
    >
      <FormProblem error={error} unclaimed={error?.errors ?? []} />
      <p class="small">Late call records? Send the dispute back to the investigator; the history keeps every recommendation.</p>
      <button type="submit" class="secondary" disabled={busy}>
        {busy ? 'Sending…' : 'Re-investigate'}
      </button>
    </form>
  );
}
