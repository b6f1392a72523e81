// Small shared pieces: loading and error states, problem details, badges, form fields with their errors, sortable
// table headers.
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import type { ApiError, FieldError } from './api';
import { formatMoney, humanize } from './format';
import type { Money } from './types';

/** What a page shows while its data loads or when it failed. */
export function Status({ loading, error, what }: { loading: boolean; error: ApiError | undefined; what: string }) {
  if (error) return <ProblemBox error={error} what={what} />;
  if (loading)
    return (
      <p class="loading" role="status">
        Loading {what}…
      </p>
    );
  return null;
}

export function ProblemBox({ error, what }: { error: ApiError; what?: string }) {
  let heading = error.title;
  let text = error.detail;
  if (error.status === 403) {
    heading = 'Your role cannot see this';
    text = `${error.detail || 'The API refused the request.'} Switch to a user with the right role.`;
  } else if (error.status === 404) {
    heading = `${what ? `The ${what}` : 'It'} was not found`;
  } else if (error.status === 0) {
    heading = error.title;
  }
  return (
    <div class="problem" role="alert">
      <p>
        <strong>{heading}</strong>
        {text ? ` — ${text}` : ''}
      </p>
      {error.errors.length > 0 && (
        <ul>
          {error.errors.map((e) => (
            <li key={e.field}>
              <code>{e.field}</code>: {e.reason}
            </li>
          ))}
        </ul>
      )}
      {error.status > 0 && <p class="muted small">Problem type {error.type} (HTTP {error.status})</p>}
    </div>
  );
}

/** Problem errors that no field of a form claims, above the form's fields. */
export function FormProblem({ error, unclaimed }: { error: ApiError | null; unclaimed: FieldError[] }) {
  if (!error) return null;
  return (
    <div class="problem" role="alert">
      <p>
        <strong>{error.title}</strong>
        {error.detail ? ` — ${error.detail}` : ''}
      </p>
      {unclaimed.length > 0 && (
        <ul>
          {unclaimed.map((e) => (
            <li key={e.field}>
              <code>{e.field}</code>: {e.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const OUTCOME_CLASS: Record<string, string> = { CREDIT: 'good', PARTIAL_CREDIT: 'good', DENY: 'bad', ESCALATE: 'warn' };

export function OutcomeBadge({ outcome, large }: { outcome: string | undefined; large?: boolean }) {
  if (!outcome) return <span class="muted">–</span>;
  return <span class={`badge ${OUTCOME_CLASS[outcome] ?? ''} ${large ? 'large' : ''}`}>{outcome.replace('_', ' ')}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status ${status.toLowerCase()}`}>{humanize(status)}</span>;
}

export const MoneyText = ({ money }: { money: Money | undefined }) => (money ? <span class="money">{formatMoney(money.amountMinor, money.currency)}</span> : <span class="muted">–</span>);

/**
 * A labelled form field with its hint and its errors (client-side checks and the API's problem details for the
 * field), tied to the control with aria-describedby and aria-invalid.
 */
export function Field({
  label,
  hint,
  errors,
  children,
}: {
  label: string;
  hint?: ComponentChildren;
  errors: string[];
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: 'true' }) => ComponentChildren;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', errors.length > 0 ? errorId : ''].filter(Boolean).join(' ');
  return (
    <div class={`field ${errors.length > 0 ? 'invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children({ id, ...(describedBy ? { 'aria-describedby': describedBy } : {}), ...(errors.length > 0 ? { 'aria-invalid': 'true' as const } : {}) })}
      {errors.length > 0 && (
        <p class="field-error" id={errorId} data-field-error>
          {errors.join('; ')}
        </p>
      )}
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

export type SortDir = 'ascending' | 'descending';

/** A column header that sorts its table: a button inside the th, aria-sort on the th. */
export function SortHeader({ label, column, sort, onSort, numeric }: { label: string; column: string; sort: { column: string; dir: SortDir }; onSort: (column: string) => void; numeric?: boolean }) {
  const active = sort.column === column;
  return (
    <th scope="col" class={numeric ? 'num' : ''} aria-sort={active ? sort.dir : 'none'}>
      <button type="button" class="sort" onClick={() => onSort(column)}>
        {label}
        <span aria-hidden="true" class="sort-mark">
          {active ? (sort.dir === 'ascending' ? ' ▲' : ' ▼') : ' ↕'}
        </span>
      </button>
    </th>
  );
}

/** A wide table scrolls sideways inside its region on narrow screens; the region is focusable to scroll by keyboard. */
export function TableScroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export function Section({ title, id, children, actions }: { title: string; id?: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const headingId = useId();
  return (
    <section class="card" aria-labelledby={headingId} id={id}>
      <div class="card-head">
        <h2 id={headingId}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** Triggers a download of text built in the browser. */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
