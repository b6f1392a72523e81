// `disputes show DISPUTE_ID`: one dispute for a reviewer, with the evidence call by call.
import type { CallAssessment, Dispute } from '../../domain/disputes/dispute';
import { formatMoney, formatNumber } from '../../domain/investigation/explain';
import { defineCommand } from '../command';
import { dateTimeAt, fit, humanize, money, offsetLabel, printJson, seconds, table } from '../format';
import { api } from '../local-stack';
import { oneArgument } from '../validate';

/** The per-call evidence, with the console's columns and words; times at the dispute's offset. */
export function callsTable(calls: CallAssessment[], offset: string): string[] {
  const rows = [...calls]
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
    .map((c) => [
      dateTimeAt(c.startedAt, offset),
      c.answered ? 'Yes' : 'No',
      seconds(c.ttaSeconds, 2),
      seconds(c.talkSeconds),
      `${c.billedSeconds} s`,
      `${c.expectedBilledSeconds} s`,
      money(c.charge),
      c.verdict,
      formatMoney(c.creditMinor, c.charge.currency),
      c.reasons.map(humanize).join(', '),
    ]);
  const right = 'right' as const;
  return table(
    [
      { header: `Started (${offsetLabel(offset)})` },
      { header: 'Answered' },
      { header: 'To answer', align: right },
      { header: 'Talk', align: right },
      { header: 'Billed', align: right },
      { header: 'Expected', align: right },
      { header: 'Charge', align: right },
      { header: 'Verdict' },
      { header: 'Credit', align: right },
      { header: 'Reasons' },
    ],
    rows,
    '    ',
  );
}

/** The dispute as a reviewer reads it: facts, outcome and credit, the reasons, every call, then the history. */
export function printDispute(d: Dispute, now = Date.now()): void {
  const offset = d.displayOffset;
  // Every line fits 120 columns; a longer one goes on below its first words.
  const say = (line: string, hang = 2) => console.log(fit(line, hang));
  say(`${d.disputeId}  ${d.status}  ${d.claim}  account ${d.accountId}`);
  say(`  ticket ${d.ticketId}, opened ${dateTimeAt(d.openedAt, offset, false)} ${offsetLabel(offset)} by ${d.origin === 'AUDIT' ? 'the audit' : 'the ticket tool'}`);
  const scope = d.callIds ? `calls ${d.callIds.join(', ')}` : `${formatNumber(d.calledNumber)} from ${dateTimeAt(d.from!, offset, false)} to ${dateTimeAt(d.to!, offset, false)} (${offsetLabel(offset)})`;
  say(`  scope: ${scope}`);
  if (d.customerStatement) say(`  customer: "${d.customerStatement}"`);
  const rec = d.recommendation;
  if (!rec) {
    say(d.status === 'DECIDED' ? '  no recommendation' : '  the investigator is working on it: run this again in a few seconds');
  } else {
    say(`  recommendation: ${rec.outcome}, credit ${money(rec.creditAmount)} of ${money(rec.disputedAmount)} disputed (policy ${rec.policyVersion}, generated ${dateTimeAt(rec.generatedAt, offset, false)} ${offsetLabel(offset)})`);
    const goodwill = rec.goodwill.eligible ? `eligible, ${formatMoney(rec.goodwill.amountMinor, rec.disputedAmount.currency)} (the reviewer's choice beside the outcome: decide --goodwill)` : 'not eligible';
    say(`  goodwill: ${goodwill}`);
    for (const reason of rec.reasons) say(`    ${reason.code}: ${reason.message}`);
    if (rec.flags.length > 0) say(`  flags: ${rec.flags.join(', ')}`);
  }
  const decision = d.decision;
  if (decision) {
    const what = decision.action === 'GOODWILL' ? `goodwill ${money(decision.creditAmount)} (${decision.outcome} stands)` : `${decision.action === 'ACCEPT' ? 'accepted' : 'overridden with'} ${decision.outcome} ${money(decision.creditAmount)}`;
    say(`  decision: ${what} by ${decision.reviewer} at ${dateTimeAt(decision.decidedAt, offset, false)} ${offsetLabel(offset)}${decision.reason ? `: ${decision.reason}` : ''}`);
  }
  if (d.lease && Date.parse(d.lease.expiresAt) > now && d.status === 'RECOMMENDED') {
    say(`  held by ${d.lease.holder} until ${dateTimeAt(d.lease.expiresAt, offset)} ${offsetLabel(offset)} (decide and reinvestigate are refused until then)`);
  }
  if (rec && rec.calls.length > 0) {
    say(`  disputed calls (${rec.calls.length}):`);
    for (const line of callsTable(rec.calls, offset)) console.log(line);
  }
  say(`  history (${offsetLabel(offset)}):`);
  for (const h of d.history) say(`    ${dateTimeAt(h.at, offset)}  ${h.status.padEnd(13)} ${h.by}: ${h.note}`, 35);
}

/** Prints a dispute's status, scope, recommendation with its reasons, the calls, and history; or its JSON. */
export const show = defineCommand({
  options: { json: { type: 'boolean' } },
  check: ({ positionals }) => void oneArgument('show', 'DISPUTE_ID', positionals),
  async run({ values, positionals, stack }) {
    const dispute = await api<Dispute>(stack, 'reviewer', 'GET', `/v1/disputes/${encodeURIComponent(positionals[0]!)}`);
    if (values.json) printJson(dispute);
    else printDispute(dispute);
    return 0;
  },
});
