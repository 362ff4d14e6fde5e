/**
 * `binwave eval sweep`: the trade-off table of binwave. The same trunk (a preset) is trained at each Q with the
 * same seed, the same budget (steps, or minutes each) and the same validation files, through the same pieces
 * `binwave train` uses (folderDataset, WaveNet.create, train()); each model is then scored by evalModel.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BackendChoice, selectBackend } from '../backend';
import { DEFAULT_VAL_FRACTION, folderDataset, recordSplit } from '../data/folder';
import { presetConfig, validateConfig } from '../model/config';
import { WaveNet } from '../model/wavenet';
import { Companding } from '../quantize/quantizer';
import { train } from '../train/trainer';
import { UserError } from '../util/errors';
import { checkBins } from './bins';
import { ModelEvalResult, evalModel } from './model';

export interface SweepOptions {
  data: string;
  /** Each model goes to out/q<Q>/. */
  out: string;
  bins: number[];
  preset?: string;
  companding?: Companding;
  mu?: number;
  steps?: number;
  /** Minutes of training per Q. */
  minutes?: number;
  seed?: number;
  batch?: number;
  targetLength?: number;
  lr?: number;
  warmup?: number;
  valEvery?: number;
  valFraction?: number;
  maxSeconds?: number;
  benchSeconds?: number;
  backend?: BackendChoice;
  log?: (line: string) => void;
}

export interface SweepRow {
  bins: number;
  dir: string;
  steps: number;
  trainSeconds: number;
  eval: ModelEvalResult;
}

export interface SweepResult {
  data: string;
  preset: string;
  seed: number;
  budget: string;
  rows: SweepRow[];
  elapsedSeconds: number;
}

export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const t0 = Date.now();
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  checkBins(o.bins);
  if (o.steps === undefined && o.minutes === undefined) throw new UserError('say how long to train each model: --steps N or --minutes M');
  if (o.steps !== undefined && !(Number.isInteger(o.steps) && o.steps > 0)) throw new UserError(`--steps: expected a positive whole number, got ${o.steps}`);
  if (o.minutes !== undefined && !(o.minutes > 0)) throw new UserError(`--minutes: expected a positive number, got ${o.minutes}`);
  const preset = o.preset ?? 'tiny';
  let base;
  try {
    base = presetConfig(preset);
  } catch (err) {
    throw new UserError(`--preset: ${(err as Error).message}`);
  }
  const seed = o.seed ?? 42;
  const targetLength = o.targetLength ?? 1024;
  const valFraction = o.valFraction ?? DEFAULT_VAL_FRACTION;
  const valEvery = o.valEvery ?? (o.steps !== undefined ? Math.max(1, Math.ceil(o.steps / 10)) : 50);
  await selectBackend(o.backend ?? 'auto');
  const rows: SweepRow[] = [];
  for (const Q of o.bins) {
    const config = { ...base, quantizer: { ...base.quantizer, bins: Q, ...(o.companding ? { companding: o.companding } : {}), ...(o.mu !== undefined ? { mu: o.mu } : {}) } };
    validateConfig(config);
    const dir = path.join(o.out, `q${Q}`);
    fs.rmSync(path.join(dir, 'checkpoints'), { recursive: true, force: true });
    const data = folderDataset({ dir: o.data, config, targetLength, valFraction, seed: seed + 1, warn: log });
    recordSplit(dir, data, o.data, valFraction);
    const model = WaveNet.create(config, seed);
    const t1 = Date.now();
    let step = 0;
    try {
      const r = await train(model, data, {
        outDir: dir, steps: o.steps, minutes: o.minutes, batch: o.batch ?? 4, accumulate: 1, lr: o.lr ?? 3e-3,
        warmupSteps: o.warmup ?? 20, schedule: 'cosine', clipNorm: 5, valEvery, valWindows: 16,
        checkpointEvery: 1e9, keep: 1, resume: false, log: () => undefined, progress: false,
      });
      step = r.step;
    } finally {
      model.dispose();
    }
    const trainSeconds = (Date.now() - t1) / 1000;
    const ev = await evalModel({ model: dir, data: o.data, split: 'val', valFraction, targetLength, maxSeconds: o.maxSeconds ?? 10, benchSeconds: o.benchSeconds, warn: log });
    log(`Q=${Q}: ${step} steps in ${trainSeconds.toFixed(1)} s; NLL ${ev.nllBits.toFixed(3)} bits (log2 Q ${ev.baselines.log2Q.toFixed(2)}), density ${ev.densityBits.toFixed(3)} bits`);
    rows.push({ bins: Q, dir, steps: step, trainSeconds, eval: ev });
  }
  const budget = o.steps !== undefined ? `${o.steps} steps each` + (o.minutes !== undefined ? ` (at most ${o.minutes} min)` : '') : `${o.minutes} minutes each`;
  return { data: o.data, preset, seed, budget, rows, elapsedSeconds: (Date.now() - t0) / 1000 };
}
