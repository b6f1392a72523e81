// The review queue: disputes in a status, oldest first, paged with the API's cursors. Status and account are
// filtered by the API; outcome and origin by the browser over the pages loaded so far (the API has no such filter).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorsFor } from '../api';
import { Field, MoneyText, OutcomeBadge, ProblemBox, Section, StatusBadge, TableScroll } from '../components';
import { count, dateTimeAt, duration, humanize, plural, shortId, utc } from '../format';
import { href, navigate, type Route } from '../router';
import { useApp } from '../state';
import type { Dispute, DisputePage } from '../types';
import { REVIEW_OVERDUE_HOURS } from '../../../domain/audit/findings';

const STATUSES = ['RECOMMENDED', 'RECEIVED', 'INVESTIGATING', 'DECIDED'] as const;
const OUTCOMES = ['CREDIT', 'PARTIAL_CREDIT', 'DENY', 'ESCALATE'] as const;
const ORIGINS = ['TICKET', 'AUDIT'] as const;
const PAGE_SIZE = 50;

/** When the dispute was last recommended (the audit's REVIEW_OVERDUE reads the same entry). */
export function recommendedAt(d: Pick<Dispute, 'history' | 'recommendation'>): string | undefined {
  const entries = d.history.filter((h) => h.status === 'RECOMMENDED');
  return entries[entries.length - 1]?.at ?? d.recommendation?.generatedAt;
}

/**
 * Waiting since (recommended, else opened), and overdue as the API says it (past the dispute's `dueBy`, undecided);
 * an answer without due dates (an older API) falls back to the audit's 48 h rule.
 */
export function waiting(d: Dispute & { dueBy?: string; overdue?: boolean }, now: number): { since: string; ms: number; overdue: boolean; dueBy?: string } {
  const since = (d.status === 'RECOMMENDED' ? recommendedAt(d) : undefined) ?? d.openedAt;
  const ms = now - Date.parse(since);
  return { since, ms, overdue: d.overdue ?? (d.status === 'RECOMMENDED' && ms > REVIEW_OVERDUE_HOURS * 3_600_000), dueBy: d.dueBy };
}

export function QueuePage({ route }: { route: Route }) {
  const { api } = useApp();
  const status = route.query.get('status') ?? 'RECOMMENDED';
  const account = route.query.get('account') ?? '';
  const outcome = route.query.get('outcome') ?? '';
  const origin = route.query.get('origin') ?? '';
  const [items, setItems] = useState<Dispute[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | undefined>();
  const [now, setNow] = useState(Date.now());
  const [draftAccount, setDraftAccount] = useState(account);
  const [accountError, setAccountError] = useState<string[]>([]);

  const load = async (from: string | undefined, reset: boolean, signal?: AbortSignal) => {
    setLoading(true);
    setError(undefined);
    try {
      const q = new URLSearchParams({ status, limit: String(PAGE_SIZE) });
      if (account) q.set('accountId', account);
      if (from) q.set('cursor', from);
      const page = await api.get<DisputePage>(`/v1/disputes?${q.toString()}`, signal ? { signal } : {});
      setItems((prev) => (reset ? page.items : [...prev, ...page.items]));
      setCursor(page.cursor);
      setNow(Date.now());
    } catch (e) {
      if (signal?.aborted) return;
      setError(e instanceof ApiError ? e : new ApiError(0, 'client', 'The queue could not be read', String(e)));
    } finally {
      if (!signal?.aborted) setLoading(false);
    }
  };

  useEffect(() => {
    setDraftAccount(account);
    setItems([]);
    setCursor(undefined);
    const controller = new AbortController();
    void load(undefined, true, controller.signal);
    return () => controller.abort();
  }, [status, account]);

  const shown = items.filter((d) => (!outcome || d.recommendation?.outcome === outcome) && (!origin || d.origin === origin));
  const overdue = shown.filter((d) => waiting(d, now).overdue).length;
  const byOutcome = OUTCOMES.map((o) => [o, items.filter((d) => d.recommendation?.outcome === o).length] as const).filter(([, n]) => n > 0);
  const clientFiltered = Boolean(outcome || origin);

  const set = (changes: Record<string, string>) => navigate(href(['queue'], { status, account, outcome, origin, ...changes }));
  const apply = (e: Event) => {
    e.preventDefault();
    const value = draftAccount.trim();
    if (value.length > 64) return setAccountError(['an account id has at most 64 characters']);
    setAccountError([]);
    set({ account: value });
  };

  return (
    <>
      <h1>Review queue</h1>
      <Section title="Filters">
        <form class="filters" onSubmit={apply} aria-describedby="filter-note">
          <Field label="Status" errors={errorsFor(error, 'status')}>
            {(p) => (
              <select {...p} value={status} onChange={(e) => set({ status: e.currentTarget.value })}>
                {STATUSES.map((s) => (
                  <option value={s} key={s}>
                    {humanize(s)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Account" errors={[...accountError, ...errorsFor(error, 'accountId')]}>
            {(p) => <input {...p} type="search" value={draftAccount} onInput={(e) => setDraftAccount(e.currentTarget.value)} placeholder="any account" autoComplete="off" spellcheck={false} />}
          </Field>
          <Field label="Outcome" errors={[]}>
            {(p) => (
              <select {...p} value={outcome} onChange={(e) => set({ outcome: e.currentTarget.value })}>
                <option value="">Any</option>
                {OUTCOMES.map((o) => (
                  <option value={o} key={o}>
                    {humanize(o)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Origin" errors={[]}>
            {(p) => (
              <select {...p} value={origin} onChange={(e) => set({ origin: e.currentTarget.value })}>
                <option value="">Any</option>
                {ORIGINS.map((o) => (
                  <option value={o} key={o}>
                    {o === 'TICKET' ? 'Ticket' : 'Audit'}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div class="field actions-inline">
            <button type="submit">Apply</button>
          </div>
        </form>
        <p class="hint" id="filter-note">
          Status and account are filtered by the API. Outcome and origin are filtered here, over the {plural(items.length, 'dispute')} loaded so far; load more pages to look further.
        </p>
      </Section>

      <section class="card" aria-labelledby="queue-heading">
        <div class="card-head">
          <h2 id="queue-heading">
            {humanize(status)} disputes{account ? ` of ${account}` : ''}, oldest first
          </h2>
        </div>
        <p class="counts" role="status" data-testid="queue-counts" hidden={loading && items.length === 0}>
          {count(shown.length)} shown{clientFiltered ? ` of ${count(items.length)} loaded` : ''}
          {cursor ? ' (more to load)' : ''}
          {status === 'RECOMMENDED' && (
            <>
              {' · '}
              <span class={overdue > 0 ? 'overdue-text' : ''}>{count(overdue)} overdue (past their due date)</span>
            </>
          )}
          {byOutcome.length > 0 && ` · ${byOutcome.map(([o, n]) => `${humanize(o)} ${n}`).join(', ')}`}
        </p>
        {error && <ProblemBox error={error} what="queue" />}
        {shown.length > 0 && (
          <TableScroll label="Disputes">
            <table class="queue">
              <thead>
                <tr>
                  <th scope="col">Dispute</th>
                  <th scope="col">{status === 'RECOMMENDED' ? 'Waiting' : 'Age'}</th>
                  <th scope="col">Account</th>
                  <th scope="col">Claim</th>
                  <th scope="col">Origin</th>
                  <th scope="col">Outcome</th>
                  <th scope="col" class="num">
                    Disputed
                  </th>
                  <th scope="col" class="num">
                    Credit
                  </th>
                  <th scope="col">Opened (UTC)</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((d) => {
                  const w = waiting(d, now);
                  return (
                    <tr key={d.disputeId} class={w.overdue ? 'is-overdue' : ''}>
                      <td data-label="Dispute">
                        <a href={href(['disputes', d.disputeId])} title={d.disputeId}>
                          {shortId(d.disputeId)}
                        </a>
                        {d.lease && Date.parse(d.lease.expiresAt) > now && <span class="badge muted-badge">in review: {d.lease.holder}</span>}
                      </td>
                      <td data-label={status === 'RECOMMENDED' ? 'Waiting' : 'Age'} title={`since ${utc(w.since)}${w.dueBy ? `; due by ${utc(w.dueBy)}` : ''}`}>
                        {duration(w.ms)}
                        {w.overdue && <span class="badge bad">Overdue</span>}
                      </td>
                      <td data-label="Account">
                        <a href={href(['accounts', d.accountId])}>{d.accountId}</a>
                      </td>
                      <td data-label="Claim">{humanize(d.claim)}</td>
                      <td data-label="Origin">{d.origin === 'TICKET' ? 'Ticket' : 'Audit'}</td>
                      <td data-label="Outcome">{d.recommendation ? <OutcomeBadge outcome={d.recommendation.outcome} /> : <StatusBadge status={d.status} />}</td>
                      <td class="num" data-label="Disputed">
                        <MoneyText money={d.recommendation?.disputedAmount} />
                      </td>
                      <td class="num" data-label="Credit">
                        <MoneyText money={d.decision?.creditAmount ?? d.recommendation?.creditAmount} />
                      </td>
                      <td data-label="Opened (UTC)">{dateTimeAt(d.openedAt, '+00:00', false)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
        )}
        {!loading && !error && shown.length === 0 && <p class="empty">{items.length === 0 ? 'Nothing in this queue.' : 'No loaded dispute matches the outcome and origin filters.'}</p>}
        {loading && (
          <p class="loading" role="status">
            Loading disputes…
          </p>
        )}
        {cursor && !loading && (
          <p>
            <button type="button" class="secondary" onClick={() => void load(cursor, false)}>
              Load {PAGE_SIZE} more
            </button>
          </p>
        )}
      </section>
    </>
  );
}
