// The two charts a reviewer needs instead of dialling the number: how often the destination connects, hour by hour
// with each hour's Wilson interval, and how fast it answers. Chart.js, registering only the parts used.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartDataset,
  type ChartType,
  Filler,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  type Plugin,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import { count, dateTimeAt, dayAt, dayHourAt, offsetLabel, offsetMinutes, pct, type RatioLike } from './format';
import type { NumberStats } from './types';

/** A shaded span of the x axis with a label: the disputed window, the TTA thresholds. */
interface Region {
  from: number;
  to: number;
  color: string;
  label: string;
  labelColor: string;
  /** Draw dashed edges. */
  edges?: boolean;
}

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the parameter list must match Chart.js's declaration
  interface PluginOptionsByType<TType extends ChartType> {
    regions?: { spans: Region[] };
  }
}

const regionsPlugin: Plugin = {
  id: 'regions',
  beforeDatasetsDraw(chart, _args, options: { spans?: Region[] }) {
    const { ctx, chartArea } = chart;
    const x = chart.scales.x;
    if (!x || !options.spans) return;
    const spans = options.spans
      .map((span) => ({ span, left: Math.max(chartArea.left, x.getPixelForValue(span.from)), right: Math.min(chartArea.right, x.getPixelForValue(span.to)) }))
      .filter((s) => s.right > s.left)
      .sort((a, b) => a.left - b.left);
    ctx.save();
    spans.forEach(({ span, left, right }, i) => {
      ctx.fillStyle = span.color;
      ctx.fillRect(left, chartArea.top, right - left, chartArea.bottom - chartArea.top);
      if (span.edges) {
        ctx.strokeStyle = span.labelColor;
        ctx.setLineDash([4, 3]);
        ctx.lineWidth = 1;
        for (const edge of [left, right]) {
          ctx.beginPath();
          ctx.moveTo(edge, chartArea.top);
          ctx.lineTo(edge, chartArea.bottom);
          ctx.stroke();
        }
        ctx.setLineDash([]);
      }
      // The label sits above the plot, from the span's left edge up to where the next span starts.
      const room = (spans[i + 1]?.left ?? chart.width) - left - 6;
      ctx.fillStyle = span.labelColor;
      ctx.font = '600 11px system-ui, sans-serif';
      ctx.textBaseline = 'bottom';
      const text = fitText(ctx, span.label, room);
      if (text) ctx.fillText(text, left + 3, chartArea.top - 3);
    });
    ctx.restore();
  },
};

function fitText(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  for (let n = text.length - 1; n > 3; n--) {
    const cut = `${text.slice(0, n)}…`;
    if (ctx.measureText(cut).width <= width) return cut;
  }
  return '';
}

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, LinearScale, CategoryScale, Filler, Tooltip, Legend, regionsPlugin);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.color = '#3d4551';
Chart.defaults.animation = false;

const COLORS = {
  asr: '#1d5bbf',
  asrBand: 'rgba(29, 91, 191, 0.16)',
  ner: '#0b7a4b',
  nerBand: 'rgba(11, 122, 75, 0.14)',
  calls: '#9a3412',
  window: 'rgba(245, 179, 1, 0.13)',
  windowText: '#6b4e00',
  baselineText: '#4b5563',
  falseAnswer: 'rgba(190, 18, 60, 0.10)',
  falseAnswerText: '#9f1239',
  autoAttendant: 'rgba(29, 91, 191, 0.10)',
  autoAttendantText: '#1e429f',
  baselineBar: '#8a94a6',
};

/** Draws `config` on the canvas; rebuilt when `key` changes. */
function useChart(canvas: { current: HTMLCanvasElement | null }, key: string, build: () => ChartConfiguration) {
  const builder = useRef(build);
  builder.current = build;
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, builder.current());
    canvas.current.dataset.rendered = 'true';
    return () => chart.destroy();
  }, [key]);
}

type Point = { x: number; y: number | null; r?: RatioLike; label?: string };

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface CallMark {
  at: string;
  answered: boolean;
  callId: string;
}

export interface ConnectChartProps {
  stats: NumberStats;
  /** The offset the axis and tooltips show times in. */
  offset: string;
  /** The disputed window, shaded; the rest of the range is the baseline. */
  window?: { from: string; to: string };
  /** The disputed calls, marked above the lines. */
  calls?: CallMark[];
  caption: string;
}

/** ASR and NER per period with their 95% Wilson intervals as bands, the window shaded, the disputed calls marked. */
export function ConnectChart({ stats, offset, window, calls = [], caption }: ConnectChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const step = stats.granularity === 'day' ? DAY_MS : HOUR_MS;
  const min = Date.parse(stats.from);
  const max = Math.max(Date.parse(stats.to), min + step);
  const key = `${stats.calledNumber}|${stats.from}|${stats.to}|${stats.granularity}|${window?.from}|${calls.length}|${offset}`;
  const answered = calls.filter((c) => c.answered).length;

  useChart(canvas, key, () => {
    const points = (pick: (p: NumberStats['series'][number]) => RatioLike, part: 'value' | 'low' | 'high'): Point[] =>
      stats.series.map((p) => {
        const r = pick(p);
        const y = r.value === null ? null : part === 'value' ? r.value : part === 'low' ? (r.interval?.low ?? r.value) : (r.interval?.high ?? r.value);
        return { x: Date.parse(p.period) + step / 2, y, r };
      });
    const band = (name: string, pick: (p: NumberStats['series'][number]) => RatioLike, color: string): ChartDataset<'line', Point[]>[] => [
      { label: `_${name} low`, data: points(pick, 'low'), borderWidth: 0, pointRadius: 0, fill: false, spanGaps: false },
      { label: `${name} 95% interval`, data: points(pick, 'high'), borderWidth: 0, pointRadius: 0, backgroundColor: color, fill: '-1', spanGaps: false },
    ];
    const line = (name: string, pick: (p: NumberStats['series'][number]) => RatioLike, color: string): ChartDataset<'line', Point[]> => ({
      label: name,
      data: points(pick, 'value'),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 1.5,
      pointRadius: stats.series.length > 60 ? 0 : 2,
      pointHoverRadius: 4,
      spanGaps: false,
      fill: false,
    });
    const marks: ChartDataset<'line', Point[]> = {
      label: 'Disputed calls (filled: answered)',
      data: calls.map((c) => ({ x: Date.parse(c.at), y: 1.06, label: `${c.callId}: ${c.answered ? 'answered' : 'not answered'}` })),
      showLine: false,
      pointStyle: 'triangle',
      pointRadius: 5,
      pointHoverRadius: 7,
      borderColor: COLORS.calls,
      borderWidth: 1.5,
      pointBackgroundColor: calls.map((c) => (c.answered ? COLORS.calls : '#ffffff')),
      backgroundColor: COLORS.calls,
    };
    const spans: Region[] = [];
    if (window) {
      spans.push({ from: min, to: Date.parse(window.from), color: 'rgba(0,0,0,0)', label: '7-day baseline', labelColor: COLORS.baselineText });
      spans.push({ from: Date.parse(window.from), to: Date.parse(window.to), color: COLORS.window, label: 'Disputed window', labelColor: COLORS.windowText, edges: true });
    }
    return {
      type: 'line',
      data: {
        datasets: [...band('ASR', (p) => p.asr, COLORS.asrBand), line('ASR', (p) => p.asr, COLORS.asr), ...band('NER', (p) => p.ner, COLORS.nerBand), line('NER', (p) => p.ner, COLORS.ner), ...(calls.length > 0 ? [marks] : [])],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        layout: { padding: { top: window ? 16 : 0 } },
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: {
            type: 'linear',
            min,
            max,
            grid: { color: '#eceef2' },
            afterBuildTicks: (scale) => {
              // One tick per local midnight (in the dispute's offset), thinned to fit the width.
              const off = offsetMinutes(offset) * 60_000;
              const days: number[] = [];
              for (let t = Math.ceil((min + off) / DAY_MS) * DAY_MS - off; t <= max; t += DAY_MS) days.push(t);
              const room = Math.max(2, Math.floor(scale.width / 64));
              const every = Math.max(1, Math.ceil(days.length / room));
              scale.ticks = days.filter((_, i) => i % every === 0).map((value) => ({ value }));
            },
            ticks: { callback: (value) => dayAt(Number(value), offset), maxRotation: 0, autoSkip: false },
            title: { display: true, text: `Day (${offsetLabel(offset)})` },
          },
          y: {
            min: 0,
            max: calls.length > 0 ? 1.12 : 1.02,
            afterBuildTicks: (scale) => {
              scale.ticks = [0, 0.25, 0.5, 0.75, 1].map((value) => ({ value }));
            },
            ticks: { callback: (value) => pct(Number(value)) },
            grid: { color: '#eceef2' },
            title: { display: true, text: 'Share of attempts' },
          },
        },
        plugins: {
          regions: { spans },
          legend: { position: 'bottom', labels: { filter: (item) => !item.text.startsWith('_'), boxWidth: 14, boxHeight: 10 } },
          tooltip: {
            filter: (item) => !(item.dataset.label ?? '').startsWith('_') && !(item.dataset.label ?? '').includes('interval'),
            callbacks: {
              title: (items) => {
                const x = (items[0]?.raw as Point | undefined)?.x;
                if (x === undefined) return '';
                return stats.granularity === 'day' ? dayAt(x - step / 2, offset) : `${dayHourAt(x - step / 2, offset)} (${offsetLabel(offset)})`;
              },
              label: (item) => {
                const p = item.raw as Point;
                if (p.label) return p.label;
                const r = p.r;
                if (!r || r.value === null) return `${item.dataset.label}: no attempts`;
                return `${item.dataset.label} ${pct(r.value)} (${r.interval ? `${pct(r.interval.low)}–${pct(r.interval.high)}, ` : ''}${r.numerator}/${r.n})`;
              },
            },
          },
        },
      },
    } satisfies ChartConfiguration<'line', Point[]>;
  });

  const periods = stats.series.filter((p) => p.attempts > 0).length;
  const summary =
    `ASR and NER of ${stats.calledNumber} per ${stats.granularity} from ${dateTimeAt(stats.from, offset, false)} to ${dateTimeAt(stats.to, offset, false)} (${offsetLabel(offset)}), ` +
    `${count(stats.total.attempts)} attempts in ${periods} ${stats.granularity}s with calls; overall ASR ${pct(stats.total.asr.value)}, NER ${pct(stats.total.ner.value)}` +
    (calls.length > 0 ? `; ${calls.length} disputed calls marked, ${answered} answered.` : '.');
  return (
    <figure class="chart" data-chart="connect" data-points={String(stats.series.length)}>
      <figcaption>{caption}</figcaption>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={summary}>
          {summary}
        </canvas>
      </div>
    </figure>
  );
}

const BIN_NAMES: Record<string, string> = { '[0,1)': '<1 s', '[1,3)': '1–3 s', '[3,6)': '3–6 s', '[6,12)': '6–12 s', '[12,24)': '12–24 s', '[24,inf)': '≥24 s' };
export const TTA_BINS = Object.keys(BIN_NAMES);
const EDGES = [1, 3, 6, 12, 24];

/** The TTA histogram of some calls' time-to-answer seconds, keyed like the API's. */
export function histogramOf(ttaSeconds: number[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(TTA_BINS.map((b) => [b, 0]));
  for (const tta of ttaSeconds) {
    const bin = EDGES.findIndex((edge) => tta < edge);
    const label = TTA_BINS[bin === -1 ? EDGES.length : bin]!;
    out[label] = (out[label] ?? 0) + 1;
  }
  return out;
}

export interface TtaSeries {
  label: string;
  histogram: Record<string, number>;
  color?: string;
}

/** Share of answered calls per time-to-answer bin, the false-answer (<1 s) and auto-attendant (1–6 s) bins shaded. */
export function TtaChart({ series, caption }: { series: TtaSeries[]; caption: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const palette = [COLORS.asr, COLORS.baselineBar, COLORS.calls];
  const totals = series.map((s) => TTA_BINS.reduce((sum, b) => sum + (s.histogram[b] ?? 0), 0));
  const key = series.map((s) => `${s.label}:${TTA_BINS.map((b) => s.histogram[b] ?? 0).join(',')}`).join('|');
  useChart(canvas, key, () => {
    const shares = series.map((s, i) => TTA_BINS.map((b) => (totals[i] ? (s.histogram[b] ?? 0) / totals[i] : 0)));
    const top = Math.max(0.2, ...shares.flat());
    return {
      type: 'bar',
      data: {
        labels: TTA_BINS.map((b) => BIN_NAMES[b]),
        datasets: series.map((s, i) => ({
          label: `${s.label} (${count(totals[i]!)} answered)`,
          data: shares[i]!,
          backgroundColor: s.color ?? palette[i % palette.length],
          borderRadius: 2,
          maxBarThickness: 36,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        layout: { padding: { top: 16 } },
        scales: {
          x: { title: { display: true, text: 'Time to answer' }, grid: { display: false }, ticks: { maxRotation: 0, autoSkip: false, font: (c) => ({ size: c.chart.width < 420 ? 10 : 12 }) } },
          y: { min: 0, max: Math.min(1, Math.ceil(top * 10.5) / 10), ticks: { stepSize: 0.1, callback: (v) => pct(Number(v)) }, title: { display: true, text: 'Share of answered calls' }, grid: { color: '#eceef2' } },
        },
        plugins: {
          regions: {
            spans: [
              { from: -0.5, to: 0.5, color: COLORS.falseAnswer, label: 'False answer', labelColor: COLORS.falseAnswerText, edges: true },
              { from: 0.5, to: 2.5, color: COLORS.autoAttendant, label: 'Auto-attendant, first ring (1–6 s)', labelColor: COLORS.autoAttendantText, edges: true },
            ],
          },
          legend: { position: 'bottom', labels: { boxWidth: 14, boxHeight: 10 } },
          tooltip: {
            callbacks: {
              label: (item) => {
                const i = item.datasetIndex;
                const n = series[i]?.histogram[TTA_BINS[item.dataIndex]!] ?? 0;
                return `${series[i]?.label}: ${pct(item.raw as number)} (${count(n)} calls)`;
              },
            },
          },
        },
      },
    } satisfies ChartConfiguration<'bar', number[]>;
  });
  const described = series
    .map((s, i) => {
      const t = totals[i]!;
      const share = (bins: string[]) => (t ? pct(bins.reduce((sum, b) => sum + (s.histogram[b] ?? 0), 0) / t) : 'n/a');
      return `${s.label}: ${count(t)} answered, ${share(['[0,1)'])} under 1 s, ${share(['[1,3)', '[3,6)'])} within 1–6 s`;
    })
    .join('; ');
  return (
    <figure class="chart" data-chart="tta" data-points={String(TTA_BINS.length)}>
      <figcaption>{caption}</figcaption>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={`Time-to-answer histogram. ${described}.`}>
          {described}
        </canvas>
      </div>
      <p class="hint">Shaded: answered in under 1 s (false answer supervision) and within 1–6 s, on the first ring (an auto-attendant or recording).</p>
      <div class="table-scroll" role="region" aria-label="Time-to-answer histogram as a table" tabIndex={0}>
        <table class="compact">
          <caption class="visually-hidden">Time-to-answer histogram as a table</caption>
          <thead>
            <tr>
              <th scope="col">Calls</th>
              {TTA_BINS.map((b) => (
                <th scope="col" class="num" key={b}>
                  {BIN_NAMES[b]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {series.map((s, i) => (
              <tr key={s.label}>
                <th scope="row">{s.label}</th>
                {TTA_BINS.map((b) => (
                  <td class="num" key={b}>
                    {count(s.histogram[b] ?? 0)}
                    <span class="muted"> {totals[i] ? pct((s.histogram[b] ?? 0) / totals[i]) : ''}</span>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
