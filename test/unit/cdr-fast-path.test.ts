// The hand-written hot path of ingest against what it replaces: parseCdr against zod alone (same CDR, same flags,
// same reasons in the same order, for valid and damaged records), the hand-read instants against Date and zod's
// Instant, and the in-place statistics against the copying ones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Cdr,
  Instant,
  outcomeClass,
  parseCdr,
  parseCdrAllowingExtensions,
  parseCdrAllowingExtensionsWithZod,
  parseCdrWithZod,
} from '../../lib/domain/cdr';
import { type ConnectCounters, type StatsBucket, bucketize, emptyCounters, SHORT_CALL_SECONDS, TTA_BIN_EDGES, utcHour } from '../../lib/domain/statistics/connect-statistics';
import { instantMillis, isoUtc, rfc3339Millis, utcIso } from '../../lib/domain/time';
import { generateDay } from '../bench/traffic';

const SEED = 20261102;
const DAY = 86_400_000;

// ---- instants as switches write them, and damaged ones --------------------------------------------------------

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const zone = (offsetMinutes: number) => (offsetMinutes === 0 ? 'Z' : `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`);

/**
 * `ms` written at an offset with 0-7 fraction digits (fewer than 3 cut the milliseconds; digits past them are noise
 * that Date.parse cuts). Offset 0 is written `Z`, `+00:00` or `-00:00`.
 */
function stamp(ms: number, offsetMinutes: number, fractionDigits: number, noise = 0): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString();
  const fraction = `${local.slice(20, 23)}${String(noise).padStart(4, '0')}`.slice(0, fractionDigits);
  const utc = ['Z', '+00:00', '-00:00'][noise % 3]!;
  return `${local.slice(0, 19)}${fractionDigits > 0 ? `.${fraction}` : ''}${offsetMinutes === 0 ? utc : zone(offsetMinutes)}`;
}

const offsetArb = fc.oneof(fc.constant(0), fc.constantFrom(-360, -300, 60, 330, 545, -720, 840), fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }));
const stampArb = (ms: fc.Arbitrary<number>) => fc.tuple(ms, offsetArb, fc.integer({ min: 0, max: 7 }), fc.nat(9999)).map(([t, o, f, n]) => stamp(t, o, f, n));

const around2026 = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2032, 0, 1) });
/** 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z. */
const anyFourDigitYear = fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 });

/** A text near an instant: a character replaced, dropped, doubled or cut, or a calendar field out of range. */
const damagedStamp = fc.oneof(
  fc.tuple(stampArb(around2026), fc.nat(40), fc.constantFrom(...'0123456789-T:.Z+z t/\u0660x')).map(([s, i, c]) => s.slice(0, i % s.length) + c + s.slice((i % s.length) + 1)),
  fc.tuple(stampArb(around2026), fc.nat(40)).map(([s, i]) => s.slice(0, i % s.length) + s.slice((i % s.length) + 1)),
  fc.tuple(stampArb(around2026), fc.nat(40)).map(([s, i]) => s.slice(0, i % (s.length + 1))),
  fc
    .tuple(fc.nat(9999), fc.nat(14), fc.nat(32), fc.nat(25), fc.nat(61), fc.nat(61), fc.constantFrom('', '.', '.5', '.123', '.1234567'), fc.constantFrom('Z', '+00:00', '-24:00', '+23:59', '+05:60', '+0530', '+05', '-06:00', ''))
    .map(([y, mo, d, h, mi, s, f, z]) => `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${f}${z}`),
  fc.constantFrom('2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-11-02T08:15Z', '2026-11-02 08:15:00Z', '+002026-11-02T08:15:00Z', '2026-11-02T08:15:00.Z', ''),
);

describe('instants read by hand', () => {
  it('rfc3339Millis accepts exactly what Instant accepts, and then says what Date.parse says', () => {
    fc.assert(
      fc.property(fc.oneof(stampArb(around2026), stampArb(anyFourDigitYear), damagedStamp), (s) => {
        const ms = rfc3339Millis(s);
        expect(Number.isNaN(ms)).toBe(!Instant.safeParse(s).success);
        if (!Number.isNaN(ms)) expect(ms).toBe(Date.parse(s));
        expect(Object.is(instantMillis(s), Date.parse(s))).toBe(true);
      }),
      { seed: SEED, numRuns: 20_000 },
    );
  });

  it('isoUtc and utcIso write what toISOString writes, and throw where it throws', () => {
    const viaDate = (x: string | number) => {
      try {
        return new Date(x).toISOString();
      } catch (error) {
        return (error as Error).constructor.name;
      }
    };
    const tried = (f: () => string) => {
      try {
        return f();
      } catch (error) {
        return (error as Error).constructor.name;
      }
    };
    const ms = fc.oneof(anyFourDigitYear, fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.constantFrom(-62_167_219_200_001, 253_402_300_800_000, 0, -0, -1, 8.64e15 + 1, NaN, 1.5, -0.5));
    fc.assert(
      fc.property(ms, (t) => {
        expect(tried(() => isoUtc(t))).toBe(viaDate(t));
      }),
      { seed: SEED, numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.oneof(stampArb(around2026), stampArb(anyFourDigitYear), damagedStamp), (s) => {
        expect(tried(() => utcIso(s))).toBe(viaDate(s));
      }),
      { seed: SEED, numRuns: 20_000 },
    );
  });

  it('utcHour keys an instant as Date did', () => {
    const viaDate = (x: string | number) => {
      try {
        const d = new Date(x);
        d.setUTCMinutes(0, 0, 0);
        return d.toISOString().replace('.000Z', 'Z');
      } catch (error) {
        return (error as Error).constructor.name;
      }
    };
    const hourOf = (x: string | number) => {
      try {
        return utcHour(x);
      } catch (error) {
        return (error as Error).constructor.name;
      }
    };
    const input = fc.oneof(stampArb(around2026), stampArb(anyFourDigitYear), damagedStamp, fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.double({ min: -1e7, max: 1e7 }));
    fc.assert(
      fc.property(input, (x) => {
        expect(hourOf(x)).toBe(viaDate(x));
      }),
      { seed: SEED, numRuns: 20_000 },
    );
  });
});

// ---- CDRs: valid as switches write them, and damaged ---------------------------------------------------------

const e164 = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 7, max: 14 }), fc.nat()).map(([lead, n, x]) => `+${lead}${String(x).padStart(n, '7').slice(0, n)}`);
/** Text of 1 to `max` UTF-16 units: ASCII, any code point (astral ones are two units), or at the limit. */
const text = (max: number) =>
  fc.oneof(
    fc.string({ minLength: 1, maxLength: max }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: max }).filter((t) => t.length <= max),
    fc.constantFrom('ACC-000001', 'sbc-east-1', 'é', '😀'.repeat(max / 2), 'x'.repeat(max)),
  );

const validCdr = fc
  .record({
    callId: text(128),
    source: fc.option(text(128), { nil: undefined }),
    accountId: text(64),
    callingNumber: e164,
    calledNumber: e164,
    startMs: around2026,
    offsets: fc.tuple(offsetArb, offsetArb, offsetArb),
    digits: fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 })),
    noise: fc.nat(9999),
    wholeSeconds: fc.boolean(),
    ttaMs: fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: null }),
    talkMs: fc.integer({ min: 0, max: 3 * 3_600_000 }),
    disposition: fc.constantFrom('ANSWERED', 'NO_ANSWER', 'BUSY', 'FAILED', 'CONGESTION', 'CANCELLED'),
    releaseCause: fc.option(fc.integer({ min: 1, max: 127 }), { nil: undefined }),
    billedSeconds: fc.nat(100_000),
    charge: fc.record({ amountMinor: fc.oneof(fc.nat(100_000), fc.constant(Number.MAX_SAFE_INTEGER)), currency: fc.constantFrom('USD', 'EUR', 'JPY', 'XXX') }),
    billingIncrement: fc.option(fc.record({ minimumSeconds: fc.nat(120), incrementSeconds: fc.integer({ min: 1, max: 60 }) }), { nil: undefined }),
    keyOrder: fc.nat(),
  })
  .map((r) => {
    // Times in whole seconds may be written with fewer than 3 fraction digits; others need all 3 to stay in order.
    const exact = (ms: number) => (r.wholeSeconds ? Math.floor(ms / 1000) * 1000 : ms);
    const at = (ms: number, i: 0 | 1 | 2) => stamp(exact(ms), r.offsets[i], r.wholeSeconds ? r.digits[i] : Math.max(3, r.digits[i]), r.noise);
    const cdr: Record<string, unknown> = {
      callId: r.callId,
      ...(r.source === undefined ? {} : { source: r.source }),
      accountId: r.accountId,
      callingNumber: r.callingNumber,
      calledNumber: r.calledNumber,
      startedAt: at(r.startMs, 0),
      answeredAt: r.ttaMs === null ? null : at(r.startMs + r.ttaMs, 1),
      endedAt: at(r.startMs + (r.ttaMs ?? 0) + r.talkMs, 2),
      disposition: r.disposition,
      ...(r.releaseCause === undefined ? {} : { releaseCause: r.releaseCause }),
      billedSeconds: r.billedSeconds,
      charge: r.charge,
      ...(r.billingIncrement === undefined ? {} : { billingIncrement: r.billingIncrement }),
    };
    // Switch feeds list fields in any order.
    const keys = Object.keys(cdr);
    const shift = r.keyOrder % keys.length;
    return Object.fromEntries([...keys.slice(shift), ...keys.slice(0, shift)].map((k) => [k, cdr[k]]));
  });

const FIELDS = ['callId', 'source', 'accountId', 'callingNumber', 'calledNumber', 'startedAt', 'answeredAt', 'endedAt', 'disposition', 'releaseCause', 'billedSeconds', 'charge', 'billingIncrement'];

/** Values that are wrong somewhere (or right somewhere else). */
const badValue = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    '',
    'x'.repeat(65),
    'x'.repeat(129),
    '😀'.repeat(33),
    42,
    0,
    -1,
    -0,
    1.5,
    128,
    NaN,
    Infinity,
    -Infinity,
    2 ** 53,
    Number.MAX_SAFE_INTEGER,
    true,
    [],
    ['+13125550100'],
    {},
    '+0123456789',
    '+1234567',
    '+12345678',
    '+1234567890123456',
    '13125550100',
    ' +13125550100',
    '+13125550100\n',
    '1234',
    '*72',
    '#',
    '1234567',
    '12345678',
    '12a4',
    'ANSWERED',
    'answered',
    'NO_ANSWER',
    'USD',
    'usd',
    'US',
    'ÜSD',
    new Date('2026-11-02T08:15:00Z'),
  ),
  damagedStamp,
  stampArb(around2026),
  fc.integer({ min: -1000, max: 1000 }),
  fc.record({ amountMinor: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double()), currency: fc.constantFrom('USD', 'usd', 'EURO', 1) }, { requiredKeys: [] }),
  fc.record({ minimumSeconds: fc.integer({ min: -5, max: 60 }), incrementSeconds: fc.oneof(fc.integer({ min: -1, max: 60 }), fc.constant(0.5)), extra: fc.constant(1) }, { requiredKeys: [] }),
);

type Mutation = (cdr: Record<string, unknown>) => unknown;

/** `field` set to `from` moved by `ms` (when `from` is still an instant). */
function shifted(cdr: Record<string, unknown>, field: string, from: string, ms: number, offset: number): Record<string, unknown> {
  const t = typeof cdr[from] === 'string' ? Date.parse(cdr[from]) : NaN;
  return Number.isNaN(t) ? cdr : { ...cdr, [field]: stamp(t + ms, offset, 3) };
}
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // A field set to something else, or removed.
  fc.tuple(fc.constantFrom(...FIELDS), badValue).map(([field, value]): Mutation => (cdr) => ({ ...cdr, [field]: value })),
  fc.constantFrom(...FIELDS).map((field): Mutation => (cdr) => Object.fromEntries(Object.entries(cdr).filter(([k]) => k !== field))),
  // Each rule at its edges: lengths, ranges, digit counts.
  fc
    .tuple(fc.constantFrom(['callId', 128], ['source', 128], ['accountId', 64]), fc.constantFrom(-1, 0, 1))
    .map(([[field, max], edge]): Mutation => (cdr) => ({ ...cdr, [field]: edge === -1 ? '' : 'é'.repeat(max + edge) })),
  fc
    .tuple(fc.constantFrom('billedSeconds', 'releaseCause'), fc.constantFrom(-1, -0, 0, 0.5, 1, 127, 128, 2 ** 53 - 1, 2 ** 53, NaN))
    .map(([field, value]): Mutation => (cdr) => ({ ...cdr, [field]: value })),
  fc
    .tuple(fc.constantFrom('callingNumber', 'calledNumber'), fc.constantFrom('+1234567', '+12345678', '+123456789012345', '+1234567890123456', '+0234567890', '+1 2345678', '１２３'))
    .map(([field, value]): Mutation => (cdr) => ({ ...cdr, [field]: value })),
  // Times out of order.
  fc.integer({ min: 1, max: DAY }).map((ms): Mutation => (cdr) => shifted(cdr, 'answeredAt', 'startedAt', -ms, 0)),
  fc.integer({ min: 1, max: DAY }).map((ms): Mutation => (cdr) => shifted(cdr, 'answeredAt', 'endedAt', ms, -360)),
  fc.integer({ min: 1, max: DAY }).map((ms): Mutation => (cdr) => shifted(cdr, 'endedAt', 'startedAt', -ms, 60)),
  // Money and increments, one field at a time.
  fc.tuple(fc.constantFrom('amountMinor', 'currency'), badValue).map(([field, value]): Mutation => (cdr) => ({ ...cdr, charge: { ...(cdr.charge as object), [field]: value } })),
  fc.tuple(fc.constantFrom('minimumSeconds', 'incrementSeconds'), badValue).map(([field, value]): Mutation => (cdr) => ({ ...cdr, billingIncrement: { ...((cdr.billingIncrement as object | undefined) ?? { minimumSeconds: 60, incrementSeconds: 60 }), [field]: value } })),
  // Fields zod drops: unknown ones, here and nested.
  fc.tuple(fc.string({ maxLength: 12 }), fc.jsonValue()).map(([field, value]): Mutation => (cdr) => ({ ...cdr, [`x${field}`]: value })),
  fc.constant<Mutation>((cdr) => ({ ...cdr, charge: { ...(cdr.charge as object), vat: 3 }, billingIncrement: { minimumSeconds: 1, incrementSeconds: 1, tier: 'a' } })),
  // As JSON.parse gives `__proto__`: an own property, not a prototype.
  fc.constant<Mutation>((cdr) => JSON.parse(`{"__proto__":{"callId":"x"},${JSON.stringify({ ...cdr, last: 1 }).slice(1)}`)),
  // The fields inherited, not own; a class instance; not an object at all.
  fc.constant<Mutation>((cdr) => Object.create(cdr) as unknown),
  fc.constant<Mutation>((cdr) => Object.assign(new (class Row {})(), cdr)),
  fc.constantFrom<Mutation>(() => null, () => undefined, () => [], () => 'cdr', () => 7),
  // An extension where a feed may allow one.
  fc.constantFrom('1234', '*72', '#', '0', '1234567').map((ext): Mutation => (cdr) => ({ ...cdr, calledNumber: ext })),
);

const damagedCdr = fc.tuple(validCdr, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([cdr, ms]) => ms.reduce<unknown>((c, m) => (c !== null && typeof c === 'object' && !Array.isArray(c) ? m(c as Record<string, unknown>) : c), cdr));

/** Equal, key order included (JSON text), and nothing undefined where zod has nothing. */
function same(actual: unknown, expected: unknown) {
  expect(actual).toStrictEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
}

describe('parseCdr by hand and by zod', () => {
  it('gives the same CDR and flags for valid records', () => {
    fc.assert(
      fc.property(validCdr, (raw) => {
        const zod = parseCdrWithZod(raw);
        expect(zod.ok).toBe(true);
        same(parseCdr(raw), zod);
        same(parseCdrAllowingExtensions(raw), parseCdrAllowingExtensionsWithZod(raw));
      }),
      { seed: SEED, numRuns: 3_000 },
    );
  });

  it('gives the same outcome, reasons included and in order, for damaged records', () => {
    let ok = 0;
    let rejected = 0;
    fc.assert(
      fc.property(damagedCdr, (raw) => {
        const zod = parseCdrWithZod(raw);
        if (zod.ok) ok++;
        else rejected++;
        same(parseCdr(raw), zod);
        same(parseCdrAllowingExtensions(raw), parseCdrAllowingExtensionsWithZod(raw));
      }),
      { seed: SEED, numRuns: 8_000 },
    );
    // Both ways through were taken: some damage is harmless (an unknown field), most is not.
    expect(ok).toBeGreaterThan(200);
    expect(rejected).toBeGreaterThan(4_000);
  });

  it('agrees on a day of generated traffic and on records with a key present but undefined', () => {
    for (const raw of JSON.parse(JSON.stringify(generateDay({ cdrs: 2_000 }))) as unknown[]) same(parseCdr(raw), parseCdrWithZod(raw));
    const [first] = generateDay({ cdrs: 1 });
    for (const field of ['source', 'releaseCause', 'billingIncrement', 'answeredAt', 'callId']) {
      const raw = { ...first, [field]: undefined };
      same(parseCdr(raw), parseCdrWithZod(raw));
    }
  });
});

// ---- statistics in place against the copying fold they replace -------------------------------------------------

/** addCdr as it was: a copy per CDR, every instant through Date.parse. */
function referenceAdd(counters: ConnectCounters, cdr: Cdr): ConnectCounters {
  const next = { ...counters, ttaHistogram: [...counters.ttaHistogram] };
  next.attempts += 1;
  const cls = outcomeClass(cdr);
  if (cls === 'ANSWERED') {
    next.answered += 1;
    next.talkMillis += Date.parse(cdr.endedAt) - Date.parse(cdr.answeredAt!);
    if ((Date.parse(cdr.endedAt) - Date.parse(cdr.answeredAt!)) / 1000 < SHORT_CALL_SECONDS) next.shortCalls += 1;
    const tta = (Date.parse(cdr.answeredAt!) - Date.parse(cdr.startedAt)) / 1000;
    const found = TTA_BIN_EDGES.findIndex((edge) => tta < edge);
    const bin = found === -1 ? TTA_BIN_EDGES.length : found;
    next.ttaHistogram[bin] = (next.ttaHistogram[bin] ?? 0) + 1;
  } else if (cls === 'USER_FAILURE') next.userFailures += 1;
  else if (cls === 'CALLER_ABANDON') next.callerAbandons += 1;
  else if (cls === 'CALLER_ERROR') next.callerErrors += 1;
  else next.networkFailures += 1;
  return next;
}

function referenceBucketize(cdrs: Cdr[]): StatsBucket[] {
  const buckets = new Map<string, StatsBucket>();
  for (const cdr of cdrs) {
    const d = new Date(cdr.startedAt);
    d.setUTCMinutes(0, 0, 0);
    const hour = d.toISOString().replace('.000Z', 'Z');
    const key = `${cdr.calledNumber}|${hour}`;
    const bucket = buckets.get(key) ?? { calledNumber: cdr.calledNumber, hour, counters: emptyCounters() };
    bucket.counters = referenceAdd(bucket.counters, cdr);
    buckets.set(key, bucket);
  }
  return [...buckets.values()];
}

describe('bucketize in place', () => {
  it('counts as the copying fold did, buckets in the same order', () => {
    const parsed = (raws: unknown[]) => raws.map((raw) => parseCdrAllowingExtensions(raw)).flatMap((p) => (p.ok ? [p.cdr] : []));
    // Few destinations, so buckets collect several CDRs and several hours.
    const batch = fc.array(fc.tuple(validCdr, fc.constantFrom('+13125550100', '+16145550123', '1234')), { maxLength: 60 }).map((xs) => parsed(xs.map(([c, n]) => ({ ...c, calledNumber: n }))));
    fc.assert(
      fc.property(batch, (cdrs) => {
        same(bucketize(cdrs), referenceBucketize(cdrs));
      }),
      { seed: SEED, numRuns: 500 },
    );
    const day = generateDay({ cdrs: 5_000 });
    same(bucketize(day), referenceBucketize(day));
  });
});
