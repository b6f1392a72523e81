// `disputes queue`: the review queue, oldest first.
import { DISPUTE_STATUSES, type Dispute } from '../../domain/disputes/dispute';
import { defineCommand } from '../command';
import { ageOf, money, printJson } from '../format';
import { api } from '../local-stack';
import { noArguments, oneOf, wholeNumber } from '../validate';

interface DisputePage {
  items: Dispute[];
  cursor?: string;
}

/** Lists one page of disputes in a status (or every page with --all), as lines or as the API's JSON. */
export const queue = defineCommand({
  options: {
    status: { type: 'string' },
    account: { type: 'string' },
    limit: { type: 'string' },
    all: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  check({ values, positionals }) {
    noArguments('queue', positionals);
    if (values.status !== undefined) oneOf('status', values.status, DISPUTE_STATUSES);
    if (values.limit !== undefined) wholeNumber('limit', values.limit, 1, 100);
  },
  async run({ values, stack }) {
    const params = new URLSearchParams({ status: values.status ?? 'RECOMMENDED', limit: values.limit ?? '25', ...(values.account ? { accountId: values.account } : {}) });
    const items: Dispute[] = [];
    let page: DisputePage;
    let cursor: string | undefined;
    do {
      page = await api<DisputePage>(stack, 'reviewer', 'GET', `/v1/disputes?${params}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...page.items);
      cursor = values.all ? page.cursor : undefined;
    } while (cursor);
    if (values.json) {
      // One page is the API's answer as it came; --all joins the pages into one list without a cursor.
      printJson(values.all ? { items } : page);
      return 0;
    }
    if (!values.all && page.cursor) console.error(`(more: --all, or --limit above ${values.limit ?? 25})`);
    console.log(`${items.length} ${params.get('status')} dispute(s), oldest first`);
    for (const d of items) {
      const rec = d.recommendation;
      console.log(`${d.disputeId}  ${ageOf(d.openedAt).padStart(4)}  ${d.accountId.padEnd(12)} ${d.claim.padEnd(15)} ${d.origin.padEnd(6)} ${rec ? `${rec.outcome.padEnd(14)} credit ${money(rec.creditAmount)} of ${money(rec.disputedAmount)}` : ''}`);
    }
    return 0;
  },
});
