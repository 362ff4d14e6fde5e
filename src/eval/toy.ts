/**
 * `binwave toy`: does cross-entropy make sense for regression? One small MLP trunk (1→H→H, tanh, Adam, weights
 * and batch order from the seeded Rng) fitted to y = f(x) + noise with three heads:
 *   (1) MSE; (2) Gaussian NLL with learned mean and log-variance; (3) softmax cross-entropy over Q bins of y,
 *   decoded by argmax / mean / interp through the Sampler.
 * Everything is measured on a held-out test set, with NLL on one scale: nats per sample as a continuous density.
 */
import * as tf from '@tensorflow/tfjs';
import { matMulT } from '../model/ops';
import { BackendChoice, selectBackend } from '../backend';
import { Companding, Quantizer } from '../quantize/quantizer';
import { logSoftmax, Sampler, softmax, Strategy } from '../sample/sampler';
import { Rng } from '../util/rng';
import { heatmap, linePlot } from '../report/svg';

export interface ToyOptions {
  seed: number;
  steps: number;
  bins: number;
  companding: Companding;
  mu: number;
  /** Q values for the resolution sweep (Gaussian data). */
  qSweep: number[];
  nTrain: number;
  nTest: number;
  batch: number;
  lr: number;
  hidden: number;
  /** Gaussian noise σ of data set (a). */
  noiseSigma: number;
  /** Bimodal data: branches at f(x) ± offset, plus N(0, branchNoise²). */
  branchOffset: number;
  branchNoise: number;
  /** Neighbours on each side for interp decoding. */
  neighbours: number;
  /** Grid resolution for curves and for the p(y|x) map. */
  gridPoints: number;
  backend: BackendChoice;
  log?: (line: string) => void;
}

export const DEFAULT_TOY: ToyOptions = {
  seed: 42,
  steps: 600,
  bins: 64,
  companding: 'linear',
  mu: 255,
  qSweep: [4, 8, 16, 64, 256],
  nTrain: 2048,
  nTest: 1024,
  batch: 128,
  lr: 0.02,
  hidden: 64,
  noiseSigma: 0.1,
  branchOffset: 0.4,
  branchNoise: 0.03,
  neighbours: 1,
  gridPoints: 81,
  backend: 'wasm',
};

/** The clean function: 0.5·sin(3x), inside [-0.5, 0.5] so that f ± 0.4 (+ noise) stays inside [-1, 1]. */
export function toyF(x: number): number {
  return 0.5 * Math.sin(3 * x);
}

export interface ToyData {
  x: Float32Array;
  y: Float32Array;
}

export type DataKind = 'gaussian' | 'bimodal';

export function makeData(kind: DataKind, n: number, rng: Rng, o: ToyOptions): ToyData {
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const xi = rng.next() * 2 - 1;
    x[i] = xi;
    if (kind === 'gaussian') y[i] = toyF(xi) + o.noiseSigma * rng.normal();
    else y[i] = toyF(xi) + (rng.next() < 0.5 ? -1 : 1) * o.branchOffset + o.branchNoise * rng.normal();
  }
  return { x, y };
}

// ---------------------------------------------------------------------------------------------- the network

type Head = { kind: 'mse' } | { kind: 'fixed'; sigma: number } | { kind: 'gauss' } | { kind: 'cat'; q: Quantizer };

function outDim(h: Head): number {
  return h.kind === 'gauss' ? 2 : h.kind === 'cat' ? h.q.bins : 1;
}

interface Net {
  vars: tf.Variable[];
  forward: (x: tf.Tensor2D) => tf.Tensor2D;
}

function randn(rng: Rng, shape: [number, number], scale: number): tf.Variable<tf.Rank.R2> {
  const a = new Float32Array(shape[0] * shape[1]);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal() * scale;
  return tf.variable(tf.tensor2d(a, shape));
}

/** MLP 1→H→H→out with tanh; the trunk weights come from `seed` alone, so every head starts from the same trunk. */
function buildNet(seed: number, hidden: number, out: number): Net {
  const rng = new Rng(seed);
  const w1 = randn(rng, [1, hidden], 1.5);
  const b1 = randn(rng, [1, hidden], 1.0);
  const w2 = randn(rng, [hidden, hidden], 1 / Math.sqrt(hidden));
  const b2 = tf.variable(tf.zeros([1, hidden]));
  const w3 = randn(new Rng(seed + 7919), [hidden, out], 0.1 / Math.sqrt(hidden));
  const b3 = tf.variable(tf.zeros([1, out]));
  const forward = (x: tf.Tensor2D): tf.Tensor2D => {
    const h1 = tf.tanh(tf.add(matMulT(x, w1), b1));
    const h2 = tf.tanh(tf.add(matMulT(h1 as tf.Tensor2D, w2), b2));
    return tf.add(matMulT(h2 as tf.Tensor2D, w3), b3) as tf.Tensor2D;
  };
  return { vars: [w1, b1, w2, b2, w3, b3], forward };
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

function lossFn(head: Head, out: tf.Tensor2D, y: tf.Tensor2D, target: tf.Tensor2D | null): tf.Scalar {
  return lossTensor(head, out, y, target) as tf.Scalar;
}

function lossTensor(head: Head, out: tf.Tensor2D, y: tf.Tensor2D, target: tf.Tensor2D | null): tf.Tensor {
  switch (head.kind) {
    case 'mse':
      return tf.mean(tf.square(tf.sub(out, y)));
    case 'fixed': {
      const s2 = head.sigma * head.sigma;
      return tf.add(tf.mean(tf.mul(tf.square(tf.sub(out, y)), 0.5 / s2)), 0.5 * Math.log(2 * Math.PI * s2));
    }
    case 'gauss': {
      const [m, logv] = tf.split(out, 2, 1);
      const nll = tf.mul(tf.add(logv, tf.mul(tf.square(tf.sub(y, m)), tf.exp(tf.neg(logv)))), 0.5);
      return tf.add(tf.mean(nll), HALF_LOG_2PI);
    }
    case 'cat':
      return tf.neg(tf.mean(tf.sum(tf.mul(target as tf.Tensor2D, tf.logSoftmax(out)), 1)));
  }
}

export interface Trained {
  net: Net;
  head: Head;
  finalLoss: number;
  seconds: number;
}

function train(head: Head, data: ToyData, o: ToyOptions): Trained {
  const t0 = Date.now();
  const net = buildNet(o.seed, o.hidden, outDim(head));
  const order = new Rng(o.seed + 1); // the same batches for every head
  const opt = tf.train.adam(o.lr);
  const bx = new Float32Array(o.batch);
  const by = new Float32Array(o.batch);
  const q = head.kind === 'cat' ? head.q : null;
  const codes = q ? q.encodeArray(data.y).codes : null;
  const onehot = q ? new Float32Array(o.batch * q.bins) : null;
  let finalLoss = NaN;
  for (let step = 0; step < o.steps; step++) {
    if (onehot) onehot.fill(0);
    for (let i = 0; i < o.batch; i++) {
      const j = order.int(data.x.length);
      bx[i] = data.x[j];
      by[i] = data.y[j];
      if (onehot && codes && q) onehot[i * q.bins + codes[j]] = 1;
    }
    const xt = tf.tensor2d(bx, [o.batch, 1]);
    const yt = tf.tensor2d(by, [o.batch, 1]);
    const tt = onehot && q ? tf.tensor2d(onehot, [o.batch, q.bins]) : null;
    // Cosine decay to 5% of lr: the last steps average out the minibatch noise. tfjs's Adam reads its
    // learningRate field at every step (it has no public setter).
    (opt as unknown as { learningRate: number }).learningRate =
      o.lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * step) / o.steps)));
    const last = step === o.steps - 1;
    const cost = opt.minimize(() => lossFn(head, net.forward(xt), yt, tt), last, net.vars as tf.Variable[]);
    if (cost) {
      finalLoss = cost.dataSync()[0];
      cost.dispose();
    }
    xt.dispose();
    yt.dispose();
    tt?.dispose();
  }
  opt.dispose();
  return { net, head, finalLoss, seconds: (Date.now() - t0) / 1000 };
}

function predict(t: Trained, x: ArrayLike<number>): Float32Array {
  return tf.tidy(() => {
    const xt = tf.tensor2d(Float32Array.from(x), [x.length, 1]);
    return t.net.forward(xt).dataSync() as Float32Array;
  });
}

function dispose(t: Trained): void {
  for (const v of t.net.vars) v.dispose();
}

// ---------------------------------------------------------------------------------------------- evaluation

export interface PointEval {
  /** Test MSE against the noisy targets y. */
  mse: number;
  /** RMS error against the clean f(x). */
  rmseF: number;
  /** Continuous-density NLL, nats per test sample. */
  nll: number;
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length > 0 ? s / a.length : NaN;
}

function pointErrors(pred: ArrayLike<number>, d: ToyData): { mse: number; rmseF: number } {
  let se = 0;
  let sf = 0;
  for (let i = 0; i < d.x.length; i++) {
    se += (pred[i] - d.y[i]) ** 2;
    sf += (pred[i] - toyF(d.x[i])) ** 2;
  }
  return { mse: se / d.x.length, rmseF: Math.sqrt(sf / d.x.length) };
}

/** Gaussian NLL with a fixed σ² of predictions m against y (nats per sample). */
export function fixedGaussNll(m: ArrayLike<number>, y: ArrayLike<number>, sigma2: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (0.5 * (y[i] - m[i]) ** 2) / sigma2 + 0.5 * Math.log(2 * Math.PI * sigma2);
  return s / y.length;
}

function mseOf(m: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] - m[i]) ** 2;
  return s / y.length;
}

/** Column c of a row-major [n, k] array. */
function column(a: Float32Array, k: number, c: number): Float32Array {
  const n = a.length / k;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i * k + c];
  return out;
}

export interface CatDecoded {
  argmax: Float32Array;
  mean: Float32Array;
  interp: Float32Array;
}

const DECODERS: Strategy[] = ['argmax', 'mean', 'interp'];

/** Decode a [n, Q] logits array with the Sampler's argmax, mean and interp. */
export function decodeCat(logits: Float32Array, q: Quantizer, neighbours: number): CatDecoded {
  const n = logits.length / q.bins;
  const out: Record<string, Float32Array> = {};
  const bins = new Int32Array(n);
  for (const s of DECODERS) {
    out[s] = new Float32Array(n);
    new Sampler(q, { strategy: s, neighbours, temperature: 1 }).pickRows(logits, n, bins, out[s]);
  }
  return out as unknown as CatDecoded;
}

/** Categorical NLL as a continuous density: -log p(bin of y) + log(bin width in y units). */
export function catNll(logits: Float32Array, q: Quantizer, y: ArrayLike<number>): number {
  const lp = new Float64Array(q.bins);
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    logSoftmax(logits.subarray(i * q.bins, (i + 1) * q.bins), lp);
    const b = q.encode(y[i]);
    s += -lp[b] + Math.log(q.binWidth(b));
  }
  return s / y.length;
}

function gaussNll(out: Float32Array, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const m = out[2 * i];
    const lv = out[2 * i + 1];
    s += 0.5 * (lv + (y[i] - m) ** 2 * Math.exp(-lv)) + HALF_LOG_2PI;
  }
  return s / y.length;
}

// ---------------------------------------------------------------------------------------------- results

export interface ModelRow {
  data: DataKind;
  model: string;
  testMse: number;
  rmseF: number;
  nll: number;
  trainSeconds: number;
}

export interface ToyResult {
  options: Omit<ToyOptions, 'log'>;
  backend: string;
  seconds: number;
  rows: ModelRow[];
  /** MSE ≡ Gaussian cross-entropy with fixed variance, measured. */
  mseEquivalence: {
    sigma2: number;
    /** 0.5·log(2πσ²): the constant predicted by the algebra. */
    constant: number;
    /** NLL_fixed − 0.5·MSE/σ² for several prediction sets (all should equal `constant`). */
    measuredConstants: { predictions: string; mse: number; nllFixed: number; difference: number }[];
    maxDeviation: number;
    /** Training with fixed-σ NLL (σ = noiseSigma) vs MSE, same seed, Adam: max |Δ prediction| on the grid. */
    trainedMaxPredictionDiff: number;
    trainedMseOfFixed: number;
    trainedMseOfMse: number;
  };
  bimodal: {
    /** Mean |prediction − f(x)| over the grid: MSE and Gaussian mean sit at the average of the branches. */
    mseDistToF: number;
    mseDistToBranch: number;
    gaussMeanDistToF: number;
    gaussSigmaMean: number;
    catMeanDistToF: number;
    /** Mean over the grid of the categorical mass within ±0.1 of the upper / lower branch, and its minimum. */
    massUpper: number;
    massLower: number;
    massUpperMin: number;
    massLowerMin: number;
    /** Mass within ±0.1 of f(x) itself (where there is no data). */
    massAtF: number;
    /** Fraction of grid points whose decode lies within 0.1 of a branch. */
    argmaxOnBranch: number;
    interpOnBranch: number;
    mseOnBranch: number;
  };
  qSweep: { bins: number; argmax: number; mean: number; interp: number; argmaxMse: number; interpMse: number; nll: number }[];
  grid: {
    x: number[];
    f: number[];
    gaussian: Record<string, number[]>;
    bimodal: Record<string, number[]>;
    /** Bimodal categorical p(y|x): probs[i][b] for grid x[i] and bin b (centres in binCentres). */
    bimodalProbs: number[][];
    binCentres: number[];
  };
  testData: { gaussian: { x: number[]; y: number[] }; bimodal: { x: number[]; y: number[] } };
}

const round = (v: number, d = 6) => Number(v.toPrecision(d));
const arr = (a: ArrayLike<number>, d = 5) => Array.from(a, (v) => round(v, d));

export async function runToy(options: Partial<ToyOptions> = {}): Promise<ToyResult> {
  const o: ToyOptions = { ...DEFAULT_TOY, ...options };
  const log = o.log ?? (() => undefined);
  const t0 = Date.now();
  const backend = await selectBackend(o.backend);
  const rng = new Rng(o.seed);
  const data = {
    gaussian: { train: makeData('gaussian', o.nTrain, rng, o), test: makeData('gaussian', o.nTest, rng, o) },
    bimodal: { train: makeData('bimodal', o.nTrain, rng, o), test: makeData('bimodal', o.nTest, rng, o) },
  };
  const gridX = Array.from({ length: o.gridPoints }, (_, i) => -1 + (2 * i) / (o.gridPoints - 1));
  const gridF = gridX.map(toyF);
  const quant = (bins: number) => new Quantizer({ bins, mu: o.mu, companding: o.companding });
  const rows: ModelRow[] = [];
  const grid: ToyResult['grid'] = { x: arr(gridX), f: arr(gridF), gaussian: {}, bimodal: {}, bimodalProbs: [], binCentres: [] };

  const fitted: Record<string, Trained> = {};
  const fit = (name: string, head: Head, d: ToyData) => {
    const t = train(head, d, o);
    log(`  trained ${name} in ${t.seconds.toFixed(1)} s (final batch loss ${t.finalLoss.toFixed(4)})`);
    fitted[name] = t;
    return t;
  };

  let mseEq: ToyResult['mseEquivalence'] | null = null;
  let bimodal: ToyResult['bimodal'] | null = null;
  const qSweep: ToyResult['qSweep'] = [];

  for (const kind of ['gaussian', 'bimodal'] as DataKind[]) {
    log(`${kind} data`);
    const { train: tr, test: te } = data[kind];
    const q = quant(o.bins);
    const mse = fit(`${kind}/mse`, { kind: 'mse' }, tr);
    const gauss = fit(`${kind}/gauss`, { kind: 'gauss' }, tr);
    const cat = fit(`${kind}/cat`, { kind: 'cat', q }, tr);

    // MSE head: NLL under the Gaussian whose fixed variance is the MLE of the training residuals.
    const msePredTrain = predict(mse, tr.x);
    const sigma2 = mseOf(msePredTrain, tr.y);
    const msePred = predict(mse, te.x);
    const e1 = pointErrors(msePred, te);
    rows.push({ data: kind, model: 'MSE', testMse: e1.mse, rmseF: e1.rmseF, nll: fixedGaussNll(msePred, te.y, sigma2), trainSeconds: mse.seconds });

    const gOut = predict(gauss, te.x);
    const gMean = column(gOut, 2, 0);
    const e2 = pointErrors(gMean, te);
    rows.push({ data: kind, model: 'Gaussian NLL', testMse: e2.mse, rmseF: e2.rmseF, nll: gaussNll(gOut, te.y), trainSeconds: gauss.seconds });

    const cLogits = predict(cat, te.x);
    const dec = decodeCat(cLogits, q, o.neighbours);
    const cn = catNll(cLogits, q, te.y);
    for (const s of DECODERS) {
      const e = pointErrors(dec[s as keyof CatDecoded], te);
      rows.push({ data: kind, model: `CE Q=${o.bins} ${s}`, testMse: e.mse, rmseF: e.rmseF, nll: cn, trainSeconds: cat.seconds });
    }

    // Curves on the grid.
    const g: Record<string, number[]> = {};
    g.mse = arr(predict(mse, gridX));
    const gg = predict(gauss, gridX);
    g.gaussMean = arr(column(gg, 2, 0));
    g.gaussSigma = arr(Array.from(column(gg, 2, 1), (lv) => Math.exp(0.5 * lv)));
    const gl = predict(cat, gridX);
    const gd = decodeCat(gl, q, o.neighbours);
    g.catArgmax = arr(gd.argmax);
    g.catMean = arr(gd.mean);
    g.catInterp = arr(gd.interp);
    grid[kind] = g;

    if (kind === 'gaussian') {
      // (i) The same predictions scored both ways: NLL_fixed − 0.5·MSE/σ² is one constant, 0.5·log(2πσ²).
      const constant = 0.5 * Math.log(2 * Math.PI * sigma2);
      const sets: [string, ArrayLike<number>][] = [
        ['MSE model', msePred], ['Gaussian-NLL mean', gMean], ['CE argmax', dec.argmax], ['CE mean', dec.mean],
        ['zero', new Float32Array(te.y.length)],
      ];
      const measuredConstants = sets.map(([name, p]) => {
        const m = mseOf(p, te.y);
        const nf = fixedGaussNll(p, te.y, sigma2);
        return { predictions: name, mse: m, nllFixed: nf, difference: nf - (0.5 * m) / sigma2 };
      });
      const maxDeviation = Math.max(...measuredConstants.map((c) => Math.abs(c.difference - constant)));
      // (ii) Training with the fixed-σ NLL gives the same fit as MSE (the loss is an affine map of MSE; Adam is
      // invariant to the scale, so the two runs follow the same path up to Adam's ε and float rounding).
      const fixed = fit('gaussian/fixed-sigma NLL', { kind: 'fixed', sigma: o.noiseSigma }, tr);
      const pf = predict(fixed, gridX);
      const pm = predict(mse, gridX);
      let diff = 0;
      for (let i = 0; i < pf.length; i++) diff = Math.max(diff, Math.abs(pf[i] - pm[i]));
      const pft = predict(fixed, te.x);
      rows.push({ data: kind, model: `fixed-σ NLL (σ=${o.noiseSigma})`, ...pointErrors(pft, te), testMse: mseOf(pft, te.y), nll: fixedGaussNll(pft, te.y, sigma2), trainSeconds: fixed.seconds });
      mseEq = {
        sigma2, constant, measuredConstants, maxDeviation,
        trainedMaxPredictionDiff: diff, trainedMseOfFixed: mseOf(pft, te.y), trainedMseOfMse: e1.mse,
      };
      dispose(fixed);

      // Resolution sweep over Q on the Gaussian data.
      for (const bins of o.qSweep) {
        const qq = quant(bins);
        const t = bins === o.bins ? cat : fit(`gaussian/cat Q=${bins}`, { kind: 'cat', q: qq }, tr);
        const lg = predict(t, te.x);
        const d = decodeCat(lg, qq, o.neighbours);
        const ea = pointErrors(d.argmax, te);
        const em = pointErrors(d.mean, te);
        const ei = pointErrors(d.interp, te);
        qSweep.push({ bins, argmax: ea.rmseF, mean: em.rmseF, interp: ei.rmseF, argmaxMse: ea.mse, interpMse: ei.mse, nll: catNll(lg, qq, te.y) });
        if (t !== cat) dispose(t);
      }
    } else {
      const gx = gridX.filter((x) => Math.abs(x) <= 0.95);
      const inner = gridX.map((x, i) => (Math.abs(x) <= 0.95 ? i : -1)).filter((i) => i >= 0);
      const fOf = inner.map((i) => gridF[i]);
      const near = (v: number, i: number) => Math.min(Math.abs(v - fOf[i] - o.branchOffset), Math.abs(v - fOf[i] + o.branchOffset));
      const pick = (a: number[]) => inner.map((i) => a[i]);
      const mseG = pick(g.mse);
      const probs = new Float64Array(q.bins);
      const massUpper: number[] = [];
      const massLower: number[] = [];
      const massAtF: number[] = [];
      inner.forEach((gi, k) => {
        softmax(gl.subarray(gi * q.bins, (gi + 1) * q.bins), probs);
        let up = 0;
        let lo = 0;
        let atF = 0;
        for (let b = 0; b < q.bins; b++) {
          const c = q.centres[b];
          if (Math.abs(c - (fOf[k] + o.branchOffset)) <= 0.1) up += probs[b];
          if (Math.abs(c - (fOf[k] - o.branchOffset)) <= 0.1) lo += probs[b];
          if (Math.abs(c - fOf[k]) <= 0.1) atF += probs[b];
        }
        massUpper.push(up);
        massLower.push(lo);
        massAtF.push(atF);
      });
      for (let i = 0; i < gridX.length; i++) {
        softmax(gl.subarray(i * q.bins, (i + 1) * q.bins), probs);
        grid.bimodalProbs.push(arr(probs, 4));
      }
      grid.binCentres = arr(q.centres);
      const frac = (a: number[]) => a.filter((v, i) => near(v, i) <= 0.1).length / a.length;
      const distF = (a: number[]) => mean(a.map((v, i) => Math.abs(v - fOf[i])));
      bimodal = {
        mseDistToF: distF(mseG),
        mseDistToBranch: mean(mseG.map((v, i) => near(v, i))),
        gaussMeanDistToF: distF(pick(g.gaussMean)),
        gaussSigmaMean: mean(pick(g.gaussSigma)),
        catMeanDistToF: distF(pick(g.catMean)),
        massUpper: mean(massUpper),
        massLower: mean(massLower),
        massUpperMin: Math.min(...massUpper),
        massLowerMin: Math.min(...massLower),
        massAtF: mean(massAtF),
        argmaxOnBranch: frac(pick(g.catArgmax)),
        interpOnBranch: frac(pick(g.catInterp)),
        mseOnBranch: frac(mseG),
      };
      void gx;
    }
    dispose(mse);
    dispose(gauss);
    dispose(cat);
  }

  const { log: _log, ...opts } = o;
  void _log;
  return {
    options: opts,
    backend: backend.name,
    seconds: (Date.now() - t0) / 1000,
    rows,
    mseEquivalence: mseEq as NonNullable<typeof mseEq>,
    bimodal: bimodal as NonNullable<typeof bimodal>,
    qSweep,
    grid,
    testData: {
      gaussian: { x: arr(data.gaussian.test.x), y: arr(data.gaussian.test.y) },
      bimodal: { x: arr(data.bimodal.test.x), y: arr(data.bimodal.test.y) },
    },
  };
}

// ---------------------------------------------------------------------------------------------- report

const f4 = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));

/** The findings as a markdown report. */
export function toyMarkdown(r: ToyResult): string {
  const L: string[] = [];
  L.push(`# binwave toy (seed ${r.options.seed}, ${r.options.steps} steps, Q=${r.options.bins} ${r.options.companding}, backend ${r.backend}, ${r.seconds.toFixed(1)} s)`);
  L.push('');
  L.push('Test set; NLL in nats per sample as a continuous density (CE: −log p_bin + log bin width; MSE: Gaussian with the MLE residual variance).');
  L.push('');
  L.push('| data | model | test MSE | RMSE vs f(x) | NLL (nats) |');
  L.push('|---|---|---:|---:|---:|');
  for (const row of r.rows) L.push(`| ${row.data} | ${row.model} | ${f4(row.testMse)} | ${f4(row.rmseF)} | ${f4(row.nll)} |`);
  const e = r.mseEquivalence;
  L.push('');
  L.push(`## MSE = Gaussian cross-entropy with fixed variance (σ² = ${f4(e.sigma2)}, 0.5·log(2πσ²) = ${e.constant.toFixed(6)})`);
  L.push('');
  L.push('| predictions | MSE | NLL_fixed | NLL_fixed − 0.5·MSE/σ² |');
  L.push('|---|---:|---:|---:|');
  for (const c of e.measuredConstants) L.push(`| ${c.predictions} | ${f4(c.mse)} | ${f4(c.nllFixed)} | ${c.difference.toFixed(9)} |`);
  L.push('');
  L.push(`Max deviation of the difference from the constant: ${e.maxDeviation.toExponential(2)}. Trained with fixed-σ NLL vs MSE (same seed, Adam): max abs(Δ prediction) on the grid ${e.trainedMaxPredictionDiff.toExponential(2)}; test MSE ${f4(e.trainedMseOfFixed)} vs ${f4(e.trainedMseOfMse)}.`);
  const b = r.bimodal;
  L.push('');
  L.push('## Bimodal data (branches f(x) ± ' + r.options.branchOffset + ')');
  L.push('');
  L.push('| measure | value |');
  L.push('|---|---:|');
  L.push(`| MSE prediction: mean abs(pred − f(x)) (no data there) | ${f4(b.mseDistToF)} |`);
  L.push(`| MSE prediction: mean distance to nearest branch | ${f4(b.mseDistToBranch)} |`);
  L.push(`| MSE prediction within 0.1 of a branch (fraction of x) | ${f4(b.mseOnBranch)} |`);
  L.push(`| Gaussian NLL: mean abs(mean − f(x)), mean σ | ${f4(b.gaussMeanDistToF)}, ${f4(b.gaussSigmaMean)} |`);
  L.push(`| CE: mass within ±0.1 of upper / lower branch (mean over x) | ${f4(b.massUpper)} / ${f4(b.massLower)} |`);
  L.push(`| CE: minimum over x of that mass, upper / lower | ${f4(b.massUpperMin)} / ${f4(b.massLowerMin)} |`);
  L.push(`| CE: mass within ±0.1 of f(x) | ${f4(b.massAtF)} |`);
  L.push(`| CE argmax within 0.1 of a branch (fraction of x) | ${f4(b.argmaxOnBranch)} |`);
  L.push(`| CE interp within 0.1 of a branch (fraction of x) | ${f4(b.interpOnBranch)} |`);
  L.push(`| CE mean decode: mean abs(mean − f(x)) | ${f4(b.catMeanDistToF)} |`);
  L.push('');
  L.push(`## Resolution vs Q (Gaussian data, ${r.options.companding} bins, interp with ${r.options.neighbours} neighbour(s) each side)`);
  L.push('');
  L.push('| Q | RMSE vs f: argmax | mean | interp | test MSE: argmax | interp | NLL (nats) |');
  L.push('|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of r.qSweep) L.push(`| ${s.bins} | ${f4(s.argmax)} | ${f4(s.mean)} | ${f4(s.interp)} | ${f4(s.argmaxMse)} | ${f4(s.interpMse)} | ${f4(s.nll)} |`);
  return L.join('\n') + '\n';
}

/** The SVG figures of a toy run, by file name. */
export function toySvgs(r: ToyResult): Record<string, string> {
  const gx = r.grid.x;
  const out: Record<string, string> = {};
  const Q = r.options.bins;
  for (const kind of ['gaussian', 'bimodal'] as DataKind[]) {
    const g = r.grid[kind];
    const td = r.testData[kind];
    const up = g.gaussMean.map((m, i) => m + g.gaussSigma[i]);
    const dn = g.gaussMean.map((m, i) => m - g.gaussSigma[i]);
    out[`${kind}_fit.svg`] = linePlot({
      title: `${kind} noise: fits on held-out data (Q=${Q})`,
      xLabel: 'x',
      yLabel: 'y',
      xRange: [-1, 1],
      yRange: [-1, 1],
      series: [
        { name: 'test data', x: td.x, y: td.y, kind: 'points', color: '#b8bec8' },
        { name: 'f(x)', x: gx, y: r.grid.f, kind: 'line', color: '#000000', dash: true, strokeWidth: 1 },
        { name: 'MSE', x: gx, y: g.mse, kind: 'line', color: '#1f77b4' },
        { name: 'Gaussian NLL mean', x: gx, y: g.gaussMean, kind: 'line', color: '#2ca02c' },
        { name: 'Gaussian mean ± σ', x: gx, y: up, kind: 'line', color: '#2ca02c', dash: true, strokeWidth: 1 },
        { name: '', x: gx, y: dn, kind: 'line', color: '#2ca02c', dash: true, strokeWidth: 1 },
        { name: 'CE argmax', x: gx, y: g.catArgmax, kind: 'line', color: '#d62728' },
        { name: 'CE mean', x: gx, y: g.catMean, kind: 'line', color: '#ff7f0e' },
        { name: 'CE interp', x: gx, y: g.catInterp, kind: 'line', color: '#9467bd', dash: true },
      ],
    });
  }
  const c = r.grid.binCentres;
  const off = r.options.branchOffset;
  out['bimodal_pyx.svg'] = heatmap({
    title: `bimodal: categorical p(y|x), Q=${Q}`,
    xLabel: 'x',
    yLabel: 'y',
    z: r.grid.bimodalProbs,
    x0: gx[0] - (gx[1] - gx[0]) / 2,
    x1: gx[gx.length - 1] + (gx[1] - gx[0]) / 2,
    y0: c[0] - (c[1] - c[0]) / 2,
    y1: c[c.length - 1] + (c[c.length - 1] - c[c.length - 2]) / 2,
    overlay: [
      { name: 'f(x) ± offset', x: gx, y: r.grid.f.map((f) => f + off), color: '#d62728' },
      { name: '', x: gx, y: r.grid.f.map((f) => f - off), color: '#d62728' },
      { name: 'MSE', x: gx, y: r.grid.bimodal.mse, color: '#ff7f0e' },
    ],
  });
  const qs = r.qSweep.map((s) => Math.log2(s.bins));
  out['q_sweep.svg'] = linePlot({
    title: 'resolution vs Q: RMSE of the decode against f(x)',
    xLabel: 'log2 Q',
    yLabel: 'RMSE vs f(x)',
    yRange: [0, 1.1 * Math.max(...r.qSweep.map((s) => Math.max(s.argmax, s.mean, s.interp)), 1e-3)],
    series: [
      { name: 'argmax', x: qs, y: r.qSweep.map((s) => s.argmax), kind: 'line+points', color: '#d62728' },
      { name: 'interp', x: qs, y: r.qSweep.map((s) => s.interp), kind: 'line', color: '#9467bd' },
      { name: 'mean', x: qs, y: r.qSweep.map((s) => s.mean), kind: 'line', color: '#ff7f0e' },
    ],
  });
  return out;
}
