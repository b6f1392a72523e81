// Audit benchmark: generated days of CDRs on the local emulators, audited by the real audit code. Prints CDRs per
// second, peak memory, a projection for 1,000,000 CDRs a day, and the ratio of times for two sizes (linearity).
// CDRs are loaded straight into the table (BatchWrite, no duplicate check) and the Cdrs stream is played as in
// production (statistics and the CdrHours index); a few billing errors and corrupted buckets are planted and checked.
//   AUDIT_BENCH_CDRS (40000): the larger day; the smaller day has half as many.
//   npx tsx test/bench/audit.ts
import { performance } from 'node:perf_hooks';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { documentClient } from '../../lib/adapters/aws';
import { putCdrsUnchecked } from '../../lib/adapters/cdr-store';
import { TABLES } from '../../lib/adapters/resources';
import type { AuditReport } from '../../lib/domain/audit/findings';
import { type Cdr, isAnswered, parseCdr } from '../../lib/domain/cdr';
import { bucketize } from '../../lib/domain/statistics/connect-statistics';
import { startEmulators } from '../../infra/local/emulators';
import { provisionLocalStack } from '../../infra/local/stack';
import { generateDay, prng } from './traffic';
// A type only: the module itself is loaded after the environment points at the emulators.
import type { runAudit as RunAuditFn } from '../../lib/use-cases/audit/run-audit';

const CDRS = Number(process.env.AUDIT_BENCH_CDRS ?? 40_000);
if (!Number.isInteger(CDRS) || CDRS < 1000) throw new Error('AUDIT_BENCH_CDRS must be an integer >= 1000');
const LAMBDA_WORK_SECONDS = 900 - 60; // the longest invocation, less the audit's safety margin
const seconds = (since: number) => (performance.now() - since) / 1000;
const mb = (bytes: number) => Math.round(bytes / 1_048_576);

/** A day of traffic with a few billing errors planted: 1 in 1000 calls charged unanswered or billed a minute too long. */
function day(cdrs: number, date: string, seed: number): { cdrs: Cdr[]; billedUnanswered: number; overbilled: number } {
  const rand = prng(seed);
  let billedUnanswered = 0;
  let overbilled = 0;
  const out = generateDay({ cdrs, day: date, seed }).map((raw) => {
    const parsed = parseCdr(raw);
    if (!parsed.ok) throw new Error(`generated CDR is invalid: ${JSON.stringify(parsed.problems)}`);
    const cdr = parsed.cdr;
    if (rand() >= 0.001) return cdr;
    if (!isAnswered(cdr)) {
      billedUnanswered++;
      return { ...cdr, billedSeconds: 60, charge: { amountMinor: 3, currency: cdr.charge.currency } };
    }
    if (cdr.billedSeconds === 0) return cdr;
    overbilled++;
    const perSecond = cdr.charge.amountMinor / cdr.billedSeconds;
    return { ...cdr, billedSeconds: cdr.billedSeconds + 60, charge: { amountMinor: Math.round(perSecond * (cdr.billedSeconds + 60)), currency: cdr.charge.currency } };
  });
  return { cdrs: out, billedUnanswered, overbilled };
}

/** Stores the CDRs, then plays the Cdrs stream: it counts their statistics and writes the audit's hour index. */
async function load(cdrs: Cdr[], stack: { drainCdrChanges(): Promise<unknown> }): Promise<void> {
  const limit = pLimit(16);
  const chunks: Cdr[][] = [];
  for (let i = 0; i < cdrs.length; i += 500) chunks.push(cdrs.slice(i, i + 500));
  await Promise.all(chunks.map((chunk) => limit(() => putCdrsUnchecked(chunk))));
  await stack.drainCdrChanges();
}

/** Runs the audit of one day and samples the heap while it runs. */
async function audit(date: string, runAudit: typeof RunAuditFn): Promise<{ report: AuditReport; seconds: number; peakHeapMb: number; heapGrowthMb: number }> {
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 50);
  const t = performance.now();
  const from = `${date}T00:00:00.000Z`;
  const to = new Date(Date.parse(from) + 86_400_000).toISOString();
  // No settling wait: the day was loaded and its stream played before the audit starts.
  const report = await runAudit({ from, to, trigger: 'cli' }, new Date(), { repairSettleMs: 0 });
  const elapsed = seconds(t);
  clearInterval(sampler);
  return { report, seconds: elapsed, peakHeapMb: mb(peak), heapGrowthMb: mb(peak - before) };
}

async function main(): Promise<boolean> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const emulators = await startEmulators();
  try {
    const stack = await provisionLocalStack(emulators, 'bench-audit-');
    const { runAudit } = await import('../../lib/use-cases/audit/run-audit');
    const sizes = [
      { date: '2026-11-01', cdrs: Math.floor(CDRS / 2), seed: 101 },
      { date: '2026-11-02', cdrs: CDRS, seed: 202 },
    ];
    // Warm-up: an empty day, so the first measured audit does not pay for loading and compiling the code.
    await audit('2026-10-20', runAudit);
    const results = [];
    for (const size of sizes) {
      let planted: ReturnType<typeof day> | undefined = day(size.cdrs, size.date, size.seed);
      const t = performance.now();
      await load(planted.cdrs, stack);
      const loadSeconds = seconds(t);
      // Three buckets counted wrong, as a lost or doubled ingest would leave them.
      const victims = bucketize(planted.cdrs).slice(0, 3);
      const expected = { billedUnanswered: planted.billedUnanswered, overbilled: planted.overbilled };
      // The generated day is no longer needed: the heap measured during the audit is the audit's.
      planted = undefined;
      for (const bucket of victims) {
        await documentClient().send(
          new UpdateCommand({ TableName: stack.env[TABLES.connectStats.env], Key: { calledNumber: bucket.calledNumber, hour: bucket.hour }, UpdateExpression: 'ADD attempts :n', ExpressionAttributeValues: { ':n': 2 } }),
        );
      }
      // Each day is audited twice and the faster run counts: a busy machine slows a run, it never speeds one up.
      // (The second run finds the same things and opens no dispute: the first one did.)
      const first = await audit(size.date, runAudit);
      const second = await audit(size.date, runAudit);
      const run = { ...first, seconds: Math.min(first.seconds, second.seconds), peakHeapMb: Math.max(first.peakHeapMb, second.peakHeapMb), heapGrowthMb: Math.max(first.heapGrowthMb, second.heapGrowthMb) };
      const count = (type: string) => run.report.summary.find((s) => s.type === type)?.count ?? 0;
      const ok =
        run.report.status === 'COMPLETED' &&
        run.report.cdrsExamined === size.cdrs &&
        count('BILLED_UNANSWERED') === expected.billedUnanswered &&
        count('OVERBILLED_DURATION') === expected.overbilled &&
        count('STATS_DRIFT') === victims.length;
      const disputes = run.report.disputes.opened;
      console.log(
        `${size.date}: loaded ${size.cdrs} CDRs in ${loadSeconds.toFixed(1)} s; audited in ${run.seconds.toFixed(1)} s (best of ${first.seconds.toFixed(1)}, ${second.seconds.toFixed(1)}) = ${Math.round(size.cdrs / run.seconds)} CDRs/s, peak heap ${run.peakHeapMb} MB (+${run.heapGrowthMb} MB during the audit); ` +
          `found ${count('BILLED_UNANSWERED')} billed-unanswered (planted ${expected.billedUnanswered}), ${count('OVERBILLED_DURATION')} overbilled (planted ${expected.overbilled}), ` +
          `${count('STATS_DRIFT')} drifted buckets (planted ${victims.length}), ${count('NETWORK_DEGRADATION')} degraded hours, ${count('FALSE_ANSWER_SUSPECTED')} false-answer destinations; opened ${disputes} disputes: ${ok ? 'OK' : 'MISMATCH'}`,
      );
      results.push({ ...size, seconds: run.seconds, cdrsPerSecond: size.cdrs / run.seconds, peakHeapMb: run.peakHeapMb, heapGrowthMb: run.heapGrowthMb, ok });
    }
    const [small, large] = results as [(typeof results)[0], (typeof results)[0]];
    const ratio = large.seconds / small.seconds;
    // time = fixed + perCdr * n through the two points. The fixed part is the day's 24 x 8 shard queries and the
    // per-destination comparison (it grows with distinct destinations, not CDRs) and the sweeps that read no CDRs.
    // On a busy machine the pair can be too noisy for a slope; the projection at the larger day's average rate is
    // always given too, and is an upper bound (it scales the fixed part as well).
    const slope = (large.seconds - small.seconds) / (large.cdrs - small.cdrs);
    const fixed = large.seconds - slope * large.cdrs;
    const fitted = slope > 0 && fixed >= 0 ? fixed + 1_000_000 * slope : undefined;
    const atAverage = (1_000_000 * large.seconds) / large.cdrs;
    console.log(
      `linearity: ${large.cdrs / small.cdrs}x the CDRs took ${ratio.toFixed(2)}x the time; ` +
        (fitted !== undefined ? `fit: ${fixed.toFixed(1)} s + ${(slope * 1e6).toFixed(0)} µs per CDR (${Math.round(1 / slope)} CDRs/s at the margin)` : 'too noisy for a fit (a busy machine?)'),
    );
    console.log(
      `projection for 1,000,000 CDRs/day on these emulators: ${fitted !== undefined ? `${Math.round(fitted)} s by the fit, ` : ''}${Math.round(atAverage)} s at the larger day's average rate (upper bound) = ` +
        `${Math.max(1, Math.ceil(atAverage / LAMBDA_WORK_SECONDS))} Lambda invocation(s) of at most ${LAMBDA_WORK_SECONDS} s each, resumed from the checkpoint`,
    );
    console.log(JSON.stringify({ sizes: results, timeRatio: Number(ratio.toFixed(3)), fixedSeconds: Number(fixed.toFixed(2)), microsecondsPerCdr: Number((slope * 1e6).toFixed(1)), projected1MSecondsFit: fitted === undefined ? null : Math.round(fitted), projected1MSecondsAtAverage: Math.round(atAverage) }));
    return results.every((r) => r.ok);
  } finally {
    await emulators.stop();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
