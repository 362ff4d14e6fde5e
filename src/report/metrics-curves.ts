/** Training curves from a run's metrics.jsonl: training loss and validation NLL (bits/sample) against step. */
import * as fs from 'fs';
import { UserError } from '../util/errors';
import { LineSeries, linePlot } from './svg';

export interface MetricsRecord {
  step: number;
  loss_bits?: number;
  val_bits?: number;
  [key: string]: unknown;
}

/**
 * Read a metrics.jsonl: one JSON object per line with a numeric `step`. Blank lines are ignored; lines that do
 * not parse or lack a finite step (e.g. a partial last line after a crash) are skipped and counted.
 */
export function readMetricsJsonl(file: string): { records: MetricsRecord[]; skipped: number } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`${file}: cannot read metrics (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const records: MetricsRecord[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec) || !Number.isFinite((rec as MetricsRecord).step)) {
      skipped++;
      continue;
    }
    records.push(rec as MetricsRecord);
  }
  return { records, skipped };
}

/**
 * Points (step, value) of one metric, sorted by step; when a resumed run logged a step twice the later line
 * wins. Non-numeric and non-finite values are left out.
 */
export function metricSeries(records: MetricsRecord[], key: string): { x: number[]; y: number[] } {
  const byStep = new Map<number, number>();
  for (const rec of records) {
    const v = rec[key];
    if (typeof v === 'number' && Number.isFinite(v)) byStep.set(rec.step, v);
  }
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  return { x: steps, y: steps.map((s) => byStep.get(s)!) };
}

/** Exponential moving average with bias correction (TensorBoard-style smoothing; lags behind the data). */
export function emaSmooth(y: number[], weight: number): number[] {
  const out: number[] = [];
  let acc = 0;
  let norm = 0;
  for (const v of y) {
    acc = weight * acc + (1 - weight) * v;
    norm = weight * norm + (1 - weight);
    out.push(acc / norm);
  }
  return out;
}

/** The EMA run forwards then backwards: the same smoothing without the lag (a symmetric kernel). */
export function zeroPhaseSmooth(y: number[], weight: number): number[] {
  return emaSmooth(emaSmooth(y, weight).reverse(), weight).reverse();
}

export interface MetricsCurvesOptions {
  title?: string;
  width?: number;
  height?: number;
  logY?: boolean;
  yRange?: [number, number];
  /**
   * Weight of the (zero-phase, forward-backward EMA) smoothing of a training curve drawn over the raw one;
   * default 0.8 from 50 points on; 0 turns it off.
   */
  smoothing?: number;
}

/** The line plot (SVG) of training loss and validation NLL, in bits/sample, against step. */
export function metricsCurves(metricsJsonlPath: string, opts: MetricsCurvesOptions = {}): string {
  const { records } = readMetricsJsonl(metricsJsonlPath);
  const train = metricSeries(records, 'loss_bits');
  const val = metricSeries(records, 'val_bits');
  const smoothing = opts.smoothing ?? (train.x.length >= 50 ? 0.8 : 0);
  const series: LineSeries[] = [];
  if (smoothing > 0) {
    series.push({ name: 'training loss', x: train.x, y: train.y, color: '#b9cbef', strokeWidth: 1.25 });
    series.push({ name: 'training loss, smoothed', x: train.x, y: zeroPhaseSmooth(train.y, smoothing), color: '#3b6fd4' });
  } else {
    series.push({ name: 'training loss', x: train.x, y: train.y, color: '#3b6fd4' });
  }
  series.push({ name: 'validation NLL', x: val.x, y: val.y, color: '#e8a317', kind: 'line+points' });
  return linePlot({
    title: opts.title ?? 'Training curves',
    xLabel: 'step',
    yLabel: 'bits / sample',
    series,
    width: opts.width,
    height: opts.height,
    logY: opts.logY,
    yRange: opts.yRange,
  });
}
