// One dispute: the recommendation and its reasons, goodwill beside the outcome, the evidence drawn (the
// destination's connect rate per hour against its baseline, its time-to-answer histogram), every disputed call, the
// account's history, the dispute's own history, and the reviewer's actions.
import { useEffect, useState } from 'preact/hooks';
import { Section, Status, StatusBadge } from '../../components';
import { humanize, shortId } from '../../format';
import { href } from '../../router';
import { hasRole, useApp } from '../../state';
import type { DestinationRecord, Dispute } from '../../types';
import { DecisionPanel, DecisionSummary } from '../decision';
import { AccountHistory } from './account-history';
import { CallsTable } from './calls';
import { DestinationEvidence } from './evidence';
import { DisputeHistory } from './history';
import { useDispute } from './load';
import { Reasons, Recommendation } from './summary';

export function DisputePage({ id }: { id: string }) {
  const { api, session } = useApp();
  const [dispute, setDispute] = useState<Dispute | undefined>();
  const resource = useDispute(id, api, setDispute);
  const d = dispute?.disputeId === id ? dispute : undefined;

  // A dispute on its way to a recommendation is polled until it gets one.
  useEffect(() => {
    if (!d || (d.status !== 'RECEIVED' && d.status !== 'INVESTIGATING')) return;
    const timer = setTimeout(resource.reload, 2000);
    return () => clearTimeout(timer);
  }, [d]);

  if (!d) return <Status loading={resource.loading} error={resource.error} what="dispute" />;
  const rec = d.recommendation;
  const offset = d.displayOffset;
  const destinations = ((rec?.evidence.destinations ?? []) as DestinationRecord[]).filter((x) => x && typeof x.calledNumber === 'string');

  return (
    <>
      <nav class="breadcrumbs" aria-label="Breadcrumbs">
        {hasRole(session, 'reviewer', 'auditor') ? <a href={href(['queue'])}>Review queue</a> : <a href={href(['find'])}>Find</a>} <span aria-hidden="true">›</span> <span>Dispute {shortId(d.disputeId)}</span>
      </nav>
      <h1>
        Dispute <span class="mono">{d.disputeId}</span>
      </h1>
      <p class="subtitle">
        <StatusBadge status={d.status} /> {humanize(d.claim)} · account <a href={href(['accounts', d.accountId])}>{d.accountId}</a> · {d.origin === 'TICKET' ? `ticket ${d.ticketId}` : `opened by the audit (${d.ticketId})`}
      </p>
      {resource.error && <Status loading={false} error={resource.error} what="dispute" />}

      <div class="grid two">
        <Recommendation dispute={d} />

        <Section title={d.decision ? 'Decision' : 'Decide'}>
          {d.decision ? <DecisionSummary decision={d.decision} /> : <DecisionPanel dispute={d} onChange={setDispute} />}
        </Section>
      </div>

      {rec && <Reasons reasons={rec.reasons} />}

      {rec &&
        destinations.map((dest) => (
          <DestinationEvidence key={dest.calledNumber} dest={dest} calls={rec.calls.filter((c) => c.calledNumber === dest.calledNumber)} offset={offset} />
        ))}

      {rec && rec.calls.length > 0 && <CallsTable calls={rec.calls} offset={offset} />}

      <AccountHistory accountId={d.accountId} current={d.disputeId} />

      <DisputeHistory history={d.history} />
    </>
  );
}
