// The account's disputes beside the one open (also the account page's list).
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, asApiError } from '../../api';
import { MoneyText, OutcomeBadge, Section, Status, StatusBadge, TableScroll } from '../../components';
import { dateTimeAt, humanize, shortId } from '../../format';
import { href } from '../../router';
import { useApp } from '../../state';
import type { Dispute } from '../../types';

export function AccountHistory({ accountId, current }: { accountId: string; current: string }) {
  const { api } = useApp();
  const [state, setState] = useState<{ items?: Dispute[]; error?: ApiError }>({});
  useEffect(() => {
    const controller = new AbortController();
    setState({});
    api.get<{ items: Dispute[] }>(`/v1/accounts/${encodeURIComponent(accountId)}/disputes`, { signal: controller.signal }).then(
      (r) => setState({ items: r.items }),
      (error: unknown) => !controller.signal.aborted && setState({ error: asApiError(error) }),
    );
    return () => controller.abort();
  }, [accountId, current]);
  return (
    <Section title={`Dispute history of ${accountId}`}>
      {state.items ? <DisputeList items={state.items} current={current} /> : <Status loading={!state.error} error={state.error} what="account history" />}
    </Section>
  );
}

/** An account's disputes, oldest first, with outcome and credit (decided if decided, else recommended). */
export function DisputeList({ items, current }: { items: Dispute[]; current?: string }) {
  if (items.length === 0) return <p class="empty">No disputes.</p>;
  return (
    <TableScroll label="Account disputes">
      <table class="compact" data-testid="account-history">
        <thead>
          <tr>
            <th scope="col">Dispute</th>
            <th scope="col">Opened (UTC)</th>
            <th scope="col">Claim</th>
            <th scope="col">Status</th>
            <th scope="col">Outcome</th>
            <th scope="col" class="num">
              Disputed
            </th>
            <th scope="col" class="num">
              Credit
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((x) => (
            <tr key={x.disputeId} aria-current={x.disputeId === current ? 'page' : undefined}>
              <td>
                {x.disputeId === current ? (
                  <span title={x.disputeId}>{shortId(x.disputeId)} (this one)</span>
                ) : (
                  <a href={href(['disputes', x.disputeId])} title={x.disputeId}>
                    {shortId(x.disputeId)}
                  </a>
                )}
              </td>
              <td>{dateTimeAt(x.openedAt, '+00:00', false)}</td>
              <td>{humanize(x.claim)}</td>
              <td>
                <StatusBadge status={x.status} />
              </td>
              <td>
                <OutcomeBadge outcome={x.decision?.outcome ?? x.recommendation?.outcome} />
                {x.decision && <span class="muted small"> {x.decision.action === 'ACCEPT' ? 'accepted' : x.decision.action === 'OVERRIDE' ? 'overridden' : 'goodwill'}</span>}
              </td>
              <td class="num">
                <MoneyText money={x.recommendation?.disputedAmount} />
              </td>
              <td class="num">
                <MoneyText money={x.decision?.creditAmount ?? x.recommendation?.creditAmount} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
