// `disputes open`: opens a dispute as the ticket tool would.
import { CLAIMS, type Dispute } from '../../domain/disputes/dispute';
import { ValidationError } from '../../domain/errors';
import { defineCommand } from '../command';
import { api } from '../local-stack';
import { calledNumber, noArguments, oneOf, period, without } from '../validate';

/** Opens a dispute over a number and window, or over named calls, and says how to look at it. */
export const open = defineCommand({
  options: {
    account: { type: 'string' },
    claim: { type: 'string' },
    number: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    calls: { type: 'string' },
    ticket: { type: 'string' },
    statement: { type: 'string' },
  },
  check({ values, positionals }) {
    noArguments('open', positionals);
    if (!values.account) throw new ValidationError('account', 'open needs --account A, the account the customer bills to');
    if (values.claim === undefined) throw new ValidationError('claim', `open needs --claim ${CLAIMS.join('|')}`);
    oneOf('claim', values.claim, CLAIMS);
    if (values.calls !== undefined) {
      without(values, ['number', 'from', 'to'], '--calls (a dispute is over named calls or over a number and window)');
      if (values.calls.split(',').some((id) => id.trim() === '')) throw new ValidationError('calls', `--calls takes call ids separated by commas, e.g. --calls c-1,c-2 (got "${values.calls}")`);
      return;
    }
    const missing = (['number', 'from', 'to'] as const).filter((o) => values[o] === undefined);
    if (missing.length > 0) throw new ValidationError(missing[0]!, `open needs ${missing.map((o) => `--${o}`).join(', ')} (a number and window: --number +E164 --from ISO --to ISO), or --calls ID,ID…`);
    calledNumber('number', values.number!);
    period(values.from, values.to);
  },
  async run({ values, stack }) {
    const body = {
      accountId: values.account,
      claim: values.claim,
      ticketId: values.ticket ?? `CLI-${Date.now()}`,
      customerStatement: values.statement,
      ...(values.calls ? { callIds: values.calls.split(',').map((id) => id.trim()) } : { calledNumber: calledNumber('number', values.number!), from: values.from, to: values.to }),
    };
    const dispute = await api<Dispute>(stack, 'ticketing', 'POST', '/v1/disputes', body);
    console.log(`opened ${dispute.disputeId} (${dispute.status}); see it with: npx disputes show ${dispute.disputeId}`);
    return 0;
  },
});
