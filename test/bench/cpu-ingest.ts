// Pure-CPU ingest benchmark: what ingest does to a message before any I/O (decode, validate, build the stored item,
// bucket the statistics), as a ratio to JSON.parse of the same bytes. No emulators: the figure is the code's own.
// Prints `pure-CPU ingest: <x>× JSON.parse of the same bytes`, then each stage as a ratio; exits 1 when x > 3.
//   BENCH_CDRS (20000)  BENCH_PER_MESSAGE (100)  BENCH_ROUNDS (15)
import { performance } from 'node:perf_hooks';
import { cdrItem } from '../../lib/adapters/cdr-store';
import { type Cdr, type CdrFlag, parseCdr } from '../../lib/domain/cdr';
import { bucketize } from '../../lib/domain/statistics/connect-statistics';
import { generateDay } from './traffic';
import { intEnv } from './options';

const CDRS = intEnv('BENCH_CDRS', 20_000);
const PER_MESSAGE = intEnv('BENCH_PER_MESSAGE', 100);
const ROUNDS = intEnv('BENCH_ROUNDS', 15);
const WARMUP_ROUNDS = 5;
const LIMIT = 3;

const cdrs = generateDay({ cdrs: CDRS });
const bodies: string[] = [];
for (let i = 0; i < cdrs.length; i += PER_MESSAGE) bodies.push(JSON.stringify(cdrs.slice(i, i + PER_MESSAGE)));
const bytes = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0);

// What each stage works on, prepared once, so a stage can be timed alone.
const decoded = bodies.map((b) => JSON.parse(b) as unknown[]);
const valid = decoded.map((records) =>
  records.map((raw) => {
    const p = parseCdr(raw);
    if (!p.ok) throw new Error(`generated CDR is invalid: ${JSON.stringify(p.problems)}`);
    return { cdr: p.cdr, flags: p.flags };
  }),
);

// Every stage returns a number derived from its work, summed into `sink`, so nothing is optimised away.
let sink = 0;

function decodeOnly(): number {
  let n = 0;
  for (const body of bodies) n += (JSON.parse(body) as unknown[]).length;
  return n;
}

function validateOnly(): number {
  let n = 0;
  for (const records of decoded) for (const raw of records) if (parseCdr(raw).ok) n++;
  return n;
}

function itemsOnly(): number {
  let n = 0;
  // As storeCdrs calls it: one `now` for the batch.
  for (const message of valid) {
    const now = new Date();
    for (const { cdr, flags } of message) n += String(cdrItem(cdr, flags, now).callKey).length;
  }
  return n;
}

function bucketsOnly(): number {
  let n = 0;
  for (const message of valid) n += bucketize(message.map((v) => v.cdr)).length;
  return n;
}

/** The whole path, one message at a time as ingest sees it. */
function whole(): number {
  let n = 0;
  for (const body of bodies) {
    const records = JSON.parse(body) as unknown[];
    const good: { cdr: Cdr; flags: CdrFlag[] }[] = [];
    for (const raw of records) {
      const p = parseCdr(raw);
      if (p.ok) good.push({ cdr: p.cdr, flags: p.flags });
    }
    const now = new Date();
    for (const { cdr, flags } of good) n += String(cdrItem(cdr, flags, now).callKey).length;
    n += bucketize(good.map((g) => g.cdr)).length;
  }
  return n;
}

const stages = { decode: decodeOnly, validate: validateOnly, 'build items': itemsOnly, bucketize: bucketsOnly, whole } as const;
type Stage = keyof typeof stages;

function time(stage: Stage): number {
  const t = performance.now();
  sink += stages[stage]();
  return performance.now() - t;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

for (let r = 0; r < WARMUP_ROUNDS; r++) for (const stage of Object.keys(stages) as Stage[]) time(stage);

// Each round times every stage back to back and divides by that round's JSON.parse: on a shared machine the load
// changes between rounds, and a ratio within one round cancels most of it.
const ratios: Record<Stage, number[]> = { decode: [], validate: [], 'build items': [], bucketize: [], whole: [] };
const decodeMs: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const base = time('decode');
  decodeMs.push(base);
  for (const stage of Object.keys(stages) as Stage[]) ratios[stage].push(stage === 'decode' ? 1 : time(stage) / base);
}

const x = median(ratios.whole);
console.log(`pure-CPU ingest: ${x.toFixed(2)}× JSON.parse of the same bytes`);
const parseMs = median(decodeMs);
console.log(`  ${CDRS} CDRs in ${bodies.length} messages of ${PER_MESSAGE}, ${(bytes / 1e6).toFixed(1)} MB; JSON.parse ${parseMs.toFixed(1)} ms (${((parseMs * 1e6) / CDRS).toFixed(0)} ns a CDR); median of ${ROUNDS} rounds`);
for (const stage of ['validate', 'build items', 'bucketize'] as const) {
  console.log(`  ${stage.padEnd(12)} ${median(ratios[stage]).toFixed(2)}×`);
}
console.log(`  (decode 1.00× + stages timed alone ${(1 + median(ratios.validate) + median(ratios['build items']) + median(ratios.bucketize)).toFixed(2)}×; sink ${sink})`);
if (x > LIMIT) {
  console.error(`pure-CPU ingest costs more than ${LIMIT}× JSON.parse`);
  process.exit(1);
}
