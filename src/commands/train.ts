/** `binwave train`: fit a WaveNet to a WAV folder, with checkpoints, validation and resume. */
import * as fs from 'fs';
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { BACKEND_CHOICES, BackendChoice, describeBackend, selectBackend } from '../backend';
import { DEFAULT_TARGET_LENGTH, DEFAULT_VAL_FRACTION, folderDataset, recordSplit } from '../data/folder';
import { ModelConfig, PRESETS, describeModel, presetConfig, validateConfig } from '../model/config';
import { WaveNet } from '../model/wavenet';
import { Companding, Quantizer } from '../quantize/quantizer';
import { loadModel } from '../train/checkpoint';
import { train } from '../train/trainer';
import { UserError } from '../util/errors';
import { GlobalArgs, handler } from './common';

interface TrainArgs extends GlobalArgs {
  data: string;
  out: string;
  preset: string;
  bins?: number;
  mu?: number;
  companding?: Companding;
  input?: 'onehot' | 'scalar';
  rate?: number;
  steps?: number;
  minutes?: number;
  batch: number;
  targetLength: number;
  accumulate: number;
  lr: number;
  warmup: number;
  schedule: 'constant' | 'cosine';
  clip: number;
  seed: number;
  backend: BackendChoice;
  resume: boolean;
  trimSilence?: number;
  normalize: boolean;
  valFraction: number;
  valEvery: number;
  valWindows: number;
  checkpointEvery: number;
  keep: number;
  cacheMb: number;
  workers?: number;
  strict: boolean;
  force: boolean;
}

/** The model config a run uses: the checkpoint's on --resume, else the preset with any overrides. */
function resolveConfig(a: TrainArgs): ModelConfig {
  if (a.resume) return loadModel(a.out).config;
  const base = presetConfig(a.preset);
  const q = { ...base.quantizer };
  if (a.bins !== undefined) q.bins = a.bins;
  if (a.mu !== undefined) q.mu = a.mu;
  if (a.companding !== undefined) q.companding = a.companding;
  return { ...base, quantizer: q, sampleRate: a.rate ?? base.sampleRate, input: a.input ?? base.input };
}

function positive(name: string, v: number | undefined, integer = true): void {
  if (v === undefined) return;
  if (!(v > 0) || (integer && !Number.isInteger(v))) throw new UserError(`--${name}: expected a positive ${integer ? 'whole ' : ''}number, got ${v}`);
}

export async function runTrain(a: TrainArgs): Promise<void> {
  for (const [k, v] of [['steps', a.steps], ['batch', a.batch], ['target-length', a.targetLength], ['accumulate', a.accumulate],
    ['val-every', a.valEvery], ['workers', a.workers], ['checkpoint-every', a.checkpointEvery], ['keep', a.keep]] as const) positive(k, v);
  positive('minutes', a.minutes, false);
  positive('lr', a.lr, false);
  if (a.steps === undefined && a.minutes === undefined) throw new UserError('say how long to train: --steps N and/or --minutes M');
  if (!(a.valFraction >= 0 && a.valFraction < 1)) throw new UserError(`--val-fraction: expected 0 <= f < 1, got ${a.valFraction}`);
  if (!a.resume && fs.existsSync(path.join(a.out, 'model.json')) && !a.force) {
    throw new UserError(`${a.out}: already holds a model (use --resume to continue it, or --force to start over)`);
  }
  if (!a.resume && a.force) fs.rmSync(path.join(a.out, 'checkpoints'), { recursive: true, force: true });
  let config: ModelConfig;
  try {
    config = resolveConfig(a);
    validateConfig(config);
    new Quantizer(config.quantizer);
  } catch (err) {
    throw err instanceof UserError ? err : new UserError((err as Error).message);
  }
  const report = await selectBackend(a.backend);
  const log = (l: string) => process.stderr.write(l + '\n');
  log(describeBackend(report));
  log(describeModel(config));
  const data = folderDataset({
    dir: a.data, config, targetLength: a.targetLength, valFraction: a.valFraction, seed: a.seed + 1,
    trimDb: a.trimSilence, normalize: a.normalize, cacheMb: a.cacheMb, strict: a.strict, warn: log,
  });
  const s = data.summary;
  log(`data: ${s.trainFiles} training files (${(s.trainSeconds / config.sampleRate).toFixed(1)} s), ` +
    `${s.valFiles} validation files (${(s.valSeconds / config.sampleRate).toFixed(1)} s), ${s.skipped.length} skipped`);
  log(`baselines: log2 Q = ${Math.log2(config.quantizer.bins).toFixed(3)} bits/sample (a model that learned nothing); ` +
    `bin-histogram entropy = ${s.histogramEntropyBits.toFixed(3)} bits/sample (a model without context)`);
  log(`batch ${a.batch} x ${a.targetLength} targets` + (a.accumulate > 1 ? ` x ${a.accumulate} accumulated` : '') +
    `; window ${data.windowLength} samples`);

  if (!a.resume) recordSplit(a.out, data, a.data, a.valFraction);
  const model = WaveNet.create(config, a.seed);
  const stop = { stop: false };
  const onSigint = () => {
    if (stop.stop) process.exit(130);
    stop.stop = true;
    log('\nstopping after this step and saving a checkpoint (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  try {
    const r = await train(model, data, {
      outDir: a.out, steps: a.steps, minutes: a.minutes, batch: a.batch, accumulate: a.accumulate, lr: a.lr,
      warmupSteps: a.warmup, schedule: a.schedule, clipNorm: a.clip, valEvery: a.valEvery, valWindows: a.valWindows,
      checkpointEvery: a.checkpointEvery, keep: a.keep, resume: a.resume, stopSignal: stop, log,
      progress: true, workers: a.workers,
    });
    const why = { steps: 'step limit reached', minutes: 'time limit reached', signal: 'interrupted' }[r.stoppedBy];
    log(`saved ${a.out} at step ${r.step} (${why}); last loss ${r.lastLossBits.toFixed(3)} bits/sample` +
      (r.lastValBits !== null ? `, validation ${r.lastValBits.toFixed(3)} bits/sample` : ''));
  } finally {
    process.off('SIGINT', onSigint);
    model.dispose();
  }
}

export const trainCommand: CommandModule<GlobalArgs, TrainArgs> = {
  command: 'train',
  describe: 'train a WaveNet on a folder of WAV files',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('data', { type: 'string', default: 'data', describe: 'folder of .wav files (searched recursively)' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'model directory (checkpoints, metrics.jsonl)' })
      .option('preset', { choices: Object.keys(PRESETS), default: 'reference', describe: 'model size' })
      .option('bins', { type: 'number', describe: 'number of bins Q (overrides the preset)' })
      .option('mu', { type: 'number', describe: 'μ of the μ-law companding' })
      .option('companding', { choices: ['mulaw', 'linear'] as const, describe: 'bin spacing' })
      .option('input', { choices: ['onehot', 'scalar'] as const, describe: 'how past samples enter the network' })
      .option('rate', { type: 'number', describe: 'sample rate of the model (Hz); audio is resampled to it' })
      .option('steps', { type: 'number', describe: 'train until this many optimizer steps in total' })
      .option('minutes', { type: 'number', describe: 'stop after this many minutes' })
      .option('batch', { type: 'number', default: 4, describe: 'windows per micro-batch' })
      .option('target-length', { type: 'number', default: DEFAULT_TARGET_LENGTH, describe: 'predicted samples per window (the window adds the receptive field)' })
      .option('accumulate', { type: 'number', default: 1, describe: 'micro-batches per optimizer step (gradient accumulation)' })
      .option('lr', { type: 'number', default: 1e-3, describe: 'peak learning rate (Adam)' })
      .option('warmup', { type: 'number', default: 50, describe: 'linear learning-rate warm-up steps' })
      .option('schedule', { choices: ['constant', 'cosine'] as const, default: 'cosine' as const, describe: 'after warm-up: constant, or cosine decay to 10% at --steps' })
      .option('clip', { type: 'number', default: 5, describe: 'clip the gradient global norm to this (0: off)' })
      .option('seed', { type: 'number', default: 42, describe: 'seed of the weights and of the data order' })
      .option('backend', { choices: BACKEND_CHOICES, default: 'auto' as BackendChoice, describe: 'TensorFlow.js backend' })
      .option('resume', { type: 'boolean', default: false, describe: 'continue from the latest checkpoint in --out' })
      .option('trim-silence', { type: 'number', describe: 'trim leading/trailing audio below this level (dBFS, e.g. -40)' })
      .option('normalize', { type: 'boolean', default: false, describe: 'peak-normalise every file to -1 dBFS' })
      .option('val-fraction', { type: 'number', default: DEFAULT_VAL_FRACTION, describe: 'fraction of files held out for validation' })
      .option('val-every', { type: 'number', default: 100, describe: 'validate every N steps' })
      .option('val-windows', { type: 'number', default: 16, describe: 'fixed validation windows' })
      .option('checkpoint-every', { type: 'number', default: 100, describe: 'checkpoint every N steps' })
      .option('keep', { type: 'number', default: 3, describe: 'checkpoints to keep' })
      .option('workers', { type: 'number', describe: 'gradient worker threads, each with its own backend (default: 2 on wasm with 2+ cores, else 1)' })
      .option('cache-mb', { type: 'number', default: 256, describe: 'memory for decoded audio (MB)' })
      .option('strict', { type: 'boolean', default: false, describe: 'stop at the first unreadable file instead of skipping it' })
      .option('force', { type: 'boolean', default: false, describe: 'start over in a model directory that holds a model' })
      .example('$0 train --data data --out models/demo --preset tiny --minutes 1', 'the demo')
      .example('$0 train --data ~/wavs --out runs/ref --steps 20000', 'the reference model')
      .example('$0 train --out runs/ref --resume --steps 40000', 'continue a run') as never,
  handler: handler<TrainArgs>(runTrain),
};
