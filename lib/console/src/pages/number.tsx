// Connect statistics of any stored number over a chosen period, per hour or per day: the same two charts as the
// dispute page and the totals with their intervals.
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, asApiError, errorsFor } from '../api';
import { ConnectChart, TtaChart } from '../charts';
import { Field, ProblemBox, Section, Status, TableScroll } from '../components';
import { count, offsetLabel, offsetOf, ratioText, seconds } from '../format';
import { href, navigate, type Route } from '../router';
import { useApp } from '../state';
import type { NumberStats } from '../types';

const E164 = /^\+[1-9]\d{7,14}$/;
const MAX_DAYS = 93;
const DAY_MS = 86_400_000;

/** ISO instant → the value of a datetime-local input, in UTC. */
const toInput = (iso: string) => new Date(iso).toISOString().slice(0, 16);
/** A datetime-local value, read as UTC → ISO. */
const fromInput = (value: string) => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? `${value}:00Z` : '');

function defaultRange(): { from: string; to: string } {
  const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
  return { from: new Date(to.getTime() - 7 * DAY_MS).toISOString(), to: to.toISOString() };
}

export function NumberPage({ route }: { route: Route }) {
  const { api } = useApp();
  const number = route.parts[1] ?? '';
  const fallback = defaultRange();
  const from = route.query.get('from') ?? fallback.from;
  const to = route.query.get('to') ?? fallback.to;
  const granularity = route.query.get('granularity') === 'day' ? 'day' : 'hour';
  const offset = offsetOf(from);

  const [draft, setDraft] = useState({ number, from: toInput(from), to: toInput(to), granularity });
  const [checks, setChecks] = useState<Record<string, string[]>>({});
  const [state, setState] = useState<{ key: string; data?: NumberStats; error?: ApiError }>({ key: '' });
  const key = number ? `${number}|${from}|${to}|${granularity}` : '';

  useEffect(() => setDraft({ number, from: toInput(from), to: toInput(to), granularity }), [key]);
  useEffect(() => {
    if (!key) return;
    const controller = new AbortController();
    const q = new URLSearchParams({ from, to, granularity });
    api.get<NumberStats>(`/v1/numbers/${encodeURIComponent(number)}/stats?${q.toString()}`, { signal: controller.signal }).then(
      (data) => setState({ key, data }),
      (error: unknown) => !controller.signal.aborted && setState({ key, error: asApiError(error) }),
    );
    return () => controller.abort();
  }, [key]);
  const current = state.key === key ? state : { key };

  const submit = (e: Event) => {
    e.preventDefault();
    const found: Record<string, string[]> = {};
    const n = draft.number.replace(/[\s().-]/g, '');
    if (!E164.test(n)) found.number = ['enter an E.164 number: + and 8–15 digits, e.g. +16145550123'];
    const f = fromInput(draft.from);
    const t = fromInput(draft.to);
    if (!f) found.from = ['enter a date and time'];
    if (!t) found.to = ['enter a date and time'];
    if (f && t && Date.parse(t) <= Date.parse(f)) found.to = ['must be after from'];
    else if (f && t && Date.parse(t) - Date.parse(f) > MAX_DAYS * DAY_MS) found.to = [`the period must not exceed ${MAX_DAYS} days`];
    setChecks(found);
    if (Object.keys(found).length > 0) return;
    navigate(href(['numbers', n], { from: f, to: t, granularity: draft.granularity }));
  };

  const data = current.data;
  const apiError = current.error;
  return (
    <>
      <h1>Number statistics</h1>
      <Section title="Number and period">
        <form class="filters" onSubmit={submit} noValidate data-testid="number-form">
          <Field label="Number (E.164)" errors={[...(checks.number ?? []), ...errorsFor(apiError, 'e164')]}>
            {(p) => <input {...p} type="text" inputMode="tel" value={draft.number} onInput={(e) => setDraft({ ...draft, number: e.currentTarget.value })} placeholder="+16145550123" autoComplete="off" />}
          </Field>
          <Field label="From (UTC)" errors={[...(checks.from ?? []), ...errorsFor(apiError, 'from')]}>
            {(p) => <input {...p} type="datetime-local" value={draft.from} onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })} />}
          </Field>
          <Field label="To (UTC)" errors={[...(checks.to ?? []), ...errorsFor(apiError, 'to')]}>
            {(p) => <input {...p} type="datetime-local" value={draft.to} onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })} />}
          </Field>
          <Field label="Per" errors={errorsFor(apiError, 'granularity')}>
            {(p) => (
              <select {...p} value={draft.granularity} onChange={(e) => setDraft({ ...draft, granularity: e.currentTarget.value === 'day' ? 'day' : 'hour' })}>
                <option value="hour">Hour</option>
                <option value="day">Day (UTC)</option>
              </select>
            )}
          </Field>
          <div class="field actions-inline">
            <button type="submit">Show</button>
          </div>
        </form>
      </Section>
      {apiError && <ProblemBox error={apiError} what="statistics" />}
      {number && !data && !apiError && <Status loading error={undefined} what="connect statistics" />}
      {data && (
        <>
          <Section title={`${data.calledNumber}: ${count(data.total.attempts)} attempts`}>
            {data.total.attempts === 0 && <p class="note">No calls to this number are stored in the period.</p>}
            <div class="grid two charts">
              <ConnectChart stats={data} offset={offset} caption={`Connect rate per ${data.granularity}, 95% Wilson intervals as bands (times at ${offsetLabel(offset)})`} />
              <TtaChart caption="Time to answer: share of answered calls per bin" series={[{ label: 'All callers, period', histogram: data.total.ttaHistogram }]} />
            </div>
          </Section>
          <Section title="Totals over the period">
            <TableScroll label="Totals">
              <table class="compact" data-testid="number-totals">
                <tbody>
                  <tr>
                    <th scope="row">Attempts</th>
                    <td>{count(data.total.attempts)}</td>
                  </tr>
                  <tr>
                    <th scope="row">Answered</th>
                    <td>{count(data.total.answered)}</td>
                  </tr>
                  <tr>
                    <th scope="row">User failures (busy, no answer, rejected)</th>
                    <td>{count(data.total.userFailures)}</td>
                  </tr>
                  <tr>
                    <th scope="row">Caller abandons / caller errors</th>
                    <td>
                      {count(data.total.callerAbandons)} / {count(data.total.callerErrors)}
                    </td>
                  </tr>
                  <tr>
                    <th scope="row">Network failures</th>
                    <td>{count(data.total.networkFailures)}</td>
                  </tr>
                  <tr>
                    <th scope="row">ASR</th>
                    <td>{ratioText(data.total.asr)}</td>
                  </tr>
                  <tr>
                    <th scope="row">NER</th>
                    <td>{ratioText(data.total.ner)}</td>
                  </tr>
                  <tr>
                    <th scope="row">Short calls (SCR)</th>
                    <td>{ratioText(data.total.scr)}</td>
                  </tr>
                  <tr>
                    <th scope="row">Average call (ACD)</th>
                    <td>{seconds(data.total.acdSeconds)}</td>
                  </tr>
                </tbody>
              </table>
            </TableScroll>
          </Section>
        </>
      )}
      {!number && <p class="empty">Enter a number to see how it connects.</p>}
    </>
  );
}
