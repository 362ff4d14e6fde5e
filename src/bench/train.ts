/**
 * Training benchmark on the reference preset (batch 4 x 4,096 targets, wasm): target samples/s with 1 and 2
 * gradient workers (medians of the timed steps after one warm-up step), peak RSS, the dataset's memory growth
 * with a 10x corpus, the wasm matMul peak and the fraction of it training reaches, and (when Debian's torch is
 * installed) the PyTorch peer's rate. Each measurement runs in a child process so that RSS peaks do not mix.
 *
 *   node dist/bench/train.js [--steps 4] [--quick]     prints one JSON object
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';
import { ModelConfig, dilations, presetConfig, receptiveField } from '../model/config';
import { WaveNet } from '../model/wavenet';
import { Dataset } from '../data/dataset';
import { folderDataset } from '../data/folder';
import { Quantizer } from '../quantize/quantizer';
import { train } from '../train/trainer';
import { Rng } from '../util/rng';
import { median } from './stats';

export interface BenchTrainOptions {
  preset?: string;
  batch?: number;
  targetLength?: number;
  /** Optimizer steps per configuration; the first is warm-up, the median of the rest is reported. */
  steps?: number;
  /** Worker counts to measure. */
  workers?: number[];
  /** Folder of WAVs for the dataset-memory measurement (default: the package's data/). */
  dataDir?: string;
  /** Also run the PyTorch peer when `/usr/bin/python3 -c 'import torch'` works. */
  torch?: boolean;
}

/** Multiply-adds of one full-sequence forward pass over a window of RF + n codes (n targets). */
export function forwardMacsPerWindow(c: ModelConfig, n: number): number {
  const { residualChannels: R, dilationChannels: D, skipChannels: S, headChannels: H } = c;
  const Q = c.quantizer.bins;
  const rf = receptiveField(c);
  let len = rf + n - 1 - 1; // model input (window minus its last code), then the kernel-2 input conv
  let macs = len * (c.input === 'onehot' ? 2 * R : 2 * R); // one-hot: a two-row lookup per position
  const ds = dilations(c);
  ds.forEach((d, i) => {
    len -= d;
    macs += len * 2 * R * 2 * D + n * D * S + (i < ds.length - 1 ? len * D * R : 0);
  });
  return macs + n * (S * H + H * Q);
}

/** wasm matMul peak: the best of square 1024 products and the model's largest layer shape. */
export function matmulPeakGflops(): number {
  let best = 0;
  for (const [m, k, n] of [[1024, 1024, 1024], [24576, 64, 64], [16384, 64, 256]]) {
    const a = tf.randomNormal([m, k]);
    const b = tf.randomNormal([k, n]);
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const c = tf.matMul(a, b);
      c.dataSync();
      times.push(performance.now() - t0);
      c.dispose();
    }
    a.dispose();
    b.dispose();
    best = Math.max(best, (2 * m * k * n) / (Math.min(...times.slice(1)) * 1e6));
  }
  return best;
}

function synthDataset(config: ModelConfig, targetLength: number, files = 4, seconds = 20): Dataset {
  const audio = new Map(Array.from({ length: files }, (_, i) => {
    const rng = new Rng(i + 1);
    let v = 0;
    return [`synth${i}.wav`, Float32Array.from({ length: seconds * config.sampleRate }, () => (v = 0.95 * v + 0.05 * rng.normal()))];
  }));
  return new Dataset({
    files: [...audio.keys()], load: (f) => audio.get(f)!, quantizer: new Quantizer(config.quantizer),
    receptiveField: receptiveField(config), targetLength, valFraction: 0, seed: 1,
  });
}

/** CPU seconds of each thread of this process (Linux /proc; empty elsewhere). */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    const tick = 100; // USER_HZ
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(f[11]) + Number(f[12])) / tick);
    }
  } catch {
    // not Linux
  }
  return out;
}

/** One configuration in this process: rate per step, peak RSS (sampled), workers' heaps. */
async function measureTraining(preset: string, batch: number, targetLength: number, steps: number, workers: number): Promise<Record<string, number>> {
  await selectBackend('wasm');
  const config = presetConfig(preset);
  const model = WaveNet.create(config, 1);
  const data = synthDataset(config, targetLength);
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const rates: number[] = [];
  const cpu: number[] = [];
  let c0 = process.cpuUsage();
  let t0 = threadCpu();
  const mainCpu: number[] = [];
  const workerCpu: number[] = [];
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'binwave-bench-'));
  try {
    const r = await train(model, data, {
      outDir, steps, batch, accumulate: 1, lr: 1e-3, warmupSteps: 0, schedule: 'constant', clipNorm: 5, valEvery: 1e9,
      valWindows: 0, checkpointEvery: 1e9, keep: 1, resume: false, progress: false, log: () => undefined, workers,
      onStep: (m) => {
        rates.push(m.target_samples_per_s);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1e6);
        c0 = process.cpuUsage();
        const t1 = threadCpu();
        const d = [...t1].map(([tid, v]) => [tid, v - (t0.get(tid) ?? 0)] as const);
        t0 = t1;
        mainCpu.push(d.find(([tid]) => tid === String(process.pid))?.[1] ?? NaN);
        const others = d.filter(([tid]) => tid !== String(process.pid)).map(([, v]) => v).sort((a, b) => b - a);
        workerCpu.push(others[0] ?? 0);
        peak = Math.max(peak, process.memoryUsage().rss);
      },
    });
    const timed = rates.slice(1);
    return {
      workers: r.workers,
      target_samples_per_s: median(timed),
      step_s: (batch * targetLength) / median(timed),
      cpu_s_per_step: median(cpu.slice(1)),
      main_thread_cpu_s_per_step: median(mainCpu.slice(1)),
      busiest_worker_cpu_s_per_step: median(workerCpu.slice(1)),
      peak_rss_mb: peak / 2 ** 20,
      worker_heap_mb_max: Math.max(0, ...(r.workerHeapBytes ?? [])) / 2 ** 20,
      ...Object.fromEntries(timed.map((x, i) => [`step${i + 2}_samples_per_s`, x])),
    };
  } finally {
    clearInterval(timer);
    model.dispose();
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/** RSS after building a folder dataset and drawing batches from it (this process). */
async function measureDataset(dir: string, cacheMb: number): Promise<Record<string, number>> {
  const config = presetConfig('reference');
  const held = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  // array buffers are released after the GC that finds them dead, on a background thread: collect a few times
  const settle = async () => {
    for (let i = 0; i < 3 && global.gc; i++) {
      global.gc();
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  await settle();
  const before = process.memoryUsage().rss;
  const heldBefore = held();
  const data = folderDataset({ dir, config, targetLength: 4096, valFraction: 0.1, seed: 1, cacheMb, warn: () => undefined });
  for (let i = 0; i < 300; i++) data.nextBatch(4);
  await settle();
  return { held_mb: (held() - heldBefore) / 2 ** 20, rss_mb: process.memoryUsage().rss / 2 ** 20, growth_mb: (process.memoryUsage().rss - before) / 2 ** 20, cache_mb: data.cacheBytesHeld / 2 ** 20, train_files: data.summary.trainFiles };
}

function child(args: string[]): Record<string, number> {
  const out = execFileSync(process.execPath, ['--expose-gc', __filename, '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
}

/** ../shared/peers/torch_wavenet.py (copied to scripts/) on Debian's python3-torch, when it is installed. */
export function torchPeer(gen = 50): Record<string, number> | null {
  const ok = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
  if (ok.status !== 0) return null;
  const script = [path.join(__dirname, '..', '..', 'scripts', 'torch_wavenet.py')].find((p) => fs.existsSync(p));
  if (!script) return null;
  const r = spawnSync('/usr/bin/python3', [script, '--threads', '2', '--steps', '3', '--gen', String(gen)], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return null;
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
  } catch {
    return null;
  }
}

export async function benchTrain(opts: BenchTrainOptions = {}): Promise<Record<string, number>> {
  const preset = opts.preset ?? 'reference';
  const batch = opts.batch ?? 4;
  const n = opts.targetLength ?? 4096;
  const steps = opts.steps ?? 6;
  const out: Record<string, number> = {};
  const config = presetConfig(preset);
  for (const w of opts.workers ?? [1, 2]) {
    const r = child(['train', preset, String(batch), String(n), String(steps), String(w)]);
    out[`train_target_samples_per_s_${w}worker${w > 1 ? 's' : ''}`] = Math.round(r.target_samples_per_s);
    out[`train_cpu_s_per_step_${w}worker${w > 1 ? 's' : ''}`] = +r.cpu_s_per_step.toFixed(3);
    out[`train_peak_rss_mb_${w}worker${w > 1 ? 's' : ''}`] = Math.round(r.peak_rss_mb);
    // The machine may be shared: the rate the step's CPU time allows without contention (main thread's serial
    // part plus the busiest worker), from per-thread CPU time.
    const cpuBound = w > 1 ? r.main_thread_cpu_s_per_step + r.busiest_worker_cpu_s_per_step : r.main_thread_cpu_s_per_step;
    if (cpuBound > 0) out[`train_target_samples_per_s_${w}worker${w > 1 ? 's' : ''}_cpu_time`] = Math.round((batch * n) / cpuBound);
    out[`train_main_thread_cpu_s_per_step_${w}worker${w > 1 ? 's' : ''}`] = +r.main_thread_cpu_s_per_step.toFixed(2);
    if (w > 1) out[`train_busiest_worker_cpu_s_per_step_${w}workers`] = +r.busiest_worker_cpu_s_per_step.toFixed(2);
    if (w > 1) out[`train_worker_heap_mb_max_${w}workers`] = Math.round(r.worker_heap_mb_max);
  }
  const rates = Object.entries(out).filter(([k]) => /^train_target_samples_per_s_\dworkers?$/.test(k)).map(([, v]) => v);
  out.train_target_samples_per_s = Math.max(...rates);
  out.train_peak_rss_mb = Math.max(...Object.entries(out).filter(([k]) => k.startsWith('train_peak_rss_mb_')).map(([, v]) => v));

  const dataDir = opts.dataDir ?? path.join(__dirname, '..', '..', 'data');
  if (fs.existsSync(dataDir)) {
    const tenx = fs.mkdtempSync(path.join(os.tmpdir(), 'binwave-10x-'));
    try {
      for (let k = 0; k < 10; k++) {
        const sub = path.join(tenx, `copy${k}`);
        fs.mkdirSync(sub);
        for (const f of fs.readdirSync(dataDir)) if (f.endsWith('.wav')) fs.symlinkSync(path.resolve(dataDir, f), path.join(sub, f));
      }
      const cacheMb = 8;
      const one = child(['dataset', dataDir, String(cacheMb)]);
      const ten = child(['dataset', tenx, String(cacheMb)]);
      out.dataset_cache_mb = cacheMb;
      out.train_dataset_rss_mb_1x_corpus = Math.round(one.rss_mb);
      out.train_dataset_rss_mb_10x_corpus = Math.round(ten.rss_mb);
      out.train_dataset_rss_growth_mb_10x_corpus = Math.round(ten.rss_mb - one.rss_mb);
      out.train_dataset_cache_mb_10x_corpus = +ten.cache_mb.toFixed(1);
      // what the dataset still holds after a GC (JS heap + array buffers): RSS also keeps the allocator's high-water
      // mark from the one pass that decodes every file to learn its length and histogram
      out.train_dataset_held_mb_1x_corpus = +one.held_mb.toFixed(1);
      out.train_dataset_held_mb_10x_corpus = +ten.held_mb.toFixed(1);
    } finally {
      fs.rmSync(tenx, { recursive: true, force: true });
    }
  }

  await selectBackend('wasm');
  out.matmul_peak_gflops = +matmulPeakGflops().toFixed(2);
  const flopsPerTarget = (3 * 2 * forwardMacsPerWindow(config, n)) / n;
  out.train_flops_per_target_sample = Math.round(flopsPerTarget);
  out.train_fraction_of_matmul_peak = +((out.train_target_samples_per_s_1worker * flopsPerTarget) / (out.matmul_peak_gflops * 1e9)).toFixed(3);
  if (out.train_target_samples_per_s_2workers) {
    out.train_fraction_of_matmul_peak_2workers = +((out.train_target_samples_per_s_2workers * flopsPerTarget) / (2 * out.matmul_peak_gflops * 1e9)).toFixed(3);
  }
  if (opts.torch !== false) {
    const t = torchPeer();
    if (t && t.train_target_samples_per_s) {
      out.torch_train_target_samples_per_s = t.train_target_samples_per_s;
      out.train_ratio_vs_torch = +(out.train_target_samples_per_s / t.train_target_samples_per_s).toFixed(2);
    } else {
      out.torch_available = 0;
    }
  }
  return out;
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child') {
    const [, kind, ...a] = argv;
    const r = kind === 'train'
      ? await measureTraining(a[0], +a[1], +a[2], +a[3], +a[4])
      : await measureDataset(a[0], +a[1]);
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const r = await benchTrain({
    steps: get('--steps') ? +get('--steps')! : quick ? 3 : 6,
    workers: get('--workers') ? get('--workers')!.split(',').map(Number) : undefined,
    torch: !argv.includes('--no-torch'),
  });
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
