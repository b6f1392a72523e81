// Progress of a long read or wait, on stderr so stdout keeps only the result.
import { Presets, SingleBar } from 'cli-progress';

/** Reports progress as a value out of a total, with a count of things done. */
export interface Progress {
  update(value: number, count?: number): void;
  stop(): void;
}

/** A progress bar with a rate on a terminal; a plain line every few seconds when stderr is a file or a pipe. */
export function progress(label: string, total: number, unit: string): Progress {
  const started = Date.now();
  const rate = (n: number) => Math.round(n / Math.max(0.001, (Date.now() - started) / 1000));
  if (process.stderr.isTTY) {
    const bar = new SingleBar({ format: `${label} |{bar}| {percentage}% | {count} ${unit} | {rate} ${unit}/s`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
    bar.start(Math.max(total, 1), 0, { count: 0, rate: 0 });
    return { update: (value, count = value) => bar.update(value, { count, rate: rate(count) }), stop: () => bar.stop() };
  }
  let printedAt = 0;
  let last: [number, number] | undefined;
  const line = ([value, count]: [number, number]) => process.stderr.write(`${label}: ${Math.floor((100 * value) / Math.max(total, 1))}%, ${count} ${unit}, ${rate(count)} ${unit}/s\n`);
  return {
    update(value, count = value) {
      last = [value, count];
      if (Date.now() - printedAt < 2000) return;
      [printedAt, last] = [Date.now(), undefined];
      line([value, count]);
    },
    // The final state is always printed, however quickly it came.
    stop: () => {
      if (last) line(last);
    },
  };
}
