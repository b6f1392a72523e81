// A deterministic, realistic day of CDRs for the ingest benchmark: Zipf-popular destinations (a few toll-free
// call centres take a large share), a US diurnal curve, and the outcome mix of a retail voice carrier.
import { type Cdr, expectedBilledSeconds } from '../../lib/domain/cdr';

/** mulberry32: tiny, fast, seeded; the benchmark must send the same traffic on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks an index in proportion to `weights` (binary search on the cumulative sums). */
function sampler(weights: number[], rand: () => number): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) cumulative.push((total += w));
  return () => {
    const x = rand() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

const zipf = (n: number, s: number) => Array.from({ length: n }, (_, rank) => 1 / (rank + 1) ** s);

// Share of the day's calls per UTC hour: a US business day (Eastern 09:00-17:00 is 14:00-22:00 UTC), quiet nights.
const HOURLY = [3, 2, 1.5, 1, 0.7, 0.5, 0.5, 0.6, 0.8, 1, 1.5, 2.5, 4, 6, 8, 9, 9, 8.5, 8.5, 8, 7, 6, 5, 4];

// The 5% "others": congestion, caller errors, routing failures (Q.850 causes, PRODUCT.md §2).
const OTHER_FAILURES: { disposition: Cdr['disposition']; cause: number }[] = [
  { disposition: 'CONGESTION', cause: 42 },
  { disposition: 'CONGESTION', cause: 44 },
  { disposition: 'FAILED', cause: 1 },
  { disposition: 'FAILED', cause: 28 },
  { disposition: 'FAILED', cause: 3 },
  { disposition: 'FAILED', cause: 27 },
  { disposition: 'FAILED', cause: 21 },
  { disposition: 'FAILED', cause: 102 },
];

const PER_MINUTE = { minimumSeconds: 60, incrementSeconds: 60 };
const TOLL_FREE = ['800', '888', '877', '866', '855', '844', '833'];

export interface TrafficOptions {
  cdrs: number;
  seed?: number;
  /** The UTC day, YYYY-MM-DD. */
  day?: string;
  destinations?: number;
  accounts?: number;
}

/** The day's CDRs in canonical JSON form, sorted by startedAt. */
export function generateDay({ cdrs, seed = 20261102, day = '2026-11-02', destinations = 3_000, accounts = 20_000 }: TrafficOptions): Cdr[] {
  const rand = prng(seed);
  const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
  // NANP: +1 NXX NXX XXXX, N = 2-9.
  const nxx = () => `${2 + Math.floor(rand() * 8)}${digits(2)}`;
  const nanp = () => `+1${nxx()}${nxx()}${digits(4)}`;

  // The most popular destinations are toll-free call centres; the long tail is ordinary numbers.
  const destinationNumbers = Array.from({ length: destinations }, (_, rank) => (rank < 12 ? `+1${TOLL_FREE[rank % TOLL_FREE.length]}${nxx()}${digits(4)}` : nanp()));
  const accountLines = Array.from({ length: accounts }, (_, i) => ({
    accountId: `ACC-${String(i + 1).padStart(6, '0')}`,
    callingNumber: nanp(),
    ratePerMinute: [1, 2, 2, 3, 5][Math.floor(rand() * 5)]!, // US cents
  }));
  const pickDestination = sampler(zipf(destinations, 1.0), rand);
  const pickAccount = sampler(zipf(accounts, 0.6), rand);
  const pickHour = sampler(HOURLY, rand);
  const dayStart = Date.parse(`${day}T00:00:00Z`);
  const dayEnd = dayStart + 86_400_000;
  // Two switches; the Chicago PBX writes local time with its offset, which must land in the same UTC hours.
  const sources = [
    { name: 'sbc-east-1', offsetMinutes: 0 },
    { name: 'pbx-chi-2', offsetMinutes: -360 },
  ];

  const out: { at: number; cdr: Cdr }[] = [];
  for (let i = 0; i < cdrs; i++) {
    const account = accountLines[pickAccount()]!;
    const u = rand();
    let tta: number | null = null;
    let talk = 0;
    let ring: number;
    let disposition: Cdr['disposition'];
    let releaseCause: number | undefined;
    if (u < 0.55) {
      // Most answer within one or two rings (2-6 s), a few let it ring up to 20 s.
      tta = 2 + 18 * rand() ** 2;
      talk = -90 * Math.log(1 - rand()); // exponential, mean 90 s
      ring = tta;
      disposition = 'ANSWERED';
      releaseCause = 16;
    } else if (u < 0.8) {
      const busy = rand() < 0.4;
      disposition = busy ? 'BUSY' : 'NO_ANSWER';
      releaseCause = busy ? 17 : 19;
      ring = busy ? between(0.3, 4) : between(20, 60);
    } else if (u < 0.9) {
      disposition = 'CANCELLED';
      ring = between(1, 30);
    } else if (u < 0.95) {
      disposition = 'FAILED';
      releaseCause = [34, 38, 41][Math.floor(rand() * 3)];
      ring = between(0.05, 3);
    } else {
      ({ disposition, cause: releaseCause } = OTHER_FAILURES[Math.floor(rand() * OTHER_FAILURES.length)]!);
      ring = between(0.05, 8);
    }
    const durationMs = Math.round((ring + talk) * 1000);
    // Whole call inside the day: a call that would run past midnight starts earlier.
    const startMs = Math.min(dayStart + pickHour() * 3_600_000 + Math.floor(rand() * 3_600_000), dayEnd - durationMs - 1);
    const answerMs = tta === null ? null : startMs + Math.round(tta * 1000);
    const source = sources[rand() < 0.7 ? 0 : 1]!;
    const stamp = (ms: number) => isoWithOffset(ms, source.offsetMinutes);
    const base = {
      callId: `${digits(8)}-${digits(4)}-${i.toString(36)}`,
      source: source.name,
      accountId: account.accountId,
      callingNumber: account.callingNumber,
      calledNumber: destinationNumbers[pickDestination()]!,
      startedAt: stamp(startMs),
      answeredAt: answerMs === null ? null : stamp(answerMs),
      endedAt: stamp(startMs + durationMs),
      disposition,
      ...(releaseCause === undefined ? {} : { releaseCause }),
      billingIncrement: PER_MINUTE,
    };
    const billedSeconds = expectedBilledSeconds({ ...base, billedSeconds: 0, charge: { amountMinor: 0, currency: 'USD' } });
    out.push({ at: startMs, cdr: { ...base, billedSeconds, charge: { amountMinor: (billedSeconds / 60) * account.ratePerMinute, currency: 'USD' } } });
  }
  return out.sort((a, b) => a.at - b.at).map((x) => x.cdr);
}

/** ISO-8601 at a fixed UTC offset, as a switch in that zone writes it: `2026-11-02T08:15:00.123-06:00`. */
function isoWithOffset(ms: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const abs = Math.abs(offsetMinutes);
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
