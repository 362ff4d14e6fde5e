/**
 * The report sections of the evaluations (src/report: tables, SVG figures drawn from the data, audio players):
 * one builder per evaluation, so that `eval bins|model|sweep`, `toy` and the combined `binwave report` share them.
 */
import * as path from 'path';
import { encodeWav } from '../audio';
import { Cell, Report, Section, Table, barChart, heatmap, linePlot, markdownTable, metricsCurves, renderMarkdown, renderReport, writeReport, waveform } from '../report';
import { readMetricsJsonl, metricSeries } from '../report/metrics-curves';
import { BinsResult } from './bins';
import { ModelEvalResult } from './model';
import type { SweepResult } from './sweep';
import { ToyResult, toySvgs } from './toy';

/** 16-bit WAV bytes of a clip, for an audio player (the one WAV encoder of src/audio). */
const wavBytes = (x: ArrayLike<number>, rate: number) => encodeWav(Float32Array.from(x), rate);

const r2 = (v: number) => (Number.isFinite(v) ? Math.round(v * 100) / 100 : v);
const r3 = (v: number) => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 : v);
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const COMP_COLOR: Record<string, string> = { mulaw: '#3b6fd4', linear: '#e8a317' };
const compName = (c: string, mu: number) => (c === 'mulaw' ? `μ-law (μ=${mu})` : 'linear');

// ---------------------------------------------------------------------------------------------------------------
// eval bins

export function binsTable(r: BinsResult): Table {
  return {
    columns: ['companding', 'Q', 'SNR (dB)', 'seg. SNR (dB)', 'max error', '½ widest bin', 'entropy (bits)'],
    rows: r.rows.map((x) => [x.companding, x.bins, r2(x.snrDb), r2(x.segSnrDb), x.maxError, x.maxErrorBound, r3(x.entropyBits)]),
    caption: `Round trip encode → decode of all ${r.files} files of \`${r.data}\` (${r.seconds.toFixed(1)} s at ${r.sampleRate} Hz). ` +
      'Segmental SNR: mean over 16 ms frames, each clamped to [−10, 35] dB. Max error never exceeds half the widest bin. Entropy: of the bin histogram, bits/sample (≤ log2 Q).',
  };
}

export function binsSections(r: BinsResult): Section[] {
  const comps = [...new Set(r.rows.map((x) => x.companding))];
  const snrPlot = linePlot({
    title: 'Round-trip SNR vs Q',
    xLabel: 'bins Q',
    yLabel: 'dB',
    logX: true,
    series: comps.flatMap((c) => {
      const rows = r.rows.filter((x) => x.companding === c);
      return [
        { name: `${compName(c, r.mu)} SNR`, x: rows.map((x) => x.bins), y: rows.map((x) => x.snrDb), kind: 'line+points' as const, color: COMP_COLOR[c] },
        { name: `${compName(c, r.mu)} segmental SNR`, x: rows.map((x) => x.bins), y: rows.map((x) => x.segSnrDb), kind: 'line' as const, dash: true, color: COMP_COLOR[c] },
      ];
    }),
  });
  const qs = [...new Set(r.rows.map((x) => x.bins))];
  const entropyPlot = barChart({
    title: 'Bin-histogram entropy vs Q (bits/sample)',
    xLabel: 'bins Q',
    yLabel: 'bits / sample',
    categories: qs.map(String),
    series: [
      { name: 'log2 Q (uniform use)', values: qs.map((q) => Math.log2(q)), color: '#c9ced6' },
      ...comps.map((c) => ({ name: compName(c, r.mu), values: qs.map((q) => r.rows.find((x) => x.bins === q && x.companding === c)?.entropyBits ?? NaN), color: COMP_COLOR[c] })),
    ],
  });
  const mu256 = r.rows.find((x) => x.bins === 256 && x.companding === 'mulaw');
  const lin256 = r.rows.find((x) => x.bins === 256 && x.companding === 'linear');
  const key =
    mu256 && lin256
      ? `At Q = 256, μ-law keeps **${mu256.snrDb.toFixed(1)} dB** SNR (segmental ${mu256.segSnrDb.toFixed(1)} dB) against linear's ` +
        `${lin256.snrDb.toFixed(1)} dB (segmental ${lin256.segSnrDb.toFixed(1)} dB): μ-law spends its bins where speech and music spend their time, near zero, ` +
        `so quiet passages keep their detail; the histogram entropy (${mu256.entropyBits.toFixed(2)} vs ${lin256.entropyBits.toFixed(2)} bits) shows it uses the bins more evenly.`
      : 'SNR grows about 6 dB per doubling of Q for both spacings.';
  const clipName = path.basename(r.clip.file);
  return [
    {
      heading: 'Quantization alone',
      paragraphs: [
        'What discretizing the target costs before any model: every sample is encoded to one of Q bins and decoded to the bin centre ' +
          '(the model can output nothing else with argmax). No error can exceed half the widest bin.',
        key,
      ],
      tables: [binsTable(r)],
      figures: [
        { svg: snrPlot, caption: 'SNR (solid) and segmental SNR (dashed) of the round trip; segmental SNR saturates at the 35 dB frame clamp.' },
        { svg: entropyPlot, caption: 'Entropy of the bin histogram: what a model without context needs per sample; log2 Q for reference.' },
      ],
      audio: [
        { label: `original: ${clipName}`, wav: wavBytes(r.clip.samples, r.sampleRate) },
        ...r.clip.roundTrips.map((t) => ({
          label: `Q=${t.bins} ${compName(t.companding, r.mu)}`,
          wav: wavBytes(t.samples, r.sampleRate),
          caption: `round trip, SNR ${snrOf(r.clip.samples, t.samples).toFixed(1)} dB`,
        })),
      ],
    },
  ];
}

function snrOf(x: Float32Array, y: Float32Array): number {
  let s = 0, e = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i] * x[i];
    e += (x[i] - y[i]) ** 2;
  }
  return 10 * Math.log10((s + 1e-20) / (e + 1e-20));
}

// ---------------------------------------------------------------------------------------------------------------
// eval model

export function modelTables(r: ModelEvalResult): Table[] {
  const q = r.config.quantizer;
  const nll: Table = {
    columns: ['measure', 'value', 'note'],
    rows: [
      ['NLL (bits/sample)', r3(r.nllBits), 'mean −log2 P(true bin), teacher-forced'],
      ['baseline: log2 Q', r3(r.baselines.log2Q), 'a model that learned nothing (uniform)'],
      ['baseline: bin-histogram entropy', r3(r.baselines.histogramEntropyBits), r.split === 'val' ? 'a model without context (histogram of the training files)' : 'a model without context (histogram of the scored files)'],
      ['density NLL (bits/sample)', r3(r.densityBits), `NLL + log2 bin width in amplitude (mean log2 width ${r3(r.meanLog2Width)}): Q-independent`],
      ['top-1 bin accuracy', pct(r.top1), ''],
      ['top-5 bin accuracy', pct(r.top5), ''],
    ],
    caption: `${r.scoredSeconds.toFixed(2)} s scored (${r.scoredSamples} samples with a full receptive field) of ${r.files.length} ` +
      `${r.split === 'val' ? 'held-out validation' : ''} file(s) of \`${r.data}\`; model at step ${r.step}, Q=${q.bins} ${compName(q.companding, q.mu)}.`,
  };
  const snr: Table = {
    columns: ['decoding', 'one-step SNR (dB)'],
    rows: r.strategies.map((s) => [s.name, r2(s.snrDb)]),
    caption: 'Each step predicts the next sample from the true past; the prediction is decoded from the distribution by each strategy ' +
      '(interp-k: the centroid of the argmax bin and k neighbours each side; sample: a draw at temperature 1).',
  };
  const g = r.generation;
  const costT: Table = {
    columns: ['cost', 'value'],
    rows: [
      ['parameters', r.parameters],
      ['multiply-adds per sample (cached generation)', r.cost.macsPerSample],
      ['of which the output head', `${r.cost.headMacsPerSample} (${pct(r.cost.headShareOfMacs)})`],
      ['output-head parameters', r.cost.headParameters],
      ['receptive field (samples)', r.receptiveField],
      ['generation, batch 1 (samples/s)', g ? `${g.samplesPerSecond} (${g.kernel}; ${r2(g.realtimeFactor)}× real time)` : 'not measured'],
    ] as Cell[][],
  };
  return [nll, snr, costT];
}

/** Bins [lo, hi] that carry visible probability or hold a true sample, padded. */
function binRange(probs: Float32Array[], trueBins: Int32Array, Q: number): [number, number] {
  let lo = Q, hi = -1;
  for (const p of probs) {
    for (let b = 0; b < Q; b++) {
      if (p[b] > 2e-3) {
        if (b < lo) lo = b;
        if (b > hi) hi = b;
      }
    }
  }
  for (const b of trueBins) {
    lo = Math.min(lo, b);
    hi = Math.max(hi, b);
  }
  const pad = Math.max(2, Math.round(0.05 * (hi - lo)));
  return [Math.max(0, lo - pad), Math.min(Q - 1, hi + pad)];
}

export function modelFigures(r: ModelEvalResult) {
  const h = r.media.heat;
  const Q = r.config.quantizer.bins;
  const rate = r.media.sampleRate;
  const figs: { svg: string; caption?: string }[] = [];
  if (r.training) {
    figs.push({ svg: metricsCurves(r.training.metricsFile, { title: 'Training curves' }), caption: `From \`${r.training.metricsFile}\`: training loss and validation NLL.` });
  }
  if (h.probs.length > 0) {
    const [lo, hi] = binRange(h.probs, h.trueBins, Q);
    const ms = (i: number) => (1000 * (h.start + i)) / rate;
    figs.push({
      svg: heatmap({
        title: 'Predicted distribution over bins, step by step',
        xLabel: 'time (ms)',
        yLabel: 'bin',
        z: h.probs.map((p) => p.subarray(lo, hi + 1)),
        x0: ms(0),
        x1: ms(h.probs.length),
        y0: lo,
        y1: hi + 1,
        logScale: true,
        logDecades: 4,
        zLabel: 'P(bin)',
        colorScale: 'magma',
        overlay: [{ name: 'true bin', x: Array.from(h.trueBins, (_, i) => ms(i + 0.5)), y: Array.from(h.trueBins, (b) => b + 0.5), color: '#7ee0ff' }],
        height: 380,
      }),
      caption: `${h.probs.length} consecutive teacher-forced steps of an active part (80th percentile of energy) of \`${path.basename(h.file)}\` (log colour scale, 4 decades; bins ${lo}–${hi} of ${Q}).`,
    });
    figs.push({
      svg: linePlot({
        title: 'The same steps in amplitude',
        xLabel: 'time (ms)',
        yLabel: 'amplitude',
        height: 260,
        series: [
          { name: 'true waveform', x: Array.from(h.truth, (_, i) => ms(i)), y: Array.from(h.truth), color: '#1f2937', strokeWidth: 2.5 },
          { name: 'one-step mean', x: Array.from(h.mean, (_, i) => ms(i)), y: Array.from(h.mean), color: '#3b6fd4', strokeWidth: 1.5 },
          { name: 'one-step argmax', x: Array.from(h.argmax, (_, i) => ms(i)), y: Array.from(h.argmax), color: '#e8a317', strokeWidth: 1.25, dash: true },
        ],
      }),
      caption: 'The waveform beside the heat map, with the mean and argmax decodes of each step’s distribution.',
    });
  }
  const l = r.media.listen;
  figs.push({ svg: waveform({ samples: l.original, sampleRate: rate, title: `Held-out clip: ${path.basename(l.file)}`, height: 170 }) });
  return figs;
}

export function modelSections(r: ModelEvalResult): Section[] {
  const rate = r.media.sampleRate;
  const l = r.media.listen;
  const best = [...r.strategies].filter((s) => s.name !== 'sample').sort((a, b) => b.snrDb - a.snrDb)[0];
  const tables = modelTables(r);
  const sections: Section[] = [
    {
      heading: 'The model on held-out audio',
      paragraphs: [
        `\`${r.model}\` (step ${r.step}) scores **${r.nllBits.toFixed(3)} bits/sample** against ${r.baselines.log2Q.toFixed(3)} for a uniform guess ` +
          `and ${r.baselines.histogramEntropyBits.toFixed(3)} for the bin histogram; as a density, ${r.densityBits.toFixed(3)} bits/sample. ` +
          `Best one-step decode: ${best ? `${best.name}, ${best.snrDb.toFixed(2)} dB` : 'n/a'}.`,
        r.split === 'val'
          ? `Held-out files: the validation files of \`binwave train\`'s hash split at fraction ${r.valFraction} (the files training never saw when trained on this folder).`
          : 'Files: every file of the folder (no split).',
      ],
      tables: tables.slice(0, 2),
    },
    {
      heading: 'What it costs',
      paragraphs: ['The output head maps the skip sum to Q logits: its share of the work grows linearly with Q. Generation speed is measured on this model, one stream.'],
      tables: [tables[2]],
    },
    {
      heading: 'Looking inside',
      figures: modelFigures(r),
      audio: [
        { label: `original: ${path.basename(l.file)}`, wav: wavBytes(l.original, rate) },
        ...l.predictions.map((p) => ({
          label: `one-step ${p.name}`,
          wav: wavBytes(p.samples, rate),
          caption: `teacher-forced: each sample predicted from the true past`,
        })),
        ...r.media.generated.map((g) => ({ label: `generated: ${path.basename(g.file)}`, wav: wavBytes(g.samples, rate), caption: 'free-running generation' })),
      ],
    },
  ];
  return sections;
}

// ---------------------------------------------------------------------------------------------------------------
// eval sweep

/** The trade-off table, in two parts that fit a page: likelihood, then decoding quality and cost. */
export function sweepTables(s: SweepResult): Table[] {
  const names = s.rows[0]?.eval.strategies.filter((x) => x.name !== 'sample').map((x) => x.name) ?? [];
  const likelihood: Table = {
    columns: ['Q', 'steps', 'train (s)', 'NLL (bits)', 'log2 Q', 'hist. entropy', 'density NLL (bits)', 'top-1', 'top-5'],
    rows: s.rows.map((row) => {
      const e = row.eval;
      return [row.bins, row.steps, Math.round(row.trainSeconds), r3(e.nllBits), r3(e.baselines.log2Q), r3(e.baselines.histogramEntropyBits),
        r3(e.densityBits), pct(e.top1), pct(e.top5)];
    }),
    caption: `Preset \`${s.preset}\`, seed ${s.seed}, the same validation files, ${s.budget}. Scored on ${s.rows[0]?.eval.scoredSeconds.toFixed(1) ?? 0} s of held-out audio.`,
  };
  const quality: Table = {
    columns: ['Q', ...names.map((n, i) => (i === 0 ? `SNR ${n}` : n)), 'head MACs', 'head params', 'head share', 'samples/s'],
    rows: s.rows.map((row) => {
      const e = row.eval;
      return [row.bins, ...names.map((n) => r2(e.strategies.find((x) => x.name === n)?.snrDb ?? NaN)),
        e.cost.headMacsPerSample, e.cost.headParameters, pct(e.cost.headShareOfMacs), e.generation?.samplesPerSecond ?? null];
    }),
    caption: 'One-step-ahead SNR (dB) per decoding; the output head\'s multiply-adds and parameters per sample and its share of all multiply-adds; measured generation speed (batch 1, samples/s).',
  };
  return [likelihood, quality];
}

/** Both sweep tables (kept for callers that want one). */
export function sweepTable(s: SweepResult): Table {
  return sweepTables(s)[0];
}

export function sweepSections(s: SweepResult): Section[] {
  const qs = s.rows.map((r) => r.bins);
  const e = s.rows.map((r) => r.eval);
  const nllPlot = linePlot({
    title: 'NLL vs Q',
    xLabel: 'bins Q',
    yLabel: 'bits / sample',
    logX: true,
    series: [
      { name: 'NLL (bits per bin)', x: qs, y: e.map((x) => x.nllBits), kind: 'line+points', color: '#3b6fd4' },
      { name: 'log2 Q', x: qs, y: e.map((x) => x.baselines.log2Q), color: '#c9ced6', dash: true },
      { name: 'histogram entropy', x: qs, y: e.map((x) => x.baselines.histogramEntropyBits), color: '#9aa3b2', dash: true },
      { name: 'density NLL (bits, amplitude)', x: qs, y: e.map((x) => x.densityBits), kind: 'line+points', color: '#e8a317' },
    ],
  });
  const snrPlot = linePlot({
    title: 'One-step SNR vs Q',
    xLabel: 'bins Q',
    yLabel: 'dB',
    logX: true,
    series: (e[0]?.strategies ?? []).filter((x) => x.name !== 'sample').map((st) => ({
      name: st.name, x: qs, y: e.map((x) => x.strategies.find((y) => y.name === st.name)?.snrDb ?? NaN), kind: 'line+points' as const,
    })),
  });
  const curves = linePlot({
    title: 'Validation NLL during training (bits/sample)',
    xLabel: 'step',
    yLabel: 'bits / sample',
    series: s.rows.map((row) => {
      const m = metricSeries(readMetricsJsonl(path.join(row.dir, 'metrics.jsonl')).records, 'val_bits');
      return { name: `Q=${row.bins}`, x: m.x, y: m.y, kind: 'line+points' as const };
    }),
  });
  return [
    {
      heading: 'The trade-off: one trunk, several Q',
      paragraphs: [
        'The same WaveNet trunk trained at each Q (same seed, same budget, same validation files). NLL in bits per bin grows with Q ' +
          '(more bins to choose among); the density NLL adds log2 of the bin width and so compares models across Q on one scale: ' +
          'lower is a better model of the waveform itself.',
      ],
      tables: sweepTables(s),
      figures: [
        { svg: nllPlot, caption: 'NLL per bin with its two baselines, and the Q-independent density NLL.' },
        { svg: snrPlot, caption: 'One-step-ahead SNR of each decode.' },
        { svg: curves, caption: 'Validation NLL (bits per bin: not comparable across Q; see the density NLL).' },
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// toy

export function toySections(r: ToyResult): Section[] {
  const svgs = toySvgs(r);
  const rows = r.rows.map((x) => [x.data, x.model, r3(x.testMse), r3(x.rmseF), r3(x.nll)] as Cell[]);
  return [
    {
      heading: 'Toy: cross-entropy for regression',
      paragraphs: [
        'A 1-D regression y = f(x) + noise fitted three ways: MSE, Gaussian NLL (mean and σ) and softmax cross-entropy over bins. ' +
          'With Gaussian noise all recover f(x); with bimodal noise (two branches) MSE and the Gaussian predict the average of the branches, ' +
          'where there is no data, while the categorical head puts its mass on both.',
      ],
      tables: [{ columns: ['data', 'model', 'test MSE', 'RMSE vs f(x)', 'NLL (nats)'], rows, caption: `Seed ${r.options.seed}, ${r.options.steps} steps, Q=${r.options.bins}.` }],
      figures: [
        { svg: svgs['gaussian_fit.svg'] },
        { svg: svgs['bimodal_fit.svg'] },
        { svg: svgs['bimodal_pyx.svg'], caption: 'The categorical p(y|x) on bimodal data: mass on both branches.' },
        { svg: svgs['q_sweep.svg'], caption: 'Resolution vs Q: RMSE of each decode against f(x) on Gaussian data.' },
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// writing

export function writeEvalReport(dir: string, name: string, title: string, subtitle: string, sections: Section[], json: unknown): ReturnType<typeof writeReport> {
  const report: Report = { title, subtitle, sections, footer: `binwave ${name} · ${new Date().toISOString().slice(0, 19).replace('T', ' ')} UTC` };
  return writeReport(dir, name, { json, markdown: renderMarkdown(report), html: renderReport(report) });
}

/** Plain-text tables for the terminal (markdown). */
export function tableMarkdown(t: Table): string {
  return markdownTable(t.columns, t.rows) + '\n';
}

// ---------------------------------------------------------------------------------------------------------------
// combined report

/** The headline numbers of `binwave report`: the model's Q as a quantizer, the model's likelihood, its cost. */
export function glanceSection(m: ModelEvalResult, b: BinsResult): Section {
  const q = m.config.quantizer;
  const own = b.rows.find((x) => x.bins === q.bins && x.companding === q.companding);
  const best = [...m.strategies].filter((s) => s.name !== 'sample').sort((x, y) => y.snrDb - x.snrDb)[0];
  const rows: Cell[][] = [
    ['bins', `${q.bins} ${compName(q.companding, q.mu)}`, ''],
    ...(own ? [['quantization alone: round-trip SNR', `${r2(own.snrDb)} dB`, 'the ceiling of any decode that outputs bin centres'] as Cell[]] : []),
    ['NLL on held-out audio', `${r3(m.nllBits)} bits/sample`, `baselines ${r3(m.baselines.log2Q)} (log2 Q) and ${r3(m.baselines.histogramEntropyBits)} (histogram)`],
    ['as a density', `${r3(m.densityBits)} bits/sample`, 'comparable across Q'],
    ['top-1 / top-5 bin accuracy', `${pct(m.top1)} / ${pct(m.top5)}`, ''],
    ['best one-step SNR', best ? `${r2(best.snrDb)} dB (${best.name})` : '', 'teacher-forced'],
    ['output head', `${pct(m.cost.headShareOfMacs)} of ${m.cost.macsPerSample} multiply-adds/sample`, `${m.cost.headParameters} parameters`],
    ['generation', m.generation ? `${m.generation.samplesPerSecond} samples/s` : 'not measured', m.generation ? `${r2(m.generation.realtimeFactor)}× real time at ${m.media.sampleRate} Hz` : ''],
  ];
  return {
    heading: 'At a glance',
    paragraphs: [
      'binwave treats each audio sample as a class: a WaveNet predicts a distribution over Q bins, a decoder turns it back into a value. ' +
        'This page measures what that discretization costs (quantization alone), what the model learns (likelihood against baselines, ' +
        'one-step predictions, its distributions step by step) and what it costs to run.',
    ],
    tables: [{ columns: ['', 'value', 'note'], rows }],
  };
}
