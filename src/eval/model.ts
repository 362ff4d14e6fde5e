/**
 * `binwave eval model`: a trained model on held-out audio. Teacher-forced one-step prediction
 * (src/eval/predict.ts) over the model's validation files gives the NLL in bits/sample, beside its two baselines
 * (log2 Q: a model that learned nothing; the bin-histogram entropy of the training files: a model without
 * context), the same NLL as a Q-independent density (NLL + log2 bin width, so models with different Q compare),
 * top-1/top-5 bin accuracy and the one-step SNR of each decoding strategy. Beside them: what the output head
 * costs per sample and how fast this model generates.
 *
 * Held-out audio: with `split: 'val'` (the default) the files are the validation files that training recorded in
 * MODEL_DIR/split.json; for a model without one, the validation files of the training split —
 * the same hash split (src/data/dataset.ts splitFiles) with the same validation fraction, so with the folder the
 * model was trained on these are exactly the files training never saw. With `split: 'all'` every file of the
 * folder is scored (for a folder the model was not trained on).
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadAudio, scanWavFolder } from '../audio';
import { measure } from '../bench/generate';
import { DEFAULT_TARGET_LENGTH, DEFAULT_VAL_FRACTION, SPLIT_FILE, TrainSplit, folderDataset } from '../data/folder';
import { Dataset } from '../data/dataset';
import { Generator } from '../generate/generator';
import { ModelConfig, cost, parameterCount, receptiveField } from '../model/config';
import { loadModel } from '../train/checkpoint';
import { readMetricsJsonl, metricSeries } from '../report/metrics-curves';
import { UserError } from '../util/errors';
import { teacherForcedPredict } from './predict';


export interface ModelEvalOptions {
  model: string;
  data: string;
  split?: 'val' | 'all';
  valFraction?: number;
  /** The --target-length the model was trained with (decides which files were long enough to use; default 4096). */
  targetLength?: number;
  /** Score at most this much audio (seconds, over the held-out files in order); default 10. */
  maxSeconds?: number;
  /** Steps of the predicted-distribution heat map (default 400). */
  heatSteps?: number;
  /** Seconds per timed run of the generation benchmark (3 runs after a warm-up; default 0.3). 0: skip. */
  benchSeconds?: number;
  /** Length of the clips embedded for listening (default 4 s). */
  listenSeconds?: number;
  /** Folder of generated WAVs to embed; default MODEL_DIR/samples if it exists. */
  clips?: string;
  warn?: (line: string) => void;
}

export interface StrategyScore {
  name: string;
  snrDb: number;
}

export interface ModelEvalResult {
  model: string;
  data: string;
  split: 'val' | 'all';
  valFraction: number;
  step: number;
  config: ModelConfig;
  parameters: number;
  receptiveField: number;
  files: { file: string; seconds: number; scored: number }[];
  scoredSamples: number;
  scoredSeconds: number;
  nllBits: number;
  densityBits: number;
  /** Mean log2 bin width (amplitude) at the true samples: densityBits − nllBits. */
  meanLog2Width: number;
  baselines: { log2Q: number; histogramEntropyBits: number };
  top1: number;
  top5: number;
  strategies: StrategyScore[];
  cost: { macsPerSample: number; headMacsPerSample: number; headParameters: number; headShareOfMacs: number };
  generation: { kernel: string; samplesPerSecond: number; cpuSamplesPerSecond: number; realtimeFactor: number } | null;
  training: { metricsFile: string; lastStep: number; lastLossBits: number | null; lastValBits: number | null } | null;
  elapsedSeconds: number;
  /** Arrays for the report (figures and audio); left out of the JSON. */
  media: ModelEvalMedia;
}

export interface ModelEvalMedia {
  sampleRate: number;
  /** The heat-map excerpt: distributions of `heatSteps` consecutive steps of an active part of the first file. */
  heat: { file: string; start: number; probs: Float32Array[]; trueBins: Int32Array; truth: Float32Array; mean: Float32Array; argmax: Float32Array };
  listen: { file: string; original: Float32Array; predictions: { name: string; samples: Float32Array }[] };
  generated: { file: string; samples: Float32Array }[];
}

/** The validation files `binwave train` recorded in MODEL_DIR/split.json, found again under `dataDir`. */
function recordedValFiles(model: string, dataDir: string): string[] | null {
  const file = path.join(model, SPLIT_FILE);
  if (!fs.existsSync(file)) return null;
  const split = JSON.parse(fs.readFileSync(file, 'utf8')) as TrainSplit;
  const found = split.val.map((rel) => path.join(dataDir, rel)).filter((f) => fs.existsSync(f));
  return found.length > 0 ? found : null;
}

function heldOut(o: ModelEvalOptions, config: ModelConfig, warn: (l: string) => void): { data: Dataset; split: 'val' | 'all'; files: string[] } {
  const split = o.split ?? 'val';
  const valFraction = o.valFraction ?? DEFAULT_VAL_FRACTION;
  if (split === 'val') {
    // What training held out, as it recorded it; else the same hash split recomputed from the flags.
    const recorded = recordedValFiles(o.model, o.data);
    if (recorded) {
      const all = folderDataset({ dir: o.data, config, targetLength: 1, valFraction: 0, seed: 0, warn });
      return { data: all, split, files: recorded };
    }
    const data = folderDataset({ dir: o.data, config, targetLength: o.targetLength ?? DEFAULT_TARGET_LENGTH, valFraction, seed: 0, warn });
    if (data.val.length > 0) return { data, split, files: data.val.map((f) => f.file) };
    warn(`${o.data}: no validation files at --val-fraction ${valFraction} (one usable file?); scoring all files`);
  }
  const data = folderDataset({ dir: o.data, config, targetLength: 1, valFraction: 0, seed: 0, warn });
  return { data, split: 'all', files: data.train.map((f) => f.file) };
}

/**
 * Start of a `len`-sample window (at or after `from`) for the heat map: of the non-overlapping windows, the one at
 * the 80th percentile of energy — clearly active, yet not the loudest, whose μ-law codes sweep every bin.
 */
function excerptStart(x: Float32Array, from: number, len: number): number {
  if (x.length - from <= len) return from;
  const windows: { at: number; e: number }[] = [];
  for (let s = from; s + len <= x.length; s += len) {
    let e = 0;
    for (let i = s; i < s + len; i++) e += x[i] * x[i];
    windows.push({ at: s, e });
  }
  windows.sort((p, q) => p.e - q.e);
  return windows[Math.min(windows.length - 1, Math.floor(0.8 * windows.length))].at;
}

export async function evalModel(o: ModelEvalOptions): Promise<ModelEvalResult> {
  const t0 = Date.now();
  const warn = o.warn ?? ((l: string) => process.stderr.write(l + '\n'));
  if (!fs.existsSync(o.model) || !fs.statSync(o.model).isDirectory()) throw new UserError(`${o.model}: no such model directory`);
  if (!fs.existsSync(path.join(o.model, 'model.json'))) throw new UserError(`${o.model}: no model.json (not a binwave model directory)`);
  const maxSeconds = o.maxSeconds ?? 10;
  if (!(maxSeconds > 0)) throw new UserError(`--max-seconds: expected a positive number, got ${maxSeconds}`);
  const valFraction = o.valFraction ?? DEFAULT_VAL_FRACTION;
  if (!(valFraction > 0 && valFraction < 1)) throw new UserError(`--val-fraction: expected 0 < f < 1, got ${valFraction}`);
  if (o.clips !== undefined && !fs.existsSync(o.clips)) throw new UserError(`--clips ${o.clips}: no such folder`);
  const { config, weights, step } = loadModel(o.model);
  const rate = config.sampleRate;
  const { data, split, files } = heldOut(o, config, warn);
  const gen = await Generator.create(config, weights, 1);
  const q = gen.quantizer;
  const RF = gen.receptiveField;

  // Teacher-forced prediction over the held-out files, up to maxSeconds in all.
  let budget = Math.round(maxSeconds * rate);
  let scored = 0, nll = 0, density = 0, top1 = 0, top5 = 0;
  let names: string[] = [];
  let sig: number[] = [];
  let err: number[] = [];
  const used: ModelEvalResult['files'] = [];
  let listen: ModelEvalMedia['listen'] | null = null;
  let firstSamples: Float32Array | null = null;
  const listenLen = Math.round((o.listenSeconds ?? 4) * rate);
  for (const file of files) {
    if (budget <= 2 * RF) break;
    const full = loadAudio(file, { sampleRate: rate }).audio.samples;
    firstSamples ??= full;
    const n = Math.min(full.length, budget);
    const clip = full.subarray(0, n);
    const codes = Int32Array.from(data.codes(file).subarray(0, n));
    const r = teacherForcedPredict(gen, codes, clip);
    budget -= n;
    if (names.length === 0) {
      names = r.predictions.map((p) => p.name);
      sig = names.map(() => 0);
      err = names.map(() => 0);
    }
    r.predictions.forEach((p, i) => {
      for (let t = r.firstScored; t < n; t++) {
        sig[i] += clip[t] * clip[t];
        const e = clip[t] - p.values[t];
        err[i] += e * e;
      }
    });
    scored += r.scored;
    nll += r.nllBits * r.scored;
    density += r.densityBits * r.scored;
    top1 += r.top1 * r.scored;
    top5 += r.top5 * r.scored;
    used.push({ file, seconds: n / rate, scored: r.scored });
    if (!listen) {
      const m = Math.min(n, listenLen);
      listen = {
        file,
        original: clip.slice(0, m),
        predictions: r.predictions.filter((p) => p.name !== 'sample' && p.name !== 'interp-2').map((p) => ({ name: p.name, samples: p.values.slice(0, m) })),
      };
    }
  }
  if (scored === 0 || !listen) throw new UserError(`${o.data}: no held-out file is longer than twice the receptive field (${2 * RF} samples)`);

  // Heat-map excerpt: heatSteps consecutive predictions of an active part of the first file, with full context.
  const heatSteps = o.heatSteps ?? 400;
  const first = used[0].file;
  const x = firstSamples!;
  const allCodes = data.codes(first);
  const s = excerptStart(x, RF, heatSteps);
  const from = Math.max(0, s - RF);
  const len = Math.min(x.length - from, s - from + Math.max(heatSteps, RF + 1));
  const hc = Int32Array.from(allCodes.subarray(from, from + len));
  const hx = x.slice(from, from + len);
  const hr = teacherForcedPredict(gen, hc, hx, {
    strategies: [{ name: 'mean', sampler: { strategy: 'mean' } }, { name: 'argmax', sampler: { strategy: 'argmax' } }],
    distributionEvery: 1,
    maxDistributions: heatSteps,
  });
  const h0 = hr.firstScored;
  const hn = hr.distributions.length;
  const heat: ModelEvalMedia['heat'] = {
    file: first,
    start: from + h0,
    probs: hr.distributions.map((d) => d.probs),
    trueBins: hc.slice(h0, h0 + hn),
    truth: hx.slice(h0, h0 + hn),
    mean: hr.predictions[0].values.slice(h0, h0 + hn),
    argmax: hr.predictions[1].values.slice(h0, h0 + hn),
  };

  // Generated clips: --clips DIR, else MODEL_DIR/samples.
  const clipsDir = o.clips ?? path.join(o.model, 'samples');
  const generated: ModelEvalMedia['generated'] = [];
  if (fs.existsSync(clipsDir)) {
    for (const f of scanWavFolder(clipsDir).files.slice(0, 6)) {
      try {
        generated.push({ file: f, samples: loadAudio(f, { sampleRate: rate }).audio.samples.slice(0, 10 * rate) });
      } catch (e) {
        warn(`skipped ${f}: ${(e as Error).message}`);
      }
    }
  }

  // Generation speed of this very model (batch 1, the best kernel available).
  let generation: ModelEvalResult['generation'] = null;
  const benchSeconds = o.benchSeconds ?? 0.3;
  if (benchSeconds > 0) {
    const m = measure(gen, 3, benchSeconds); // the evaluation is done with gen's state
    generation = { kernel: gen.kernel, samplesPerSecond: Math.round(m.wall), cpuSamplesPerSecond: Math.round(m.cpu), realtimeFactor: m.wall / rate };
  }

  // Training curve summary.
  let training: ModelEvalResult['training'] = null;
  const metricsFile = path.join(o.model, 'metrics.jsonl');
  if (fs.existsSync(metricsFile)) {
    const { records } = readMetricsJsonl(metricsFile);
    const loss = metricSeries(records, 'loss_bits');
    const val = metricSeries(records, 'val_bits');
    training = {
      metricsFile,
      lastStep: records.length ? records[records.length - 1].step : 0,
      lastLossBits: loss.y.length ? loss.y[loss.y.length - 1] : null,
      lastValBits: val.y.length ? val.y[val.y.length - 1] : null,
    };
  }

  const k = cost(config);
  return {
    model: o.model,
    data: o.data,
    split,
    valFraction,
    step,
    config,
    parameters: parameterCount(config),
    receptiveField: receptiveField(config),
    files: used,
    scoredSamples: scored,
    scoredSeconds: scored / rate,
    nllBits: nll / scored,
    densityBits: density / scored,
    meanLog2Width: (density - nll) / scored,
    baselines: { log2Q: Math.log2(q.bins), histogramEntropyBits: data.summary.histogramEntropyBits },
    top1: top1 / scored,
    top5: top5 / scored,
    strategies: names.map((name, i) => ({ name, snrDb: 10 * Math.log10((sig[i] + 1e-20) / err[i]) })),
    cost: { ...k, headShareOfMacs: k.headMacsPerSample / k.macsPerSample },
    generation,
    training,
    elapsedSeconds: (Date.now() - t0) / 1000,
    media: { sampleRate: rate, heat, listen, generated },
  };
}

/** The result without its arrays (what goes in the JSON). */
export function modelEvalSummary(r: ModelEvalResult): Omit<ModelEvalResult, 'media'> & { heatExcerpt: { file: string; start: number; steps: number } } {
  const { media, ...rest } = r;
  return { ...rest, heatExcerpt: { file: media.heat.file, start: media.heat.start, steps: media.heat.probs.length } };
}
