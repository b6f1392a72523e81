// The pure part of counting from the Cdrs stream: buckets per batch, what a retried batch still owes, retention.
import { describe, expect, it } from 'vitest';
import type { Cdr } from '../../lib/domain/cdr';
import { expiresAtSeconds, outsideRetention } from '../../lib/domain/retention';
import { changesByBucket, overwrittenByRace, pendingDelta, sequenceAfter, staleWatermarks } from '../../lib/domain/statistics/stream-counts';

const cdr = (callId: string, calledNumber: string, startedAt: string): Cdr =>
  ({ callId, source: 's', accountId: 'a', callingNumber: '+13125550100', calledNumber, startedAt, answeredAt: null, endedAt: startedAt, disposition: 'NO_ANSWER', releaseCause: 19, billedSeconds: 0, charge: { amountMinor: 0, currency: 'USD' } }) as unknown as Cdr;
const A = '+16145550100';
const at = '2026-10-27T10:00:00Z';

describe('counting from the stream', () => {
  const changes = [
    { sequence: '100', after: cdr('1', A, at), changedAt: '2026-10-27T10:01:00Z' },
    { sequence: '200', after: cdr('2', A, at), changedAt: '2026-10-27T10:02:00Z' },
    // A replacement that moves call 1 to another hour: out of the first bucket, into the second.
    { sequence: '300', before: cdr('1', A, at), after: cdr('1', A, '2026-10-27T11:00:00Z'), changedAt: '2026-10-27T10:03:00Z' },
    { sequence: '400', before: cdr('2', A, at), changedAt: '2026-10-27T10:04:00Z' }, // a TTL removal: nothing
  ];

  it('a modify that changed the CDR without a settlement is a race between two deliveries; the same content, a settlement, an insert or a removal is not', () => {
    const billed = { ...cdr('5', A, at), billedSeconds: 30 };
    const race = { sequence: '500', before: cdr('5', A, at), after: billed, changedAt: at };
    const found = overwrittenByRace([
      race,
      { sequence: '600', before: cdr('6', A, at), after: cdr('6', A, at), changedAt: at },
      { ...race, sequence: '700', settlement: true },
      ...changes.filter((c) => !c.before || !c.after),
    ]);
    expect(found.map((c) => c.sequence)).toEqual(['500']);
  });

  it('splits a batch by bucket; a modify subtracts the old and adds the new; a removal changes nothing', () => {
    const [ten, eleven] = changesByBucket(changes);
    expect(pendingDelta(ten!, {})).toMatchObject({ counters: { attempts: 1 }, watermark: { sequence: '300', changedAt: '2026-10-27T10:03:00Z' }, applied: 3 });
    expect(pendingDelta(eleven!, {})).toMatchObject({ counters: { attempts: 1 }, watermark: { sequence: '300' } });
  });

  it('a retried batch owes only what is after the watermark; a change a repair recounted is skipped', () => {
    const [ten] = changesByBucket(changes);
    expect(pendingDelta(ten!, { watermark: { sequence: '300', changedAt: at } })).toBeUndefined();
    expect(pendingDelta(ten!, { watermark: { sequence: '100', changedAt: at } })).toMatchObject({ counters: { attempts: 0 }, applied: 2 });
    expect(pendingDelta(ten!, { repairedThrough: '2026-10-27T10:02:00Z' })).toMatchObject({ counters: { attempts: -1 }, applied: 1 });
  });

  it('compares sequence numbers as numbers and drops watermarks older than the stream keeps records', () => {
    expect(sequenceAfter('1000', '999')).toBe(true);
    expect(sequenceAfter('0999', '1000')).toBe(false);
    expect(staleWatermarks({ old: { sequence: '1', changedAt: '2026-10-20T00:00:00Z' }, recent: { sequence: '2', changedAt: '2026-10-27T00:00:00Z' } }, Date.parse('2026-10-27T12:00:00Z'))).toEqual(['old']);
  });
});

describe('retention', () => {
  it('refuses a CDR that started before the horizon, and a stored one expires only after a re-import would be refused', () => {
    const now = Date.parse('2026-10-27T00:00:00Z');
    // 400 days before 2026-10-27 is 2025-09-22: on the horizon is kept, a millisecond later it is not.
    expect(outsideRetention('2025-09-22T00:00:00Z', now)).toBeUndefined();
    expect(outsideRetention('2025-09-22T00:00:00Z', now + 1)?.reason).toMatch(/^OUTSIDE_RETENTION/);
    const startedAt = '2025-09-22T00:00:00Z';
    // Any arrival after the expiry is refused.
    expect(outsideRetention(startedAt, expiresAtSeconds(startedAt) * 1000)).toBeDefined();
  });
});
