// `disputes decide DISPUTE_ID`: a reviewer accepts the recommendation, overrides it, or grants goodwill.
import type { Money } from '../../domain/cdr';
import { DECISION_OUTCOMES, type Dispute } from '../../domain/disputes/dispute';
import { ValidationError } from '../../domain/errors';
import { parseMoney } from '../../domain/investigation/explain';
import { defineCommand } from '../command';
import { money, signedMoney } from '../format';
import { api, asOptions } from '../local-stack';
import { amount, oneArgument, oneOf, without } from '../validate';

/** The decision request; the API validates the amount against the dispute and goodwill eligibility. */
type DecisionBody =
  | { action: 'ACCEPT'; note?: string }
  | { action: 'OVERRIDE'; outcome: string; creditAmount: Money; reason: string }
  | { action: 'GOODWILL'; reason: string; creditAmount?: Money };

/** Records the decision as the reviewer token's user and prints how it differs from the recommendation. */
export const decide = defineCommand({
  options: {
    accept: { type: 'boolean' },
    override: { type: 'boolean' },
    goodwill: { type: 'boolean' },
    note: { type: 'string' },
    outcome: { type: 'string' },
    credit: { type: 'string' },
    reason: { type: 'string' },
  },
  check({ values, positionals }) {
    oneArgument('decide', 'DISPUTE_ID', positionals);
    const actions = (['accept', 'override', 'goodwill'] as const).filter((a) => values[a]);
    if (actions.length !== 1) throw new ValidationError('accept', `decide needs exactly one of --accept, --override or --goodwill${actions.length > 1 ? ` (got ${actions.map((a) => `--${a}`).join(' and ')})` : ''}`);
    const blank = (o: 'reason' | 'note') => values[o] !== undefined && values[o].trim() === '';
    if (blank('reason') || blank('note')) throw new ValidationError(blank('reason') ? 'reason' : 'note', `--${blank('reason') ? 'reason' : 'note'} needs a text`);
    if (values.accept) without(values, ['outcome', 'credit', 'reason'], '--accept, which takes the recommendation as it is (--note TEXT for a note; --override to change outcome or credit)');
    if (values.override) {
      without(values, ['note'], '--override (give why with --reason TEXT)');
      const missing = [values.outcome === undefined && `--outcome ${DECISION_OUTCOMES.join('|')}`, values.credit === undefined && '--credit AMOUNT (0 for DENY)', values.reason === undefined && '--reason TEXT (why, kept in the history)'].filter(Boolean);
      if (missing.length > 0) throw new ValidationError(values.outcome === undefined ? 'outcome' : values.credit === undefined ? 'credit' : 'reason', `--override needs ${missing.join(', ')}`);
      oneOf('outcome', values.outcome!, DECISION_OUTCOMES);
      amount('credit', values.credit!);
    }
    if (values.goodwill) {
      without(values, ['outcome', 'note'], '--goodwill, which keeps the recommended outcome (give why with --reason TEXT)');
      if (values.reason === undefined) throw new ValidationError('reason', '--goodwill needs --reason TEXT (why the goodwill credit is granted)');
      if (values.credit !== undefined) amount('credit', values.credit);
    }
  },
  async run({ values, positionals, stack }) {
    const id = positionals[0]!;
    let body: DecisionBody = { action: 'ACCEPT', ...(values.note ? { note: values.note } : {}) };
    if (values.credit !== undefined) {
      // The credit is typed in the disputed calls' currency, which only the dispute knows.
      const dispute = await api<Dispute>(stack, 'reviewer', 'GET', `/v1/disputes/${encodeURIComponent(id)}`);
      const currency = dispute.recommendation?.disputedAmount.currency ?? 'USD';
      let amountMinor: number;
      try {
        amountMinor = parseMoney(values.credit, currency);
      } catch (error) {
        throw new ValidationError('credit', `--credit ${(error as Error).message}`, { cause: error });
      }
      const creditAmount = { amountMinor, currency };
      body = values.override ? { action: 'OVERRIDE', outcome: values.outcome!, creditAmount, reason: values.reason! } : { action: 'GOODWILL', reason: values.reason!, creditAmount };
    } else if (values.goodwill) {
      // The amount is the recommendation's goodwill suggestion; the API refuses goodwill where none is offered.
      body = { action: 'GOODWILL', reason: values.reason! };
    }
    const action = values.accept ? '--accept' : values.override ? '--override' : '--goodwill';
    const decided = await api<Dispute>(stack, 'reviewer', 'POST', `/v1/disputes/${encodeURIComponent(id)}/decision`, body).catch((error: unknown) => {
      throw asOptions(error, { 'body.creditAmount.amountMinor': '--credit', 'body.creditAmount.currency': '--credit', 'body.outcome': '--outcome', 'body.reason': '--reason', 'body.note': '--note', 'body.action': action });
    });
    const d = decided.decision!;
    const what = d.action === 'GOODWILL' ? `granted goodwill ${money(d.creditAmount)} (${d.outcome} stands)` : `${d.action === 'ACCEPT' ? 'accepted' : 'overrode with'} ${d.outcome} ${money(d.creditAmount)}`;
    console.log(`${decided.disputeId} DECIDED: ${what} by ${d.reviewer}`);
    if (d.difference.outcomeChanged || d.difference.creditDeltaMinor !== 0) {
      const outcome = d.difference.outcomeChanged ? `outcome ${decided.recommendation?.outcome ?? '?'} → ${d.outcome}, ` : '';
      console.log(`  differs from the recommendation: ${outcome}credit ${signedMoney(d.difference.creditDeltaMinor, d.creditAmount.currency)}`);
    }
    return 0;
  },
});
