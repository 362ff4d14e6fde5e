/**
 * Turning one predicted categorical distribution (logits over the quantizer's Q bins) back into a sample.
 *
 * Every pick has TWO results, and they are not the same thing:
 *  - `bin`:   an integer bin index in [0, Q). This is what is fed back to the network as its next input (the
 *             network's input domain is bins).
 *  - `value`: a continuous amplitude in [-1, 1]. This is what is written to the WAV. For `argmax`/`sample`
 *             without dither it is the bin's centre; with dither, `mean` or `interp` it is not restricted to the
 *             Q centres. For `mean`/`interp` the fed-back bin is `quantizer.encode(value)`.
 *
 * Pure TypeScript on typed arrays, no tfjs. A `Sampler` owns its scratch buffers, so `pick` allocates nothing
 * per call: it is meant to be called once per generated sample per stream.
 */
import { Quantizer } from '../quantize/quantizer';
import { Rng } from '../util/rng';
import { fastExp } from './fast-exp';
import { WasmSoftmax } from './wasm-softmax';

export type Strategy = 'sample' | 'argmax' | 'mean' | 'interp';
export const STRATEGIES: Strategy[] = ['sample', 'argmax', 'mean', 'interp'];

export interface SamplerConfig {
  strategy: Strategy;
  /** Softmax temperature for `sample` (and the distribution used by mean/interp). 0 means argmax. */
  temperature: number;
  /** Keep only the k most probable bins when sampling; 0 = off. */
  topK: number;
  /** Keep the smallest set of most probable bins whose mass reaches p when sampling; 1 = off. */
  topP: number;
  /** For `interp`: bins on each side of the most probable bin that enter the weighted mean position. */
  neighbours: number;
  /** For `argmax`/`sample`: draw the value uniformly within the chosen bin (companded domain). */
  dither: boolean;
}

export const DEFAULT_SAMPLER: SamplerConfig = {
  strategy: 'sample',
  temperature: 1,
  topK: 0,
  topP: 1,
  neighbours: 1,
  dither: false,
};

/** One pick: the bin fed back to the network and the continuous amplitude written out. */
export interface Pick {
  bin: number;
  value: number;
}

type Logits = ArrayLike<number>;

/** Index of the largest entry (the first one on ties). */
export function argmax(logits: Logits): number {
  let best = 0;
  let bv = logits[0];
  for (let i = 1; i < logits.length; i++) {
    if (logits[i] > bv) {
      bv = logits[i];
      best = i;
    }
  }
  return best;
}

/**
 * Unnormalized softmax: out[i] = exp((logits[i] − max) / temperature), the largest exactly 1, and 0 where the
 * exponent is ≤ −708 (relative weight < 1e-307); returns their sum, added in index order. temperature must be
 * > 0. assembly/softmax.ts computes the same, bit for bit (the Sampler's fast path, see wasm-softmax.ts).
 */
export function softmaxWeights(logits: Logits, out: Float32Array | Float64Array, temperature = 1): number {
  const n = logits.length;
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i] > m) m = logits[i];
  const inv = 1 / temperature;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const x = (logits[i] - m) * inv;
    const e = x > -708 || x !== x ? fastExp(x) : 0;
    out[i] = e;
    s += e;
  }
  return s;
}

/**
 * Numerically stable softmax of logits / temperature into `out` (same length or longer; the first
 * logits.length entries are written). Returns `out`. temperature must be > 0.
 */
export function softmax<T extends Float32Array | Float64Array>(logits: Logits, out: T, temperature = 1): T {
  const r = 1 / softmaxWeights(logits, out, temperature);
  for (let i = 0; i < logits.length; i++) out[i] *= r;
  return out;
}

/** Numerically stable log-softmax of logits / temperature into `out`. Returns `out`. */
export function logSoftmax<T extends Float32Array | Float64Array>(logits: Logits, out: T, temperature = 1): T {
  const n = logits.length;
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i] > m) m = logits[i];
  const inv = 1 / temperature;
  let s = 0;
  for (let i = 0; i < n; i++) s += fastExp((logits[i] - m) * inv);
  const lse = Math.log(s);
  for (let i = 0; i < n; i++) out[i] = (logits[i] - m) * inv - lse;
  return out;
}

/** Expected amplitude Σ p_b · centre_b of a probability vector. */
export function meanValue(probs: Logits, quantizer: Quantizer): number {
  let v = 0;
  for (let b = 0; b < probs.length; b++) v += probs[b] * quantizer.centres[b];
  return v;
}

/**
 * Neighbour-bin interpolation of a probability vector: the probability-weighted mean position (companded
 * domain) of the most probable bin b* and its `neighbours` bins on each side (clipped at the ends), expanded to
 * amplitude. With symmetric neighbour probabilities it returns exactly quantizer.centres[b*].
 */
export function interpValue(probs: Logits, quantizer: Quantizer, neighbours: number): number {
  const q = probs.length;
  const c = argmax(probs);
  // Offset from b* in bins, paired term by term so that symmetric probabilities cancel exactly.
  let mass = probs[c];
  let num = 0;
  for (let j = 1; j <= neighbours; j++) {
    const hi = c + j < q ? probs[c + j] : 0;
    const lo = c - j >= 0 ? probs[c - j] : 0;
    mass += hi + lo;
    num += j * (hi - lo);
  }
  const offset = mass > 0 ? num / mass : 0;
  const y = quantizer.companded(c) + offset * quantizer.step;
  return quantizer.expand(y > 1 ? 1 : y < -1 ? -1 : y);
}

/** Max-heap sift-down of h[i] within h[0..size). */
function siftDown(h: Float64Array, i: number, size: number): void {
  const v = h[i];
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && h[c + 1] > h[c]) c++;
    if (h[c] <= v) break;
    h[i] = h[c];
    i = c;
  }
  h[i] = v;
}

export class Sampler {
  readonly quantizer: Quantizer;
  private readonly config: SamplerConfig;
  /** The RNG this sampler draws from (the caller's: a shared one couples the streams that share it). */
  readonly rng: Rng;
  /** Softmax probabilities of the last pick (length Q): the wasm path's weights view when it is in use. */
  private readonly probs: Float64Array;
  /** argmax, or sampling at temperature 0: picks need no softmax. */
  private readonly argmaxOnly: boolean;
  /** The WebAssembly softmax (bit-identical to softmaxWeights), or null: then the TypeScript one runs. */
  private readonly fast: WasmSoftmax | null;
  /** Heap scratch for top-k / top-p thresholds. */
  private readonly sorted: Float64Array;
  private readonly scratchPick: Pick = { bin: 0, value: 0 };
  /** probs still needs this factor (plain sampling draws from the unnormalized weights; lastProbs applies it). */
  private pendingScale = 1;

  /** `options.wasm: false` keeps the TypeScript softmax (the reference) even when build/softmax.wasm exists. */
  constructor(quantizer: Quantizer, config: Partial<SamplerConfig> = {}, rng: Rng = new Rng(0), options: { wasm?: boolean } = {}) {
    const c = { ...DEFAULT_SAMPLER, ...config };
    if (!STRATEGIES.includes(c.strategy)) throw new RangeError(`strategy must be one of ${STRATEGIES.join(', ')}`);
    if (!(c.temperature >= 0) || !Number.isFinite(c.temperature)) {
      throw new RangeError(`temperature must be finite and >= 0, got ${c.temperature}`);
    }
    if (!Number.isInteger(c.topK) || c.topK < 0) throw new RangeError(`topK must be an integer >= 0, got ${c.topK}`);
    if (!(c.topP > 0 && c.topP <= 1)) throw new RangeError(`topP must be in (0, 1], got ${c.topP}`);
    if (!Number.isInteger(c.neighbours) || c.neighbours < 0) {
      throw new RangeError(`neighbours must be an integer >= 0, got ${c.neighbours}`);
    }
    this.quantizer = quantizer;
    this.config = c;
    this.rng = rng;
    this.argmaxOnly = c.strategy === 'argmax' || (c.strategy === 'sample' && c.temperature === 0);
    this.fast = options.wasm === false || this.argmaxOnly ? null : WasmSoftmax.create(quantizer.bins);
    this.probs = this.fast ? this.fast.weights : new Float64Array(quantizer.bins);
    this.sorted = new Float64Array(quantizer.bins);
  }

  getConfig(): SamplerConfig {
    return { ...this.config };
  }

  /** The probabilities (after temperature) computed by the last `pick`: a view, overwritten by the next call. */
  lastProbs(): Float64Array {
    if (this.pendingScale !== 1) {
      for (let i = 0; i < this.probs.length; i++) this.probs[i] *= this.pendingScale;
      this.pendingScale = 1;
    }
    return this.probs;
  }

  /**
   * Pick from one distribution given as logits (length Q, e.g. a subarray view of a [T, Q] output).
   * Writes and returns `out` (a reused internal object if omitted: copy its fields before the next call).
   */
  pick(logits: Logits, out: Pick = this.scratchPick): Pick {
    const q = this.quantizer;
    if (logits.length !== q.bins) throw new RangeError(`expected ${q.bins} logits, got ${logits.length}`);
    const { strategy, temperature } = this.config;
    if (this.argmaxOnly) {
      const b = argmax(logits);
      out.bin = b;
      out.value = this.binValue(b);
      return out;
    }
    const t = temperature === 0 ? 1 : temperature; // mean/interp at T=0 use the plain softmax
    const { topK, topP } = this.config;
    const sum = this.fast && logits instanceof Float32Array ? this.fast.compute(logits, t) : softmaxWeights(logits, this.probs, t);
    if (strategy === 'sample' && !((topK > 0 && topK < q.bins) || topP < 1)) {
      // the common case, in two passes: draw u·sum against the running sum of the unnormalized weights
      this.pendingScale = 1 / sum;
      const b = drawFromWeights(this.probs, this.rng.next() * sum);
      out.bin = b;
      out.value = this.binValue(b);
      return out;
    }
    this.pendingScale = 1;
    const r = 1 / sum;
    for (let i = 0; i < this.probs.length; i++) this.probs[i] *= r;
    if (strategy === 'sample') {
      const b = this.sampleFromProbs();
      out.bin = b;
      out.value = this.binValue(b);
    } else {
      const v = strategy === 'mean' ? meanValue(this.probs, q) : interpValue(this.probs, q, this.config.neighbours);
      out.value = v;
      out.bin = q.encode(v);
    }
    return out;
  }

  /** Pick for each of `rows` rows of a row-major [rows, Q] logits array into bins[i] and values[i]. */
  pickRows(logits: Float32Array, rows: number, bins: Int32Array, values: Float32Array | Float64Array): void {
    const qn = this.quantizer.bins;
    const p = this.scratchPick;
    for (let r = 0; r < rows; r++) {
      this.pick(logits.subarray(r * qn, (r + 1) * qn), p);
      bins[r] = p.bin;
      values[r] = p.value;
    }
  }

  /** Centre of bin b, or a uniform draw within it (companded domain) when dithering. */
  private binValue(b: number): number {
    const q = this.quantizer;
    if (!this.config.dither) return q.centres[b];
    const v = q.decodeFractional(b - 0.5 + this.rng.next());
    const lo = q.edges[b];
    const hi = q.edges[b + 1];
    return v < lo ? lo : v > hi ? hi : v;
  }

  /** Draw a bin from this.probs restricted by top-k and top-p. */
  private sampleFromProbs(): number {
    const p = this.probs;
    const n = p.length;
    const { topK, topP } = this.config;
    let keep = n;
    let threshold = 0;
    if ((topK > 0 && topK < n) || topP < 1) {
      // Pop the largest probabilities off a max-heap (built in place in the scratch buffer, O(Q + m log Q)),
      // until k are out or their mass reaches p; the last one popped is the threshold.
      const h = this.sorted;
      h.set(p);
      for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(h, i, n);
      const limit = topK > 0 && topK < n ? topK : n;
      let size = n;
      let cum = 0;
      let m = 0;
      while (m < limit) {
        threshold = h[0];
        cum += threshold;
        m++;
        size--;
        h[0] = h[size];
        siftDown(h, 0, size);
        if (topP < 1 && cum >= topP) break;
      }
      keep = m;
    }
    // Kept bins: all with p > threshold, then those equal to it in index order until `keep` are in.
    let above = 0;
    let total = 0;
    if (keep < n) {
      for (let i = 0; i < n; i++) if (p[i] > threshold) above++;
    }
    let ties = keep - above;
    for (let i = 0; i < n; i++) {
      if (keep === n || p[i] > threshold) total += p[i];
      else if (p[i] === threshold && ties > 0) {
        total += p[i];
        ties--;
      }
    }
    const u = this.rng.next() * total;
    ties = keep - above;
    let cum = 0;
    let last = 0;
    for (let i = 0; i < n; i++) {
      let pi = 0;
      if (keep === n || p[i] > threshold) pi = p[i];
      else if (p[i] === threshold && ties > 0) {
        pi = p[i];
        ties--;
      }
      if (pi > 0) {
        cum += pi;
        last = i;
        if (u < cum) return i;
      }
    }
    return last;
  }
}

/** The first index whose running sum of w exceeds u (u in [0, Σw)); the last positive one if rounding runs past. */
function drawFromWeights(w: Float64Array, u: number): number {
  let cum = 0;
  let last = 0;
  for (let i = 0; i < w.length; i++) {
    if (w[i] > 0) {
      cum += w[i];
      last = i;
      if (u < cum) return i;
    }
  }
  return last;
}

/** A short name for a sampler config, e.g. "sample T=0.9 top-k 20" or "interp k=2". */
export function describeSampler(c: SamplerConfig): string {
  const parts: string[] = [c.strategy];
  if (c.strategy === 'sample') {
    parts.push(`T=${c.temperature}`);
    if (c.topK > 0) parts.push(`top-k ${c.topK}`);
    if (c.topP < 1) parts.push(`top-p ${c.topP}`);
  }
  if (c.strategy === 'interp') parts.push(`k=${c.neighbours}`);
  if (c.dither && (c.strategy === 'sample' || c.strategy === 'argmax')) parts.push('dither');
  return parts.join(' ');
}
