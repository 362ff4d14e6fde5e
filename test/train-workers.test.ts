import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { WaveNet } from '../src/model/wavenet';
import { Dataset } from '../src/data/dataset';
import { Quantizer } from '../src/quantize/quantizer';
import { train, TrainOptions, StepMetrics } from '../src/train/trainer';
import { defaultWorkers, shares } from '../src/train/parallel';
import { loadModel } from '../src/train/checkpoint';
import { Rng } from '../src/util/rng';
import { microConfig, tmpDir, useWasm } from './helpers';

beforeAll(useWasm);

function noise(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  let v = 0;
  return Float32Array.from({ length: n }, () => (v = 0.9 * v + 0.1 * rng.normal()));
}

const files = new Map(Array.from({ length: 3 }, (_, i) => [`c${i}.wav`, noise(6000, i + 1)]));
const cfg = microConfig();
const q = new Quantizer(cfg.quantizer);

function dataset(rf: number): Dataset {
  return new Dataset({
    files: [...files.keys()], load: (f) => files.get(f)!, quantizer: q, receptiveField: rf, targetLength: 64,
    valFraction: 0, seed: 3,
  });
}

const base: Omit<TrainOptions, 'outDir'> = {
  steps: 4, batch: 4, accumulate: 2, lr: 3e-3, warmupSteps: 0, schedule: 'constant', clipNorm: 5, valEvery: 100,
  valWindows: 0, checkpointEvery: 100, keep: 1, resume: false, progress: false, log: () => undefined,
};

async function run(workers: number, o: Partial<TrainOptions> = {}) {
  const dir = tmpDir(`w${workers}`);
  const m = WaveNet.create(cfg, 5);
  const r = await train(m, dataset(m.receptiveField), { ...base, ...o, workers, outDir: dir });
  m.dispose();
  const losses = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as StepMetrics).loss_nats);
  return { r, losses, weights: loadModel(dir).weights };
}

/** Largest |a-b| over a weight tensor, relative to the tensor's largest |a| (biases start at zero). */
function maxRelDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let worst = 0;
  for (const [k, x] of a) {
    const y = b.get(k)!;
    const scale = Math.max(1e-3, ...Array.from(x, Math.abs));
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / scale);
  }
  return worst;
}

test('shares split a batch evenly, larger shares first', () => {
  expect(shares(4, 2)).toEqual([2, 2]);
  expect(shares(3, 2)).toEqual([2, 1]);
  expect(shares(1, 2)).toEqual([1, 0]);
  expect(defaultWorkers()).toBe(os.cpus().length >= 2 ? 2 : 1);
});

test('two workers give the same losses and weights as one (batch 4 x 2 accumulated, and an odd batch)', async () => {
  const one = await run(1);
  const two = await run(2);
  expect(one.r.workers).toBe(1);
  expect(two.r.workers).toBe(2);
  expect(two.r.workerHeapBytes).toHaveLength(2);
  expect(two.losses).toHaveLength(4);
  two.losses.forEach((l, i) => expect(Math.abs(l - one.losses[i]) / one.losses[i]).toBeLessThan(1e-5));
  expect(maxRelDiff(one.weights, two.weights)).toBeLessThan(1e-5);

  const oddOne = await run(1, { batch: 3, accumulate: 1, steps: 2 });
  const oddTwo = await run(2, { batch: 3, accumulate: 1, steps: 2 });
  oddTwo.losses.forEach((l, i) => expect(Math.abs(l - oddOne.losses[i]) / oddOne.losses[i]).toBeLessThan(1e-5));
  expect(maxRelDiff(oddOne.weights, oddTwo.weights)).toBeLessThan(1e-5);
});

test('with workers, the same seed gives an identical loss sequence and identical weights', async () => {
  const a = await run(2);
  const b = await run(2);
  expect(a.losses).toEqual(b.losses);
  for (const [k, w] of a.weights) expect(Array.from(b.weights.get(k)!)).toEqual(Array.from(w));
});
