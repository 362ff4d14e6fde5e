/**
 * The training loop: draw windows, accumulate softmax cross-entropy gradients over K micro-batches, clip, Adam,
 * log, validate, checkpoint. Everything a resume needs (weights, Adam moments, the data RNG, the step) goes in the
 * checkpoint, so a resumed run continues the same loss curve it would have followed uninterrupted.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { WaveNet } from '../model/wavenet';
import { Dataset } from '../data/dataset';
import { concatArrays, splitArray } from '../util/arrays';
import { Progress } from '../util/progress';
import { UserError } from '../util/errors';
import { RngState } from '../util/rng';
import { Adam, clipByGlobalNorm } from './adam';
import { loadModel, loadTrainingState, saveCheckpoint } from './checkpoint';
import { GradientPool, defaultWorkers } from './parallel';

export interface TrainOptions {
  outDir: string;
  /** Stop after this many optimizer steps in total (counting steps before a resume). */
  steps?: number;
  /** Stop after this many minutes of this run. */
  minutes?: number;
  batch: number;
  accumulate: number;
  lr: number;
  warmupSteps: number;
  schedule: 'constant' | 'cosine';
  clipNorm: number;
  valEvery: number;
  valWindows: number;
  checkpointEvery: number;
  keep: number;
  /** Continue from the checkpoint model.json points to. */
  resume: boolean;
  /** Set .stop to true (e.g. on Ctrl-C) to save and return after the current step. */
  stopSignal?: { stop: boolean };
  log?: (line: string) => void;
  progress?: boolean;
  /**
   * Gradient workers (worker_threads, each with its own backend): each step's windows are split between them and
   * their gradients averaged. Default: 2 on a wasm backend with at least two cores, else 1 (in this thread).
   */
  workers?: number;
  /** Called after each step's metrics are written (tests use it to simulate a crash). */
  onStep?: (m: StepMetrics) => void;
}

export interface StepMetrics {
  step: number;
  loss_nats: number;
  loss_bits: number;
  lr: number;
  grad_norm: number;
  target_samples_per_s: number;
  elapsed_s: number;
  val_nats?: number;
  val_bits?: number;
}

export interface TrainResult {
  step: number;
  stoppedBy: 'steps' | 'minutes' | 'signal';
  lastLossBits: number;
  lastValBits: number | null;
  targetSamplesPerSec: number;
  /** Gradient workers used (1: in this thread). */
  workers: number;
  /** Largest wasm heap of each gradient worker (bytes), when workers > 1. */
  workerHeapBytes?: number[];
}

interface SavedState {
  dataRng: RngState;
}

/** Learning rate at a step (1-based): linear warm-up, then constant or cosine decay to 10% by `total`. */
export function learningRate(step: number, o: Pick<TrainOptions, 'lr' | 'warmupSteps' | 'schedule'>, total?: number): number {
  if (o.warmupSteps > 0 && step <= o.warmupSteps) return (o.lr * step) / o.warmupSteps;
  if (o.schedule === 'constant' || !total || total <= o.warmupSteps) return o.lr;
  const p = Math.min(1, (step - o.warmupSteps) / (total - o.warmupSteps));
  return o.lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * p)));
}

/** Keep only metric lines up to `step` (a resumed run rewrites what came after its checkpoint). */
function truncateMetrics(file: string, step: number): void {
  if (!fs.existsSync(file)) return;
  const kept = fs.readFileSync(file, 'utf8').split('\n').filter((line) => {
    if (!line.trim()) return false;
    try {
      return (JSON.parse(line) as StepMetrics).step <= step;
    } catch {
      return false; // a line cut short by a crash
    }
  });
  fs.writeFileSync(file, kept.map((l) => l + '\n').join(''));
}

const LN2 = Math.log(2);

/** Mean cross-entropy (nats) over fixed windows, in chunks of `batch`. */
export function evaluateNats(model: WaveNet, windows: Int32Array[], batch: number): number {
  if (windows.length === 0) return NaN;
  const W = windows[0].length;
  let sum = 0;
  for (let i = 0; i < windows.length; i += batch) {
    const chunk = windows.slice(i, i + batch);
    const flat = new Int32Array(chunk.length * W);
    chunk.forEach((w, j) => flat.set(w, j * W));
    const loss = tf.tidy(() => model.loss(tf.tensor2d(flat, [chunk.length, W], 'int32')));
    sum += loss.dataSync()[0] * chunk.length;
    loss.dispose();
  }
  return sum / windows.length;
}

export async function train(model: WaveNet, data: Dataset, o: TrainOptions): Promise<TrainResult> {
  const n = Math.max(1, Math.min(Math.floor(o.workers ?? defaultWorkers()), o.batch * o.accumulate));
  const pool = n > 1 ? await GradientPool.start(model.getConfig(), n) : null;
  (o.log ?? ((l: string) => process.stderr.write(l + '\n')))(
    n > 1 ? `gradients on ${n} worker threads, each with its own backend` : 'gradients in this thread');
  try {
    return await trainWith(model, data, o, pool);
  } finally {
    await pool?.dispose();
  }
}

/** Mean gradient and loss of one step's micro-batches, in this thread. */
async function localGradients(model: WaveNet, vars: tf.Variable[], data: Dataset, o: TrainOptions): Promise<{ mean: tf.Tensor[]; lossNats: number }> {
  let acc: tf.Tensor[] | null = null;
  let lossSum = 0;
  for (let k = 0; k < o.accumulate; k++) {
    const windows = tf.tensor2d(data.nextBatch(o.batch), [o.batch, data.windowLength], 'int32');
    const { value, grads } = tf.variableGrads(() => model.loss(windows), vars);
    lossSum += (await value.data())[0];
    const g = vars.map((v) => grads[v.name]);
    if (acc === null) acc = g;
    else {
      const prev: tf.Tensor[] = acc;
      acc = prev.map((a, i) => tf.add(a, g[i]));
      prev.forEach((t) => t.dispose());
      g.forEach((t) => t.dispose());
    }
    value.dispose();
    windows.dispose();
  }
  const mean = acc!.map((a) => tf.div(a, o.accumulate));
  acc!.forEach((t) => t.dispose());
  return { mean, lossNats: lossSum / o.accumulate };
}

/** The same from the gradient workers: this thread draws the windows (the data RNG stays here). */
async function poolGradients(pool: GradientPool, vars: tf.Variable[], data: Dataset, o: TrainOptions, heap: number[]): Promise<{ mean: tf.Tensor[]; lossNats: number }> {
  const microBatches = Array.from({ length: o.accumulate }, () => data.nextBatch(o.batch));
  const weights = concatArrays(vars.map((v) => v.dataSync() as Float32Array), (n) => new Float32Array(n));
  const r = await pool.step(weights, microBatches, data.windowLength);
  r.heapBytes.forEach((b, i) => (heap[i] = Math.max(heap[i] ?? 0, b)));
  const mean = splitArray(r.grads, vars.map((v) => v.size)).map((g, i) => tf.tensor(g, vars[i].shape));
  return { mean, lossNats: r.lossNats };
}

async function trainWith(model: WaveNet, data: Dataset, o: TrainOptions, pool: GradientPool | null): Promise<TrainResult> {
  const heap: number[] = [];
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  fs.mkdirSync(o.outDir, { recursive: true });
  const metricsFile = path.join(o.outDir, 'metrics.jsonl');
  const vars = [...model.variables.values()];
  const adam = new Adam(vars);
  let step = 0;

  if (o.resume) {
    const loaded = loadModel(o.outDir);
    model.setWeights(loaded.weights);
    const sizes = [...vars, ...vars].map((v) => v.size);
    const saved = loadTrainingState(loaded.checkpointDir, sizes);
    adam.setState(saved.optimizer);
    const st = saved.state as SavedState | null;
    if (st?.dataRng) data.setRngState(st.dataRng);
    step = saved.step;
    truncateMetrics(metricsFile, step);
    log(`resumed from ${path.relative(process.cwd(), loaded.checkpointDir) || loaded.checkpointDir} at step ${step}`);
  } else {
    fs.rmSync(metricsFile, { force: true });
  }

  const save = () => {
    saveCheckpoint(o.outDir, {
      config: model.getConfig(),
      weights: model.weightArrays(),
      step,
      optimizer: adam.getState(),
      state: { dataRng: data.getRngState() } satisfies SavedState,
      keep: o.keep,
    });
  };

  const valWindows = data.validationWindows(o.valWindows);
  const targetsPerStep = o.batch * o.accumulate * (data.windowLength - model.receptiveField);
  const startStep = step;
  const t0 = Date.now();
  const deadline = o.minutes !== undefined ? t0 + o.minutes * 60_000 : Infinity;
  const totalSteps = o.steps ?? Infinity;
  const bar = new Progress({
    total: Number.isFinite(totalSteps) ? totalSteps : step + 1,
    label: 'train',
    unit: 'steps',
    silent: o.progress === false,
  });
  let stoppedBy: TrainResult['stoppedBy'] = 'steps';
  let lastLossBits = NaN;
  let lastValBits: number | null = null;
  let lastSaved = step;
  let rate = 0;

  while (step < totalSteps) {
    if (o.stopSignal?.stop) {
      stoppedBy = 'signal';
      break;
    }
    if (Date.now() >= deadline) {
      stoppedBy = 'minutes';
      break;
    }
    const stepStart = Date.now();
    const lr = learningRate(step + 1, o, o.steps);
    // Gradient accumulation: the mean of the micro-batch gradients.
    const { mean, lossNats } = pool ? await poolGradients(pool, vars, data, o, heap) : await localGradients(model, vars, data, o);
    if (!Number.isFinite(lossNats)) {
      mean.forEach((t) => t.dispose());
      bar.finish();
      throw new UserError(
        `loss became ${lossNats} at step ${step + 1}; stopped without saving it. The last good checkpoint (step ${lastSaved}) ` +
          `is kept in ${o.outDir}: resume from it with a lower --lr or a smaller --clip`,
      );
    }
    const clipped = clipByGlobalNorm(mean, o.clipNorm);
    mean.forEach((t) => t.dispose());
    adam.apply(clipped.grads, lr);
    clipped.grads.forEach((t) => t.dispose());
    step++;

    const dt = (Date.now() - stepStart) / 1000;
    rate = targetsPerStep / Math.max(dt, 1e-6);
    lastLossBits = lossNats / LN2;
    const m: StepMetrics = {
      step,
      loss_nats: lossNats,
      loss_bits: lastLossBits,
      lr,
      grad_norm: clipped.norm,
      target_samples_per_s: Math.round(rate),
      elapsed_s: (Date.now() - t0) / 1000,
    };
    const lastStep = step >= totalSteps || Date.now() >= deadline || o.stopSignal?.stop;
    if (valWindows.length > 0 && (step % o.valEvery === 0 || lastStep)) {
      m.val_nats = evaluateNats(model, valWindows, o.batch);
      m.val_bits = m.val_nats / LN2;
      lastValBits = m.val_bits;
    }
    fs.appendFileSync(metricsFile, JSON.stringify(m) + '\n');
    if (!Number.isFinite(totalSteps)) {
      const perStep = (Date.now() - t0) / (step - startStep);
      bar.setTotal(step + Math.max(0, Math.ceil((deadline - Date.now()) / perStep)));
    }
    bar.update(step, `loss ${lossNats.toFixed(3)} nats ${lastLossBits.toFixed(3)} bits` +
      (lastValBits !== null ? ` val ${lastValBits.toFixed(3)} bits` : '') + ` ${Math.round(rate)} samples/s`);
    if (m.val_bits !== undefined && o.progress === false) {
      log(`step ${step}: loss ${lastLossBits.toFixed(3)} bits/sample, validation ${m.val_bits.toFixed(3)} bits/sample`);
    }
    if (step % o.checkpointEvery === 0) {
      save();
      lastSaved = step;
    }
    o.onStep?.(m);
  }
  bar.finish();
  if (lastSaved !== step) save();
  adam.dispose();
  return {
    step, stoppedBy, lastLossBits, lastValBits, targetSamplesPerSec: rate, workers: pool ? pool.size : 1,
    ...(pool ? { workerHeapBytes: heap } : {}),
  };
}
