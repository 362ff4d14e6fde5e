/** A sample report exercising every report feature, for the browser test (and for eyeballing the look). */
import * as fs from 'fs';
import * as path from 'path';
import { Quantizer } from '../../src/quantize/quantizer';
import { encodeWav } from '../../src/audio';
import {
  Report,
  barChart,
  heatmap,
  linePlot,
  markdownTable,
  metricsCurves,
  renderMarkdown,
  renderReport,
  waveform,
  writeReport,
} from '../../src/report';

export const SAMPLE_RATE = 16000;
/** Durations (s) of the two tones embedded as audio players. */
export const TONE_SECONDS = [1.5, 2.25];

export function tone(freq: number, seconds: number, sampleRate = SAMPLE_RATE, amp = 0.5): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const fade = Math.min(1, i / 160, (n - 1 - i) / 160); // 10 ms fades: no clicks
    out[i] = amp * fade * Math.sin((2 * Math.PI * freq * i) / sampleRate);
  }
  return out;
}

/** A plausible training log, with a validation point every 100 steps and a truncated last line. */
export function writeSampleMetrics(file: string): void {
  const lines: string[] = [];
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let step = 0; step <= 2000; step += 10) {
    const base = 2.6 + 5.4 * Math.exp(-step / 300);
    const rec: Record<string, number> = { step, loss_bits: base + (rand() - 0.5) * 0.5, lr: 1e-3 };
    if (step % 100 === 0) rec.val_bits = base + 0.15 + 0.0001 * step;
    lines.push(JSON.stringify(rec));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n{"step": 2010, "loss_b');
}

export function buildSampleReport(dir: string): { html: string; files: { json: string; markdown: string; html: string } } {
  const q = new Quantizer({ bins: 256, mu: 255 });
  // A predicted distribution over 256 bins for 400 samples of a chirp: a peak that follows the true bin.
  const T = 400;
  const z: number[][] = [];
  const trueBin: number[] = [];
  const t: number[] = [];
  for (let i = 0; i < T; i++) {
    const x = 0.6 * Math.sin(2 * Math.PI * (i / T) * (2 + (3 * i) / T));
    const centre = q.encode(x);
    const sigma = 2 + 6 * (0.5 + 0.5 * Math.sin(i / 37));
    const row: number[] = [];
    let sum = 0;
    for (let k = 0; k < 256; k++) {
      const p = Math.exp(-0.5 * ((k - centre) / sigma) ** 2) + 1e-7;
      row.push(p);
      sum += p;
    }
    z.push(row.map((p) => p / sum));
    trueBin.push(centre + 0.5);
    t.push((i + 0.5) / SAMPLE_RATE * 1000);
  }

  const qs = [16, 32, 64, 128, 256, 512, 1024];
  const bits = qs.map((Q) => Math.log2(Q) * 0.55 + 0.4);
  const bitsLinear = qs.map((Q) => Math.log2(Q) * 0.62 + 0.9);
  const snr = qs.map((Q) => 6.02 * Math.log2(Q) - 12);

  const metricsFile = path.join(dir, 'metrics.jsonl');
  writeSampleMetrics(metricsFile);

  const wave = new Float32Array(SAMPLE_RATE);
  for (let i = 0; i < wave.length; i++) {
    const env = Math.exp(-((i % 4000) / 900));
    wave[i] = 0.8 * env * Math.sin((2 * Math.PI * 220 * i) / SAMPLE_RATE) * Math.sin((2 * Math.PI * 3 * i) / SAMPLE_RATE);
  }

  const columns = ['Q', 'μ', 'bits / sample', 'SNR (dB)', 'params'];
  const rows = qs.map((Q, i) => [Q, 255, bits[i], snr[i], 1234567]);
  rows.push([2048, 255, NaN, Infinity, 1234567]);

  const report: Report = {
    title: 'binwave evaluation — sample report',
    subtitle: 'Synthetic data exercising every report element: tables, line plots, a heat map, a waveform and audio.',
    sections: [
      {
        heading: 'Summary',
        paragraphs: [
          'Negative log-likelihood in **bits/sample** against the number of bins `Q`, with μ-law companding (*μ* = 255). See [the README](README.md).',
          '- lower bits/sample is better\n- SNR is of the decoded bin centres against the input <not HTML>',
        ],
        tables: [{ columns, rows, caption: 'Per-configuration results on the validation set.' }],
      },
      {
        heading: 'Likelihood and quantization',
        figures: [
          {
            svg: linePlot({
              title: 'Validation NLL vs. number of bins',
              xLabel: 'Q (bins)',
              yLabel: 'bits / sample',
              logX: true,
              series: [
                { name: 'μ-law (μ = 255)', x: qs, y: bits, kind: 'line+points' },
                { name: 'linear', x: qs, y: bitsLinear, kind: 'line+points', dash: true },
                { name: 'log₂ Q (uniform)', x: qs, y: qs.map(Math.log2), kind: 'line', dash: true, color: '#9ca3af' },
              ],
            }),
            caption: 'Log-2 x axis; the grey dashed line is the cost of a uniform distribution over the bins.',
          },
          {
            svg: barChart({
              title: 'Quantization SNR',
              xLabel: 'Q (bins)',
              yLabel: 'SNR (dB)',
              categories: qs.map(String),
              series: [
                { name: 'μ-law', values: snr },
                { name: 'linear', values: snr.map((s) => s - 8) },
              ],
            }),
          },
        ],
      },
      {
        heading: 'Training',
        figures: [{ svg: metricsCurves(metricsFile), caption: 'From `metrics.jsonl` (a truncated last line is skipped).' }],
      },
      {
        heading: 'Predicted distributions',
        figures: [
          {
            svg: heatmap({
              title: 'p(bin | past), 400 samples',
              xLabel: 'time (ms)',
              yLabel: 'bin',
              zLabel: 'probability',
              z,
              x0: 0,
              x1: (T / SAMPLE_RATE) * 1000,
              y0: 0,
              y1: 256,
              logScale: true,
              overlay: [{ name: 'true bin', x: t, y: trueBin }],
            }),
            caption: 'Each column is the model’s distribution over the 256 bins for one sample (log colour scale).',
          },
          { svg: waveform({ samples: wave, sampleRate: SAMPLE_RATE, title: 'Generated audio (1 s)' }) },
        ],
        audio: [
          { label: 'Tone A — 440 Hz', wav: encodeWav(tone(440, TONE_SECONDS[0]), SAMPLE_RATE), caption: '1.5 s at 16 kHz' },
          {
            label: 'Tone B — 660 Hz',
            wav: Buffer.from(encodeWav(tone(660, TONE_SECONDS[1]), SAMPLE_RATE)).toString('base64'),
            caption: '2.25 s at 16 kHz (given as base64)',
          },
        ],
      },
    ],
    footer: 'Generated by binwave (sample).',
  };
  const html = renderReport(report);
  const files = writeReport(dir, 'sample', {
    json: { qs, bits, snr, table: markdownTable(columns, rows) },
    markdown: renderMarkdown(report),
    html,
  });
  return { html, files };
}
