// `disputes stats +E164`: a destination's connect statistics per hour or day, where its data is.
import type { z } from 'zod';
import type { NumberStats } from '../../api/schemas';
import { formatNumber } from '../../domain/investigation/explain';
import { TTA_BIN_LABELS } from '../../domain/statistics/connect-statistics';
import { defineCommand } from '../command';
import { bar, dateTimeAt, pct, plural, printJson, seconds, table } from '../format';
import { api } from '../local-stack';
import { calledNumber, oneArgument, oneOf, period } from '../validate';

type Stats = z.infer<typeof NumberStats>;
type Point = Stats['total'];
type Ratio = Point['asr'];

const GRANULARITIES = ['hour', 'day'] as const;

/** "55% (52-57%)"; "n/a" without calls. */
const ratio = (r: Ratio) => (r.value === null || !r.interval ? pct(r.value) : `${pct(r.value)} (${Math.round(r.interval.low * 100)}-${pct(r.interval.high)})`);

/** A UTC instant as the statistics are kept: "2026-10-27 14:00". */
const utc = (iso: string) => dateTimeAt(iso, '+00:00', false);

/** The period the answer covers and where the number's data is: the default follows the data, not the clock. */
function heading(s: Stats & { dataFrom: string; dataTo: string }, chosen: boolean): string[] {
  const data = `its data: ${utc(s.dataFrom)} – ${utc(s.dataTo)} UTC`;
  return [
    `${formatNumber(s.calledNumber)}: connect statistics per ${s.granularity}, ${utc(s.from)} – ${utc(s.to)} UTC`,
    chosen ? `  ${data}` : `  default: the 7 days ending with its latest stored hour; ${data}`,
  ];
}

/** Attempts, answered calls, ASR, NER, short calls and ACD per period with calls, then the total. */
function periodTable(s: Stats): string[] {
  const label = (iso: string) => (s.granularity === 'day' ? iso.slice(0, 10) : utc(iso));
  const row = (name: string, p: Point) => [name, String(p.attempts), String(p.answered), ratio(p.asr), ratio(p.ner), ratio(p.scr), seconds(p.acdSeconds)];
  const rows = [...s.series.filter((p) => p.attempts > 0).map((p) => row(label(p.period), p)), row('total', s.total)];
  const right = 'right' as const;
  return table(
    [
      { header: `${s.granularity === 'day' ? 'Day' : 'Hour'} (UTC)` },
      { header: 'Attempts', align: right },
      { header: 'Answered', align: right },
      { header: 'ASR (95%)' },
      { header: 'NER (95%)' },
      { header: 'Short calls' },
      { header: 'ACD' },
    ],
    rows,
  );
}

/** The time-to-answer histogram of the answered calls, one text bar per bin with its label, count and share. */
function histogram(total: Point): string[] {
  const counts = TTA_BIN_LABELS.map((l) => total.ttaHistogram[l] ?? 0);
  const answered = counts.reduce((a, b) => a + b, 0);
  const max = Math.max(...counts);
  const labelWidth = Math.max(...TTA_BIN_LABELS.map((l) => l.length)) + 2;
  const countWidth = String(max).length;
  return [
    `  time to answer of the ${plural(answered, 'answered call')} (seconds):`,
    ...TTA_BIN_LABELS.map((l, i) => `    ${`${l} s`.padEnd(labelWidth)}  ${String(counts[i]).padStart(countWidth)}  ${pct(answered ? counts[i]! / answered : null).padStart(4)}  ${bar(counts[i]!, max, 60)}`.trimEnd()),
  ];
}

/** Prints the series and its total, ACD and the time-to-answer histogram; or the API's JSON. */
export const stats = defineCommand({
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    granularity: { type: 'string' },
    json: { type: 'boolean' },
  },
  check({ values, positionals }) {
    calledNumber('+E164', oneArgument('stats', '+E164', positionals));
    period(values.from, values.to);
    if (values.granularity !== undefined) oneOf('granularity', values.granularity, GRANULARITIES);
  },
  async run({ values, positionals, stack }) {
    const number = calledNumber('+E164', positionals[0]!);
    const params = new URLSearchParams({ granularity: values.granularity ?? 'day', ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}) });
    const s = await api<Stats>(stack, 'reviewer', 'GET', `/v1/numbers/${encodeURIComponent(number)}/stats?${params}`);
    if (values.json) {
      printJson(s);
      return 0;
    }
    if (s.dataFrom === null || s.dataTo === null) {
      console.log(`${formatNumber(s.calledNumber)} has no stored calls: nothing was ingested for it (check the number, or ingest its CDRs first)`);
      return 0;
    }
    for (const line of heading({ ...s, dataFrom: s.dataFrom, dataTo: s.dataTo }, values.from !== undefined || values.to !== undefined)) console.log(line);
    if (s.total.attempts === 0) {
      console.log('  no calls in this period: run it without --from and --to for the 7 days ending with its latest stored hour');
      return 0;
    }
    for (const line of periodTable(s)) console.log(line);
    for (const line of histogram(s.total)) console.log(line);
    return 0;
  },
});
