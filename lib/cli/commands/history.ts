// `disputes history ACCOUNT`: every dispute of one account.
import type { Dispute } from '../../domain/disputes/dispute';
import { defineCommand } from '../command';
import { money, printJson } from '../format';
import { api } from '../local-stack';
import { oneArgument } from '../validate';

/** Lists an account's disputes oldest first with recommendation and decision, as lines or as the API's JSON. */
export const history = defineCommand({
  options: { json: { type: 'boolean' } },
  check: ({ positionals }) => void oneArgument('history', 'ACCOUNT', positionals),
  async run({ values, positionals, stack }) {
    const account = positionals[0]!;
    const body = await api<{ accountId: string; items: Dispute[] }>(stack, 'reviewer', 'GET', `/v1/accounts/${encodeURIComponent(account)}/disputes`);
    if (values.json) {
      printJson(body);
      return 0;
    }
    const { items } = body;
    console.log(`${items.length} dispute(s) for account ${account}, oldest first`);
    for (const d of items) {
      const rec = d.recommendation;
      const decided = d.decision ? `decided ${d.decision.outcome} ${money(d.decision.creditAmount)} by ${d.decision.reviewer}` : '';
      console.log(`${d.openedAt.slice(0, 16)}  ${d.disputeId}  ${d.claim.padEnd(15)} ${d.origin.padEnd(6)} ${d.status.padEnd(13)} ${rec ? `recommended ${rec.outcome} ${money(rec.creditAmount)}` : ''}  ${decided}`);
    }
    return 0;
  },
});
