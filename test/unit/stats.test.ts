import { describe, expect, it } from 'vitest';
import { hoursBetween, ratio, ttaBin, utcHour, wilson } from '../../lib/domain/statistics/connect-statistics';

describe('connect statistics', () => {
  it('keys hours in UTC whatever the offset', () => {
    expect(utcHour('2026-10-29T14:30:00+01:00')).toBe('2026-10-29T13:00:00Z');
    expect(hoursBetween('2026-10-29T14:30:00+01:00', '2026-10-29T16:00:00+01:00')).toEqual(['2026-10-29T13:00:00Z', '2026-10-29T14:00:00Z']);
  });

  it.each([
    [0, 0],
    [0.999, 0],
    [1, 1],
    [2.99, 1],
    [3, 2],
    [5.99, 2],
    [6, 3],
    [12, 4],
    [24, 5],
    [300, 5],
  ])('puts a TTA of %d s in bin %d', (tta, bin) => expect(ttaBin(tta)).toBe(bin));

  it('computes the Wilson 95% score interval', () => {
    // Reference values: 55 of 100 → [0.4524, 0.6439]; 0 of 10 → [0, 0.2775].
    const a = wilson(55, 100)!;
    expect(a.low).toBeCloseTo(0.4524, 4);
    expect(a.high).toBeCloseTo(0.6439, 4);
    const b = wilson(0, 10)!;
    expect(b.low).toBe(0);
    expect(b.high).toBeCloseTo(0.2775, 4);
    expect(wilson(0, 0)).toBeNull();
  });

  it('gives a ratio over nothing no value, so it meets no threshold', () => {
    expect(ratio(0, 0)).toEqual({ value: null, numerator: 0, n: 0, interval: null });
  });
});
