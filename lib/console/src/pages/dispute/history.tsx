// The dispute's own history: every transition, append-only, oldest first.
import { Section, StatusBadge } from '../../components';
import { formatMoney, humanize, utc } from '../../format';
import type { Dispute } from '../../types';

export function DisputeHistory({ history }: { history: Dispute['history'] }) {
  return (
    <Section title="History">
      <ol class="history" data-testid="history">
        {history.map((h, i) => (
          <li key={i}>
            <span class="when">{utc(h.at)}</span> <StatusBadge status={h.status} /> <span class="by">{h.by}</span>: {h.note}
            {h.recommendation && (
              <span class="muted">
                {' '}
                — {humanize(h.recommendation.outcome)}, credit {formatMoney(h.recommendation.creditAmount.amountMinor, h.recommendation.creditAmount.currency)}
              </span>
            )}
            {h.decision && (
              <span class="muted">
                {' '}
                — {humanize(h.decision.action)} {humanize(h.decision.outcome)}, credit {formatMoney(h.decision.creditAmount.amountMinor, h.decision.creditAmount.currency)}
                {h.decision.reason ? `: “${h.decision.reason}”` : ''}
              </span>
            )}
          </li>
        ))}
      </ol>
      <p class="hint">Append-only: every transition is kept, oldest first.</p>
    </Section>
  );
}
