// The labelled scenarios through the pure investigation: statistics built from the CDRs, no I/O.
import { describe, expect, it } from 'vitest';
import { type Cdr, parseCdr } from '../../lib/domain/cdr';
import { offsetOf } from '../../lib/domain/disputes/dispute';
import { destinationRanges, investigate } from '../../lib/domain/investigation/investigate';
import { DEFAULT_POLICY } from '../../lib/domain/policy/policy';
import { bucketize } from '../../lib/domain/statistics/connect-statistics';
import { loadScenarios } from '../fixtures/scenarios';

// expected.json lists the reasons a scenario is labelled with; the product also gives these evidence reasons today
// (true for those calls, and allowed by notReasons). Together they are the exact reason set.
const UNLABELLED_REASONS: Record<string, string[]> = {
  'auto-attendant-never-connected': ['GOODWILL_ELIGIBLE'],
  'billed-unanswered-partial-credit': ['DESTINATION_HEALTHY'],
  'false-answer-supervision-credit': ['DESTINATION_HEALTHY'],
  'network-degradation-credit': ['UNANSWERED_NOT_CHARGED'],
};
const exactReasons = (name: string, labelled: string[]) => [...labelled, ...(UNLABELLED_REASONS[name] ?? [])].sort();

describe.each(loadScenarios())('scenario $name', ({ name, cdrLines, dispute, expected }) => {
  it('gets the labelled recommendation from the pure policy', () => {
    const cdrs = cdrLines.map((line) => {
      const parsed = parseCdr(JSON.parse(line));
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
      return parsed.cdr;
    });
    const scope = { ...(dispute as { accountId: string; claim: 'NEVER_CONNECTED' | 'WRONG_DURATION' }), openedAt: '2026-11-10T12:00:00Z', displayOffset: offsetOf(dispute.from as string | undefined) };
    const inScope = (c: Cdr) =>
      c.accountId === scope.accountId &&
      (Array.isArray(dispute.callIds)
        ? (dispute.callIds as string[]).includes(c.callId)
        : c.calledNumber === dispute.calledNumber && Date.parse(c.startedAt) >= Date.parse(dispute.from as string) && Date.parse(c.startedAt) < Date.parse(dispute.to as string));
    const calls = cdrs.filter(inScope);
    const buckets = bucketize(cdrs);
    const destinations = destinationRanges(scope, calls, DEFAULT_POLICY).map((r) => ({ ...r, buckets: buckets.filter((b) => b.calledNumber === r.calledNumber) }));
    const rec = investigate({ dispute: scope, calls, destinations, priorDisputes: [], policy: DEFAULT_POLICY, generatedAt: '2026-11-10T12:00:01Z' });
    const codes = rec.reasons.map((r) => r.code);
    expect(rec.outcome).toBe(expected.outcome);
    expect(rec.creditAmount.amountMinor).toBe(expected.creditAmountMinor);
    if (expected.disputedAmountMinor !== undefined) expect(rec.disputedAmount.amountMinor).toBe(expected.disputedAmountMinor);
    // Exactly the labelled reasons and the unlabelled ones above: arrayContaining would let any other reason through.
    expect([...codes].sort()).toEqual(exactReasons(name, expected.reasons));
    for (const forbidden of expected.notReasons) expect(codes).not.toContain(forbidden);
    if (expected.goodwillEligible !== undefined) expect(rec.goodwill.eligible).toBe(expected.goodwillEligible);
  });
});
