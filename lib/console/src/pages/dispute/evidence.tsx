// The evidence drawn for one destination: its connect rate against its baseline, its time-to-answer histogram,
// window and baseline statistics, and the account's own attempts.
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, asApiError } from '../../api';
import { ConnectChart, TtaChart, histogramOf } from '../../charts';
import { Section, Status, TableScroll } from '../../components';
import { count, dateTimeAt, offsetLabel, pct, ratioText, seconds } from '../../format';
import { href } from '../../router';
import { hasRole, useApp } from '../../state';
import type { CallAssessment, DestinationRecord, NumberStats } from '../../types';

export function DestinationEvidence({ dest, calls, offset }: { dest: DestinationRecord; calls: CallAssessment[]; offset: string }) {
  const { api, session } = useApp();
  const [granularity, setGranularity] = useState<'hour' | 'day'>('hour');
  const canReadStats = hasRole(session, 'reviewer', 'auditor');
  const from = dest.baseline.from;
  const to = dest.window.to;
  const key = canReadStats ? `${dest.calledNumber}|${from}|${to}|${granularity}` : null;
  const [stats, setStats] = useState<{ key: string; data?: NumberStats; error?: ApiError }>({ key: '' });
  useEffect(() => {
    if (!key) return;
    const controller = new AbortController();
    const q = new URLSearchParams({ from, to, granularity });
    api.get<NumberStats>(`/v1/numbers/${encodeURIComponent(dest.calledNumber)}/stats?${q.toString()}`, { signal: controller.signal }).then(
      (data) => setStats({ key, data }),
      (error: unknown) => !controller.signal.aborted && setStats({ key, error: asApiError(error) }),
    );
    return () => controller.abort();
  }, [key]);
  const current = stats.key === key ? stats : { key: '' };
  const answeredTta = calls.filter((c) => c.answered && c.ttaSeconds !== null).map((c) => c.ttaSeconds!);
  const a = dest.accountAttempts;
  const row = (label: string, pick: (s: DestinationRecord['window']) => string) => (
    <tr>
      <th scope="row">{label}</th>
      <td>{pick(dest.window)}</td>
      <td>{pick(dest.baseline)}</td>
    </tr>
  );

  return (
    <Section
      title={`Evidence: ${dest.calledNumber}`}
      actions={
        canReadStats && (
          <a class="button-link secondary" href={href(['numbers', dest.calledNumber], { from, to, granularity })}>
            Open number statistics
          </a>
        )
      }
    >
      {!canReadStats && <p class="note">The hourly connect statistics need the reviewer or auditor role.</p>}
      {canReadStats && (
        <div class="connect">
          <fieldset class="segmented">
            <legend>Statistics per</legend>
            {(['hour', 'day'] as const).map((g) => (
              <label key={g}>
                <input type="radio" name={`granularity-${dest.calledNumber}`} value={g} checked={granularity === g} onChange={() => setGranularity(g)} />
                {g}
              </label>
            ))}
          </fieldset>
          {current.data ? (
            <ConnectChart
              stats={current.data}
              offset={offset}
              window={dest.window}
              calls={calls.map((c) => ({ at: c.startedAt, answered: c.answered, callId: c.callId }))}
              caption={`Connect rate per ${granularity}: the 7-day baseline and the disputed window, 95% Wilson intervals as bands, the ${calls.length} disputed calls marked`}
            />
          ) : (
            <Status loading={!current.error} error={current.error} what="connect statistics" />
          )}
        </div>
      )}
      <div class="grid two">
        <TtaChart
          caption="Time to answer: share of answered calls per bin"
          series={[
            { label: 'Destination, window', histogram: dest.window.ttaHistogram },
            { label: 'Destination, baseline', histogram: dest.baseline.ttaHistogram },
            { label: 'These disputed calls', histogram: histogramOf(answeredTta) },
          ]}
        />
        <div>
          <TableScroll label="Window and baseline statistics">
            <table class="compact">
              <caption>All callers to {dest.calledNumber}</caption>
              <thead>
                <tr>
                  <th scope="col">Measure</th>
                  <th scope="col">Disputed window</th>
                  <th scope="col">7-day baseline</th>
                </tr>
              </thead>
              <tbody>
                {row('Period', (s) => `${dateTimeAt(s.from, offset, false)} – ${dateTimeAt(s.to, offset, false)}`)}
                {row('Attempts', (s) => count(s.attempts))}
                {row('Answered', (s) => count(s.answered))}
                {row('ASR (answered / attempts)', (s) => ratioText(s.asr))}
                {row('NER (reached the far end)', (s) => ratioText(s.ner))}
                {row('Short calls (<6 s talk)', (s) => ratioText(s.scr))}
                {row('Average call', (s) => seconds(s.acdSeconds))}
              </tbody>
            </table>
          </TableScroll>
          <div class="attempts-block">
            <h3>The account's own attempts</h3>
            <dl class="facts attempts" data-testid="account-attempts">
              <dt>Attempts</dt>
              <dd>{count(a.total)}</dd>
              <dt>Answered</dt>
              <dd>{count(a.answered)}</dd>
              <dt>Charged</dt>
              <dd>{count(a.charged)}</dd>
              <dt>Uncharged</dt>
              <dd>{count(a.uncharged)}</dd>
              <dt>Not answered</dt>
              <dd>
                {count(a.failed)} ({a.failedCharged === 0 ? 'none charged' : `${count(a.failedCharged)} charged`})
              </dd>
            </dl>
            <p class="hint">
              Times are shown at {offsetLabel(offset)}, the offset the dispute was opened with. Answered within 1–6 s on the destination: {pct(share(dest.window.ttaHistogram, ['[1,3)', '[3,6)']))} of its answered calls in the window.
            </p>
          </div>
        </div>
      </div>
    </Section>
  );
}

const share = (h: Record<string, number>, bins: string[]) => {
  const total = Object.values(h).reduce((s, n) => s + n, 0);
  return total ? bins.reduce((s, b) => s + (h[b] ?? 0), 0) / total : null;
};
