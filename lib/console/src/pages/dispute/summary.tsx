// The recommendation (outcome, credit, goodwill beside it, flags), the dispute's facts, and the reasons.
import { OutcomeBadge, Section } from '../../components';
import { dateTimeAt, formatMoney, humanize, offsetLabel, utc } from '../../format';
import { href } from '../../router';
import { hasRole, useApp } from '../../state';
import type { Dispute } from '../../types';

export function Recommendation({ dispute: d }: { dispute: Dispute }) {
  const { session } = useApp();
  const rec = d.recommendation;
  const offset = d.displayOffset;
  return (
    <Section title="Recommendation">
      {rec ? (
        <div class="summary" data-testid="recommendation">
          <div class="outcome-box">
            <p class="label">Outcome</p>
            <p data-testid="outcome">
              <OutcomeBadge outcome={rec.outcome} large />
            </p>
            <p>
              Credit <strong data-testid="credit">{formatMoney(rec.creditAmount.amountMinor, rec.creditAmount.currency)}</strong> of {formatMoney(rec.disputedAmount.amountMinor, rec.disputedAmount.currency)} disputed
            </p>
          </div>
          <div class={`goodwill-box ${rec.goodwill.eligible ? 'eligible' : ''}`} data-testid="goodwill">
            <p class="label">Goodwill</p>
            {rec.goodwill.eligible ? (
              <>
                <p>
                  <strong>Eligible: {formatMoney(rec.goodwill.amountMinor, rec.disputedAmount.currency)}</strong>
                </p>
                <p class="small">The reviewer's choice, beside the evidence-based outcome; it never changes the outcome.</p>
              </>
            ) : (
              <p>Not eligible</p>
            )}
          </div>
          {rec.flags.length > 0 && (
            <p class="flags">
              {rec.flags.map((f) => (
                <span class="badge warn" key={f}>
                  {humanize(f)}
                </span>
              ))}
            </p>
          )}
          <p class="muted small full">
            Policy {rec.policyVersion}, generated {utc(rec.generatedAt)}
          </p>
        </div>
      ) : (
        <p class="loading" role="status">
          {d.status === 'RECEIVED' || d.status === 'INVESTIGATING' ? 'The investigator is working on it; this page refreshes by itself…' : 'No recommendation.'}
        </p>
      )}
      <dl class="facts">
        <dt>Opened</dt>
        <dd>{utc(d.openedAt)}</dd>
        {d.calledNumber && (
          <>
            <dt>Number</dt>
            <dd>{hasRole(session, 'reviewer', 'auditor') ? <a href={href(['numbers', d.calledNumber])}>{d.calledNumber}</a> : d.calledNumber}</dd>
          </>
        )}
        {d.from && d.to && (
          <>
            <dt>Window ({offsetLabel(offset)})</dt>
            <dd>
              {dateTimeAt(d.from, offset, false)} – {dateTimeAt(d.to, offset, false)}
            </dd>
          </>
        )}
        {d.callIds && (
          <>
            <dt>Calls named</dt>
            <dd>{d.callIds.length}</dd>
          </>
        )}
        {d.customerStatement && (
          <>
            <dt>Customer</dt>
            <dd>
              <q>{d.customerStatement}</q>
            </dd>
          </>
        )}
      </dl>
    </Section>
  );
}

export function Reasons({ reasons }: { reasons: NonNullable<Dispute['recommendation']>['reasons'] }) {
  return (
    <Section title="Reasons">
      <ul class="reasons" data-testid="reasons">
        {reasons.map((r, i) => (
          <li key={`${r.code}-${i}`} data-code={r.code}>
            <span class="code">{humanize(r.code)}</span>
            <span>{r.message}</span>
          </li>
        ))}
      </ul>
    </Section>
  );
}
